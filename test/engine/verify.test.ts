// Verify: after the write, a uniform sample of the whole hot set is looked up; a cache that lost keys (evicted
// under maxmemory, refused with OOM, deleted) fails the warm with ColdCacheError and the report says why. Writes
// Redis refused fail the warm by default, whatever the sample says.
import assert from "node:assert/strict";
import { ColdCacheError, warm, type WarmOptions } from "../../warmers";
import { Reservoir } from "../../warmers/engine/sample";
import { verify } from "../../warmers/engine/verify";
import fc from "fast-check";
import { startRedis, type RedisServer, redisClient } from "../support/servers";
import { emptyTarget, itemsTable, postgresUrl } from "./fixtures";

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

    it("a warm larger than maxmemory, its eviction accepted, evicts its own hottest keys: ColdCacheError", async () => {
        // Without acceptEviction it is refused before the first write (eviction.test.ts).
        const redis = await smallRedis("allkeys-lru");
        await assert.rejects(warm({ ...base, redis, acceptEviction: true }), (err: unknown) => {
            assert.ok(err instanceof ColdCacheError, String(err));
            assert.equal(err.report.keysWritten, ROWS); // every SET succeeded…
            // …and the first ones were evicted: about half the hot set is gone, and the sample over all of it says so.
            assert.ok(err.report.warmth > 0.2 && err.report.warmth < 0.8, `warmth ${err.report.warmth}`);
            assert.match(
                err.message,
                /^cache is cold: warmth 0\.\d{3} < minWarmth 0\.95 \(\d+ of 1000 sampled hot keys present\)$/,
            );
            return true;
        });
    });

    it("a warm Redis mostly refused (OOM under noeviction) fails by default, with the numbers", async () => {
        const redis = await smallRedis("noeviction");
        // The first rows fit and the rest are refused. A sample of the first rows written would find every one
        // of them (warmth 1.000); the sample over the whole hot set and the refusals both fail the warm.
        await assert.rejects(warm({ ...base, redis }), (err: unknown) => {
            assert.ok(err instanceof ColdCacheError, String(err));
            const { report } = err;
            assert.ok(report.errors > ROWS / 4, `errors ${report.errors}`);
            assert.equal(report.keysWritten + report.errors, ROWS);
            assert.match(report.firstError ?? "", /^OOM command not allowed/);
            assert.ok(report.warmth < 0.9, `warmth ${report.warmth}`);
            assert.equal(report.verified.sampled, 1000);
            assert.match(
                err.message,
                new RegExp(
                    `^cache is cold: Redis refused ${report.errors} of ${ROWS} writes \\(maxRefused 0\\), first: OOM command not allowed.*; ` +
                        `warmth 0\\.\\d{3} < minWarmth 0\\.95 \\(${report.verified.present} of 1000 sampled hot keys present\\)$`,
                ),
            );
            return true;
        });
    });

    it("maxRefused tolerates that many refused writes and no more", async () => {
        const redis = await smallRedis("noeviction");
        await warm({ ...base, redis, minWarmth: 0, maxRefused: ROWS }); // fill it
        // Now full: every write of 2000 other keys is refused.
        const other = { ...base, query: "SELECT 'other:' || id AS key, value FROM warm_verify_items WHERE id < 2000" };
        const allowed = await warm({ ...other, redis, minWarmth: 0, maxRefused: 2000 });
        assert.equal(allowed.errors, 2000);
        await assert.rejects(warm({ ...other, redis, minWarmth: 0, maxRefused: 1999 }), (err: unknown) => {
            assert.ok(err instanceof ColdCacheError, String(err));
            assert.match(
                err.message,
                /^cache is cold: Redis refused 2000 of 2000 writes \(maxRefused 1999\), first: OOM command not allowed[^;]*$/,
            );
            return true;
        });
    });

    it("a full noeviction cache that already holds the hot set is warm: OOM-refused keys that exist count as present", async () => {
        const redis = await smallRedis("noeviction");
        const client = redisClient(redis);
        try {
            await client.config("SET", "maxmemory", "0");
            await warm({ ...base, redis });
            await client.del("key:7", "key:70", "key:700");
            // At its limit now: Redis refuses every SET … NX with OOM before it looks at the key.
            const used = Number(/^used_memory:(\d+)/m.exec(await client.info("memory"))![1]);
            await client.config("SET", "maxmemory", String(used - 1024 * 1024));
            await assert.rejects(warm({ ...base, redis }), (err: unknown) => {
                assert.ok(err instanceof ColdCacheError, String(err));
                // Only the three keys that are missing count as refused; the rest are present, not cold.
                assert.equal(err.report.errors, 3);
                assert.equal(err.report.skipped.present, ROWS - 3);
                assert.match(
                    err.message,
                    /^cache is cold: Redis refused 3 of 20000 writes \(maxRefused 0\), first: OOM /,
                );
                return true;
            });
            const report = await warm({ ...base, redis, maxRefused: 3 });
            assert.equal(report.skipped.present, ROWS - 3);
            assert.equal(report.keysWritten, 0);
        } finally {
            client.disconnect();
        }
    });

    it("minWarmth is the threshold: the same cold cache passes at 0", async () => {
        const redis = await smallRedis("allkeys-lru");
        const report = await warm({ ...base, redis, minWarmth: 0, acceptEviction: true });
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
                        /warmth 0\.000 < minWarmth 0\.95 \(0 of 0 sampled hot keys present\): the source gave no keys to warm$/,
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

    it("the sample is uniform over the whole stream: every position is as likely to be checked", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 400 }), (size, n) => {
                const sample = new Reservoir<number>(size);
                for (let i = 0; i < n; i++) sample.offer(i);
                assert.equal(sample.items.length, Math.min(size, n));
                assert.equal(new Set(sample.items).size, sample.items.length);
                assert.ok(sample.items.every((item) => item >= 0 && item < n));
            }),
        );
        // 2000 samples of 10 from 100: each position's inclusion rate is 10 / 100, the last ones too.
        const hits = new Array<number>(100).fill(0);
        for (let run = 0; run < 2000; run++) {
            const sample = new Reservoir<number>(10);
            for (let i = 0; i < 100; i++) sample.offer(i);
            for (const i of sample.items) hits[i]++;
        }
        const tenths = Array.from({ length: 10 }, (_, t) => hits.slice(t * 10, t * 10 + 10).reduce((a, b) => a + b));
        for (const count of tenths) assert.ok(count > 1600 && count < 2400, `per tenth: ${tenths.join(", ")}`);
    });

    it("warmth is the fraction of sampled keys present", async () => {
        const { url, redis } = await emptyTarget();
        const client = redisClient(url);
        try {
            const keys = Array.from({ length: 200 }, (_, i) => `v:${i}`);
            await redis.mset(Object.fromEntries(keys.map((key) => [key, "1"])));
            await redis.del(...keys.slice(0, 50));
            const found = keys.map((_, i) => i >= 50);
            assert.deepEqual(await verify(client, keys), { sampled: 200, present: 150, warmth: 0.75, found });
            assert.deepEqual(await verify(client, []), { sampled: 0, present: 0, warmth: 0, found: [] });
        } finally {
            client.disconnect();
            redis.disconnect();
        }
    });
});
