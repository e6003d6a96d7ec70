// The local Redis Cluster the cluster tests and bench:cluster run on, and the servers module's manners: importing
// it installs no process hooks; starting a server does.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { startRedisCluster, type RedisCluster } from "../../warmers/local/servers";
import { redisClient } from "../support/servers";

const run = promisify(execFile);
const ROOT = path.join(__dirname, "..", "..");

describe("local servers: Redis Cluster", function () {
    this.timeout(60_000);
    let cluster: RedisCluster;

    before(async () => {
        cluster = await startRedisCluster({ primaries: 3, replicas: 1 });
    });
    after(() => cluster?.stop());

    it("starts three primaries with a replica each, on ports whose bus port exists (≤ 55535)", async () => {
        assert.equal(cluster.nodes.length, 6);
        for (const node of cluster.nodes) assert.ok(node.port <= 55535, `port ${node.port}`);
        const client = redisClient(cluster.url);
        try {
            const table = (await client.cluster("NODES")) as string;
            const lines = table.trim().split("\n");
            const primaries = lines.filter((line) => / master /.test(line.replace(/myself,/, "")));
            const replicas = lines.filter((line) => /\bslave\b/.test(line));
            assert.equal(primaries.length, 3);
            assert.equal(replicas.length, 3);
            const primaryIds = primaries.map((line) => line.split(" ")[0]);
            assert.deepEqual(replicas.map((line) => line.split(" ")[3]).sort(), [...primaryIds].sort());
            assert.match((await client.cluster("INFO")) as string, /cluster_slots_ok:16384/);
        } finally {
            client.disconnect();
        }
    });

    it("installs its exit and signal hooks when the first server starts, not on import", async () => {
        const script = `
            const before = () => [process.listenerCount("exit"), process.listenerCount("SIGTERM"), process.listenerCount("SIGHUP")].join(",");
            const servers = require("./warmers/local/servers");
            const imported = before();
            servers.startRedis().then(async (server) => {
                const started = before();
                await server.stop();
                console.log(imported + " " + started);
            });`;
        const { stdout } = await run(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: ROOT,
            timeout: 30_000,
        });
        assert.equal(stdout.trim(), "0,0,0 1,1,1");
    });
});
