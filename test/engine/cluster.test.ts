// Cluster mode on a real three-master Redis Cluster: keys spread over every slot owner, each SET NX on its
// own node (ioredis groups them per node), verified with per-key EXISTS.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Cluster } from "ioredis";
import { warm } from "../../warmers";
import { startRedis, type RedisServer } from "../support/servers";
import { itemsTable, itemValue, postgresUrl, redisClient } from "./fixtures";

const run = promisify(execFile);

describe("warm: Redis Cluster target", function () {
    this.timeout(30_000);
    let nodes: RedisServer[] = [];

    before(async () => {
        await itemsTable("warm_cluster_items", 3000);
        nodes = await Promise.all(
            [0, 1, 2].map(() => startRedis({ args: ["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"] })),
        );
        await run("redis-cli", [
            "--cluster",
            "create",
            ...nodes.map((node) => `${node.host}:${node.port}`),
            "--cluster-yes",
        ]);
        // Wait until every node agrees the cluster is up.
        for (const node of nodes) {
            const client = redisClient(node.url);
            try {
                const deadline = Date.now() + 15_000;
                while (!/cluster_state:ok/.test(await client.cluster("INFO"))) {
                    assert.ok(Date.now() < deadline, `cluster on ${node.url} did not become ok`);
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
            } finally {
                client.disconnect();
            }
        }
    });
    after(() => Promise.all(nodes.map((node) => node.stop())));

    it("warms every master, keeps NX semantics and verifies across slots", async () => {
        const cluster = new Cluster([{ host: nodes[0].host, port: nodes[0].port }]);
        try {
            await cluster.set("key:7", "live");
            const options = {
                source: await postgresUrl(),
                query: "SELECT key, value FROM warm_cluster_items ORDER BY id",
                redis: nodes[1].url,
                cluster: true,
                ttl: 600,
            };
            const report = await warm(options);
            assert.equal(report.keysWritten, 2999);
            assert.equal(report.skipped.present, 1);
            assert.equal(report.warmth, 1);
            assert.equal(await cluster.get("key:7"), "live");
            assert.equal(await cluster.get("key:2999"), itemValue(2999));
            const sizes = await Promise.all(
                nodes.map(async (node) => {
                    const client = redisClient(node.url);
                    try {
                        return await client.dbsize();
                    } finally {
                        client.disconnect();
                    }
                }),
            );
            assert.equal(
                sizes.reduce((a, b) => a + b, 0),
                3000,
            );
            assert.ok(
                sizes.every((size) => size > 500),
                `keys per master: ${sizes}`,
            );
        } finally {
            cluster.disconnect();
        }
    });
});
