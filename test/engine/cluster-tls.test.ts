// Cluster mode against an encrypted Redis Cluster (TLS only: clients, bus and replication, as ElastiCache's
// in-transit encryption runs one): the slot map and every primary's pipe use the target's TLS and CA. A pipe
// that dropped them would talk plaintext to a TLS port (issue 27), and no key would land.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { warm, WarmConnectionError } from "../../warmers";
import { keySlot } from "../../warmers/engine/cluster/key-slot";
import {
    clientTls,
    makeCertificates,
    startRedisCluster,
    type Certificates,
    type RedisCluster,
} from "../../warmers/local/servers";

const ROWS = 3000;

describe("warm: Redis Cluster target over TLS", function () {
    this.timeout(60_000);
    let certificates: Certificates;
    let cluster: RedisCluster;
    let dir: string;
    let source: string;

    before(async () => {
        certificates = makeCertificates();
        cluster = await startRedisCluster({ primaries: 3, tls: certificates });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-cluster-tls-"));
        source = path.join(dir, "items.jsonl");
        const lines = Array.from({ length: ROWS }, (_, i) => JSON.stringify({ key: `tls:${i}`, value: `v:${i}` }));
        fs.writeFileSync(source, lines.join("\n"));
    });
    after(async () => {
        await cluster?.stop();
        await certificates?.remove();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Each node's keys, read over TLS. */
    async function keysPerNode(): Promise<Map<number, string[]>> {
        const byNode = new Map<number, string[]>();
        for (const node of cluster.nodes) {
            const client = new Redis({ host: node.host, port: node.port, tls: clientTls(certificates) });
            try {
                byNode.set(node.port, await client.keys("tls:*"));
            } finally {
                client.disconnect();
            }
        }
        return byNode;
    }

    it("refuses the cluster's certificate without the CA, before any write", async () => {
        await assert.rejects(warm({ source, redis: cluster.url, cluster: true }), (err: unknown) => {
            assert.ok(err instanceof WarmConnectionError, String(err));
            assert.equal(err.role, "redis");
            // ioredis' slot refresh swallows its nodes' TLS errors: the message cannot name the certificate yet.
            assert.match(err.message, new RegExp(`^cannot reach Redis ${cluster.url}: `));
            return true;
        });
        assert.equal([...(await keysPerNode()).values()].flat().length, 0);
    });

    it("writes every key on the primary that owns its slot, over TLS with the CA given", async () => {
        assert.match(cluster.url, /^rediss:\/\//);
        const report = await warm({ source, redis: cluster.url, cluster: true, tls: { ca: certificates.ca } });
        assert.equal(report.errors, 0, report.firstError);
        assert.equal(report.keysWritten, ROWS);
        const byNode = await keysPerNode();
        assert.equal([...byNode.values()].flat().length, ROWS);
        for (const [port, keys] of byNode) {
            assert.ok(keys.length > ROWS / 5, `${keys.length} keys on ${port}`);
            // Keys of one node share its slot range: none was written through another node by mistake.
            const slots = keys.map((key) => keySlot(key));
            assert.ok(Math.max(...slots) - Math.min(...slots) < 16384 / 3 + 1, `slots on ${port}`);
        }
    });
});
