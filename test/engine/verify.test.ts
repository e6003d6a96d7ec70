// Verify: after the write, the hottest intended keys are looked up; a cache that lost them (evicted under
// maxmemory, refused with OOM, deleted) fails the warm with ColdCacheError and the report says why.
import assert from "node:assert/strict";
import { ColdCacheError, warm, type WarmOptions } from "../../warmers";
import { verify } from "../../warmers/engine/verify";
import { startRedis, type RedisServer } from "../support/servers";
import { emptyTarget, itemsTable, postgresUrl, redisClient } from "./fixtures";

const ROWS = 20_000; // about 6 MB in Redis: twice the maxmemory below

describe("warm: verify and minWarmth", () => {
    let base: Omit<WarmOptions, "redis">;
    const servers: RedisServer[] = [];

    before(async () => {
        await itemsTable("warm_verify_items", ROWS);
        base = { source: await postgresUrl(), query: "SELECT key, value FROM warm_verify_items ORDER BY id", ttl: 600 };
    });
    after(() => Promise.all(servers.map((server) => server.stop())));

    async function smallRedis(policy: string): Promise<string> {
        const server = await startRedis({ args: ["--maxmemory", "3mb", "--maxmemory-policy", policy] });
        servers.push(server);
        return server.url;
    }

    it("a warm larger than maxmemory evicts its own hottest keys: ColdCacheError", async () => {
        await assert.rejects(warm({ ...base, redis: await smallRedis("allkeys-lru") }), (err: unknown) => {
            assert.ok(err instanceof ColdCacheError, String(err));
            assert.equal(err.report.keysWritten, ROWS); // every SET succeeded…
            assert.ok(err.report.warmth < 0.5, `warmth ${err.report.warmth}`); // …and the first ones were evicted
            assert.match(
                err.message,
                /^cache is cold: warmth 0\.\d{3} < minWarmth 0\.95 \(\d+ of 1000 sampled hot keys present\)$/,
            );
            return true;
        });
    });

    it("writes refused with OOM are counted with the first reason; a full cache refusing the hot set is cold", async () => {
        const redis = await smallRedis("noeviction");
        // The hottest rows go first and fit; later ones are refused. The hot set is warm, the errors are reported.
        const first = await warm({ ...base, redis });
        assert.ok(first.errors > ROWS / 2, `errors ${first.errors}`);
        assert.equal(first.keysWritten + first.errors, ROWS);
        assert.match(first.firstError ?? "", /^OOM command not allowed/);
        assert.equal(first.warmth, 1);

        // Now full: a warm of other keys has every write refused.
        const other = "SELECT 'other:' || id AS key, value FROM warm_verify_items WHERE id < 2000";
        await assert.rejects(warm({ ...base, query: other, redis }), (err: unknown) => {
            assert.ok(err instanceof ColdCacheError, String(err));
            assert.equal(err.report.errors, 2000);
            assert.equal(err.report.warmth, 0);
            assert.match(
                err.message,
                /warmth 0\.000 < minWarmth 0\.95 \(0 of 1000 .*; Redis refused 2000 keys, first: OOM command not allowed/,
            );
            return true;
        });
    });

    it("minWarmth is the threshold: the same cold cache passes at 0", async () => {
        const report = await warm({ ...base, redis: await smallRedis("allkeys-lru"), minWarmth: 0 });
        assert.ok(report.warmth < 0.5);
    });

    it("a source that gives nothing to warm leaves the cache cold: ColdCacheError", async () => {
        const { url, redis } = await emptyTarget();
        try {
            await assert.rejects(
                warm({ ...base, query: "SELECT key, value FROM warm_verify_items WHERE false", redis: url }),
                (err: unknown) => {
                    assert.ok(err instanceof ColdCacheError, String(err));
                    assert.match(
                        err.message,
                        /warmth 0\.000 < minWarmth 0\.95 \(0 of 0 sampled hot keys present\); the source gave no keys to warm/,
                    );
                    return true;
                },
            );
            assert.ok(
                await warm({
                    ...base,
                    query: "SELECT key, value FROM warm_verify_items WHERE false",
                    redis: url,
                    minWarmth: 0,
                }),
            );
        } finally {
            redis.disconnect();
        }
    });

    it("warmth is the fraction of sampled keys present", async () => {
        const { url, redis } = await emptyTarget();
        const client = redisClient(url);
        try {
            const keys = Array.from({ length: 200 }, (_, i) => `v:${i}`);
            await redis.mset(Object.fromEntries(keys.map((key) => [key, "1"])));
            await redis.del(...keys.slice(0, 50));
            assert.deepEqual(await verify(client, keys), { sampled: 200, present: 150, warmth: 0.75 });
            assert.deepEqual(await verify(client, []), { sampled: 0, present: 0, warmth: 0 });
        } finally {
            client.disconnect();
            redis.disconnect();
        }
    });
});
