// Partitioned warms (`partition: "I/N"`): the N shares of every source are disjoint and together the whole hot
// set. The proof is the NX count: all N shares warm ONE empty target at once, so a key two shares both wrote would
// be counted as already present by the later one; every share reporting none present, their written counts adding
// up to the hot set and the target holding exactly it means each key was warmed exactly once.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import Redis from "ioredis";
import { warm, type WarmOptions } from "../../warmers";
import { SLOTS } from "../../warmers/engine/cluster/key-slot";
import { WarmInputError } from "../../warmers/engine/errors";
import {
    parsePartition,
    partitionQuery,
    shareOfKey,
    shareOfSlot,
    type Partition,
} from "../../warmers/engine/partition";
import type { WarmReport } from "../../warmers/engine/report";
import { startRedis, type RedisServer } from "../../warmers/local/servers";
import { redisClient, useRedisCluster } from "../support/servers";
import { postgresUrl, sql } from "./fixtures";

/** Every share of `count` warmed at once with `options`; the reports in share order. */
function allShares(count: number, options: WarmOptions): Promise<WarmReport[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => warm({ ...options, partition: `${i + 1}/${count}` })));
}

/** The NX proof (see the file's comment) over `reports`, for a hot set of `expected` distinct keys. */
function assertEachOnce(reports: WarmReport[], expected: number): void {
    reports.forEach((report, i) => {
        assert.equal(report.partition, `${i + 1}/${reports.length}`);
        assert.equal(report.skipped.present, 0, `share ${report.partition} met keys another share wrote`);
        assert.ok(report.keysWritten > 0, `share ${report.partition} warmed nothing: the split is lopsided`);
        // Verify runs per share: over that share's own keys, all present.
        assert.equal(report.verified.sampled, Math.min(report.keysWritten, 1000));
        assert.equal(report.warmth, 1);
    });
    assert.equal(
        reports.reduce((sum, report) => sum + report.keysWritten, 0),
        expected,
    );
}

describe("warm: partitions", function () {
    this.timeout(120_000);

    describe("the split", () => {
        it("reads I/N and refuses anything else naming partition and what it allows", () => {
            assert.deepEqual(parsePartition("1/1"), { index: 1, count: 1 });
            assert.deepEqual(parsePartition("2/4"), { index: 2, count: 4 });
            assert.deepEqual(parsePartition("16384/16384"), { index: 16384, count: 16384 });
            for (const bad of ["0/4", "5/4", "2/", "/4", "a/b", " 1/2", "1/2 ", "01/2", "1.5/2", "1/16385", "-1/2"]) {
                assert.throws(
                    () => parsePartition(bad),
                    (err: unknown) =>
                        err instanceof WarmInputError &&
                        err.message ===
                            `partition: I/N with whole numbers 1 ≤ I ≤ N ≤ 16,384 (2/4: the second of four shares); given ${JSON.stringify(bad)}`,
                    bad,
                );
            }
            assert.throws(
                () => parsePartition(2),
                (err: Error) => /^partition: I\/N .*; given 2$/.test(err.message),
            );
        });

        it("hash slots fall into contiguous shares, every share owning some, in order", () => {
            fc.assert(
                fc.property(fc.integer({ min: 1, max: SLOTS }), (count) => {
                    const owned = new Array<number>(count + 1).fill(0);
                    let previous = 1;
                    for (let slot = 0; slot < SLOTS; slot++) {
                        const share = shareOfSlot(slot, count);
                        assert.ok(share >= previous && share <= count);
                        owned[share]++;
                        previous = share;
                    }
                    assert.ok(owned.slice(1).every((n) => n > 0));
                }),
                { numRuns: 40 },
            );
        });

        it("a key's share is within 1…N and the shares are even", () => {
            fc.assert(
                fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 64 }), (key, count) => {
                    const share = shareOfKey(key, count);
                    assert.ok(share >= 1 && share <= count);
                }),
            );
            const counts = [0, 0, 0, 0];
            for (let i = 0; i < 40_000; i++) counts[shareOfKey(`key:${i}`, 4) - 1]++;
            for (const n of counts) assert.ok(Math.abs(n - 10_000) < 600, `uneven shares: ${counts.join(", ")}`);
        });

        it("the query's own trailing semicolon and LIMIT stay inside the share's query", () => {
            const sharp: Partition = { index: 2, count: 3 };
            const text = partitionQuery("SELECT key, value FROM t ORDER BY hits DESC LIMIT 10;  \n", sharp, 5);
            assert.ok(!text.includes(";"));
            assert.match(text, /LIMIT 10\n\) AS warmstack_ranked LIMIT 5\n/);
            assert.match(text, /% 3\) \+ 3\) % 3 = 1$/);
        });
    });

    describe("against real servers", () => {
        let target: RedisServer;
        let reader: Redis;

        before(async () => {
            target = await startRedis();
            reader = redisClient(target.url);
        });
        after(async () => {
            reader?.disconnect();
            await target?.stop();
        });
        beforeEach(() => reader.flushall());

        it("postgres: the shares, cut in the database, warm the first `top` rows' keys exactly once", async () => {
            // Keys repeat (g % 4000): a repeated key must stay in one share, deduplicated there.
            await sql("DROP TABLE IF EXISTS part_items");
            await sql(
                `CREATE TABLE part_items AS SELECT g AS hits, 'key:' || (g % 4000) AS key, 'value:' || g AS value,
                 600 AS ttl FROM generate_series(1, 5000) AS g`,
            );
            const query = "SELECT key, value, ttl FROM part_items ORDER BY hits DESC LIMIT 4800;";
            const top = 4500;
            const [{ distinct }] = await sql<{ distinct: string }>(
                `SELECT count(DISTINCT key) AS distinct FROM (SELECT * FROM part_items ORDER BY hits DESC LIMIT ${top}) t`,
            );
            const reports = await allShares(3, { source: await postgresUrl(), query, top, redis: target.url });
            assertEachOnce(reports, Number(distinct));
            // Rows of other shares never reach the warm: the shares' rows add up to the hot set's rows.
            assert.equal(
                reports.reduce((sum, r) => sum + r.rowsRead, 0),
                top,
            );
            assert.equal(await reader.dbsize(), Number(distinct));
            // The hottest row of a repeated key is the one written, as in one run: key:999 is hits 4999 and 999.
            assert.equal(await reader.get("key:999"), "value:4999");
            // TTL jitter works within a share: one share's TTLs spread around 600.
            const ttls = new Set(
                await Promise.all(["key:1", "key:2", "key:3", "key:5", "key:8"].map((k) => reader.ttl(k))),
            );
            assert.ok(ttls.size > 1 && [...ttls].every((ttl) => ttl >= 539 && ttl <= 660), [...ttls].join(", "));
        });

        it("file: each share keeps its keys' lines; a dry run of a share reports that share", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-part-"));
            try {
                const file = path.join(dir, "hot.jsonl");
                const lines = Array.from({ length: 3000 }, (_, i) =>
                    JSON.stringify({ key: `k${i % 2500}`, value: `${i}` }),
                );
                fs.writeFileSync(file, `${lines.join("\n")}\n\n`);
                const reports = await allShares(4, { source: file, redis: target.url, ttl: 60, top: 2800 });
                assertEachOnce(reports, 2500);
                assert.equal(
                    reports.reduce((sum, r) => sum + r.rowsRead, 0),
                    2800,
                );
                assert.equal(await reader.get("k7"), "7"); // the first line of a repeated key wins
                const dry = await warm({ source: file, redis: target.url, partition: "3/4", dryRun: true });
                assert.equal(dry.partition, "3/4");
                assert.equal(dry.entries.count, reports[2].keysWritten);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("redis source: the shares split the hottest keys by hash slot", async () => {
            const source = await startRedis();
            const seed = redisClient(source.url);
            try {
                const keys = Array.from({ length: 2000 }, (_, i) => `{u${i % 97}}:${i}`);
                await seed.mset(keys.flatMap((key) => [key, key.toUpperCase()]));
                const reports = await allShares(3, { source: source.url, redis: target.url });
                assertEachOnce(reports, 2000);
                for (const report of reports) assert.equal(report.total, report.rowsRead);
                assert.equal(await reader.get("{u5}:5"), "{U5}:5");
            } finally {
                seed.disconnect();
                await source.stop();
            }
        });
    });

    describe("into a Redis Cluster", () => {
        const redis = useRedisCluster({ primaries: 3 });

        it("four shares at once warm every key once across the primaries", async () => {
            await sql("DROP TABLE IF EXISTS part_cluster");
            await sql(
                `CREATE TABLE part_cluster AS SELECT g AS hits, 'c:' || g AS key, 'v' || g AS value
                 FROM generate_series(1, 6000) AS g`,
            );
            const reports = await allShares(4, {
                source: await postgresUrl(),
                query: "SELECT key, value FROM part_cluster ORDER BY hits DESC",
                redis: redis.cluster.url,
                cluster: true,
                ttl: 300,
            });
            assertEachOnce(reports, 6000);
            const sizes = await Promise.all(redis.reader.nodes("master").map((node) => node.dbsize()));
            assert.equal(
                sizes.reduce((a, b) => a + b, 0),
                6000,
            );
            assert.equal(await redis.reader.get("c:4242"), "v4242");
        });
    });

    it("the library refuses a bad partition before connecting to anything", async () => {
        await assert.rejects(
            warm({ source: "nowhere.jsonl", redis: "redis://127.0.0.1:1", partition: "3/2" }),
            (err: unknown) =>
                err instanceof WarmInputError && err.field === "partition" && /given "3\/2"$/.test(err.message),
        );
    });
});
