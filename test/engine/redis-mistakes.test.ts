// The usual mistakes with a Redis target, each said at once as what it is (exit 2), not as a server to retry:
// a cluster node warmed without --cluster (every write would come back MOVED), a standalone Redis given
// --cluster, a password sent to a Redis that has none (each write's AUTH would fail for 6 s of retries), a wrong
// password. Nothing is written in any of them.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXIT, exitCodeFor, warm, WarmInputError } from "../../warmers";
import { startRedisCluster, type RedisCluster } from "../../warmers/local/servers";
import { redisClient, startRedis, type RedisServer } from "../support/servers";

describe("warm: a Redis target given the wrong way", function () {
    this.timeout(90_000);
    let plain: RedisServer;
    let guarded: RedisServer;
    let cluster: RedisCluster;
    let source: string;
    let dir: string;

    before(async () => {
        [plain, guarded, cluster] = await Promise.all([
            startRedis(),
            startRedis({ args: ["--requirepass", "right-pass-1"] }),
            startRedisCluster({ primaries: 3 }),
        ]);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-mistakes-"));
        source = path.join(dir, "hot.jsonl");
        const rows = Array.from({ length: 50 }, (_, i) => JSON.stringify({ key: `m:${i}`, value: String(i) }));
        fs.writeFileSync(source, rows.join("\n"));
    });
    after(async () => {
        fs.rmSync(dir, { recursive: true, force: true });
        await Promise.all([plain?.stop(), guarded?.stop(), cluster?.stop()]);
    });

    /** Fails fast with one input error naming `field`, matching `message`. */
    async function refused(options: { redis: string; cluster?: boolean }, field: string, message: RegExp) {
        const started = Date.now();
        await assert.rejects(warm({ source, ttl: 60, ...options }), (err: unknown) => {
            assert.ok(err instanceof WarmInputError, `${(err as Error).name}: ${(err as Error).message}`);
            assert.equal(err.field, field);
            assert.equal(exitCodeFor(err.code), EXIT.input);
            assert.match(err.message, message);
            return true;
        });
        assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms: no retries`);
    }

    it("a cluster node without --cluster: says to use --cluster, writes nothing", async () => {
        await refused(
            { redis: cluster.url },
            "cluster",
            /^cluster: Redis redis:\/\/127\.0\.0\.1:\d+ is a node of a Redis Cluster \(cluster_enabled:1\): add --cluster to warm the whole cluster$/,
        );
        for (const node of cluster.nodes) {
            const client = redisClient(node.url);
            assert.equal(await client.dbsize(), 0, node.url);
            client.disconnect();
        }
    });

    it("a standalone Redis with --cluster: says it is not a cluster", async () => {
        await refused(
            { redis: plain.url, cluster: true },
            "cluster",
            /^cluster: Redis redis:\/\/127\.0\.0\.1:\d+ is not a cluster node \(cluster_enabled:0\): leave out --cluster$/,
        );
    });

    it("a password sent to a Redis without one: says the server has no password set", async () => {
        const url = `redis://:not-needed-2@127.0.0.1:${plain.port}`;
        await refused(
            { redis: url },
            "redis",
            /^redis: Redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ has no password set, but one was given: leave it out/,
        );
        const client = redisClient(plain.url);
        assert.equal(await client.dbsize(), 0);
        client.disconnect();
    });

    it("a wrong password: the credentials were refused, never echoed; the right one warms", async () => {
        await refused(
            { redis: `redis://:wrong-pass-3@127.0.0.1:${guarded.port}` },
            "redis",
            /^redis: Redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused the credentials \(WRONGPASS[^)]*\); check the user and password$/,
        );
        const report = await warm({ source, ttl: 60, redis: `redis://:right-pass-1@127.0.0.1:${guarded.port}` });
        assert.equal(report.keysWritten, 50);
    });
});
