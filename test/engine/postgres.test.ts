// The postgres source end to end: rows streamed into a real Redis, NX against live traffic, TTL jitter
// measured on the written keys, the rate limit, skips, byte-exact bytea, and a database that is only read.
import assert from "node:assert/strict";
import type Redis from "ioredis";
import { warm, WarmInputError, type WarmOptions } from "../../warmers";
import { redisBytesPerKey } from "../../model/redis-memory";
import { emptyTarget, itemsTable, itemValue, postgresUrl, sql } from "./fixtures";

const ROWS = 5000;

describe("warm: postgres source", () => {
    let target: { url: string; redis: Redis };
    let base: WarmOptions;

    before(async () => {
        await itemsTable("warm_pg_items", ROWS);
    });
    beforeEach(async () => {
        target = await emptyTarget();
        base = {
            source: await postgresUrl(),
            query: "SELECT key, value FROM warm_pg_items ORDER BY id",
            redis: target.url,
            ttl: 600,
        };
    });
    afterEach(() => target.redis.disconnect());

    it("streams every row into Redis and reports the counts and warmth", async () => {
        const progress: number[] = [];
        const report = await warm({ ...base, batch: 500, onProgress: (p) => progress.push(p.rowsRead) });
        assert.equal(report.rowsRead, ROWS);
        assert.equal(report.keysWritten, ROWS);
        assert.deepEqual(report.skipped, { present: 0, duplicate: 0, null: 0, tooLarge: 0 });
        assert.equal(report.errors, 0);
        assert.deepEqual(report.verified, { sampled: 1000, present: 1000 });
        assert.equal(report.warmth, 1);
        assert.ok(report.durationMs > 0, "a warm of rows takes time");
        assert.equal(report.keysPerSecond, Math.round(ROWS / (report.durationMs / 1000)));
        assert.deepEqual(progress, [...Array.from({ length: ROWS / 500 }, (_, i) => (i + 1) * 500), ROWS]);
        assert.equal(await target.redis.dbsize(), ROWS);
        const keys = Array.from({ length: ROWS }, (_, i) => `key:${i}`);
        assert.deepEqual(
            await target.redis.mget(keys),
            keys.map((_, i) => itemValue(i)),
        );
    });

    it("reads only the top N rows, hottest first", async () => {
        const report = await warm({
            ...base,
            query: "SELECT key, value FROM warm_pg_items ORDER BY hits DESC",
            top: 10,
            batch: 3,
        });
        assert.equal(report.rowsRead, 10);
        const expected = Array.from({ length: 10 }, (_, i) => `key:${ROWS - 1 - i}`).sort();
        assert.deepEqual((await target.redis.keys("*")).sort(), expected);
    });

    it("takes each row's ttl column, and the default TTL where it is null", async () => {
        const query =
            "SELECT key, value, CASE WHEN id % 2 = 0 THEN 100 + id END AS ttl FROM warm_pg_items WHERE id < 10";
        await warm({ ...base, query, ttl: 5000, jitter: 0 });
        for (let i = 0; i < 10; i++) {
            const ttl = await target.redis.ttl(`key:${i}`);
            const expected = i % 2 === 0 ? 100 + i : 5000;
            assert.ok(ttl <= expected && ttl >= expected - 2, `key:${i} ttl ${ttl}, expected ${expected}`);
        }
    });

    it("jitters per-row TTLs too: keys with the same ttl column do not all expire in the same second", async () => {
        const query = "SELECT key, value, 1000 AS ttl FROM warm_pg_items WHERE id < 1000";
        await warm({ ...base, query, ttl: 50, jitter: 0.2 });
        const pipeline = target.redis.pipeline();
        for (let i = 0; i < 1000; i++) pipeline.ttl(`key:${i}`);
        const ttls = (await pipeline.exec())!.map(([, ttl]) => ttl as number);
        // The row's 1000 s, not the default 50 s, spread over 800..1200 s.
        assert.ok(
            Math.min(...ttls) >= 800 - 2 && Math.max(...ttls) <= 1200,
            `${Math.min(...ttls)}..${Math.max(...ttls)}`,
        );
        assert.ok(new Set(ttls).size > 200, `only ${new Set(ttls).size} distinct TTLs`);
    });

    it("spreads TTLs uniformly within ± jitter (measured with TTL on the written keys)", async () => {
        const ttls = async () => {
            const pipeline = target.redis.pipeline();
            for (let i = 0; i < 2000; i++) pipeline.ttl(`key:${i}`);
            return (await pipeline.exec())!.map(([, ttl]) => ttl as number);
        };
        const query = "SELECT key, value FROM warm_pg_items WHERE id < 2000";
        await warm({ ...base, query, ttl: 1000, jitter: 0.2 });
        const spread = await ttls();
        const mean = spread.reduce((a, b) => a + b, 0) / spread.length;
        const sd = Math.sqrt(spread.reduce((a, b) => a + (b - mean) ** 2, 0) / spread.length);
        assert.ok(
            Math.min(...spread) >= 800 - 2 && Math.max(...spread) <= 1200,
            `range ${Math.min(...spread)}..${Math.max(...spread)}`,
        );
        assert.ok(Math.min(...spread) < 830 && Math.max(...spread) > 1170, "the whole ± 20 % band is used");
        assert.ok(new Set(spread).size > 250, `only ${new Set(spread).size} distinct TTLs`);
        assert.ok(sd > 90 && sd < 140, `standard deviation ${sd.toFixed(1)} s (uniform over ±200 s: ≈ 115)`);

        // Without jitter every key would expire in the same second: the stampede the spread prevents.
        await target.redis.flushdb();
        await warm({ ...base, query, ttl: 1000, jitter: 0 });
        assert.ok(new Set(await ttls()).size <= 2);
    });

    it("never overwrites what live traffic wrote, before or during the warm; --overwrite does", async () => {
        const rows = 3000;
        const query = `SELECT key, value FROM warm_pg_items WHERE id < ${rows} ORDER BY id`;
        // Live traffic got to keys 0..99 first, and keeps writing 1000..1099 while the warm runs.
        for (let i = 0; i < 100; i++) await target.redis.set(`key:${i}`, "live");
        let warming = true;
        let liveWrites = 0;
        const live = (async () => {
            while (warming) {
                await target.redis.set(`key:${1000 + (liveWrites % 100)}`, "live");
                liveWrites++;
            }
        })();
        const report = await warm({ ...base, query, rate: 3000 }).finally(() => (warming = false));
        await live;
        assert.ok(liveWrites >= 100, `live traffic wrote ${liveWrites} times during the warm`);
        assert.equal(report.keysWritten + report.skipped.present, rows);
        assert.ok(report.skipped.present >= 100, `skipped ${report.skipped.present}`);
        for (let i = 0; i < 100; i++) {
            assert.equal(await target.redis.get(`key:${i}`), "live");
            assert.equal(await target.redis.get(`key:${1000 + i}`), "live");
        }
        assert.equal(await target.redis.get("key:500"), itemValue(500));

        const forced = await warm({ ...base, query, overwrite: true });
        assert.equal(forced.keysWritten, rows);
        assert.equal(forced.skipped.present, 0);
        assert.equal(await target.redis.get("key:0"), itemValue(0));
    });

    it("honours the rate limit", async () => {
        const query = "SELECT key, value FROM warm_pg_items WHERE id < 3000";
        const unlimited = await warm({ ...base, query });
        await target.redis.flushdb();
        const limited = await warm({ ...base, query, rate: 2000 });
        // 3000 keys at 2000/s: at least 1.5 s, less one batch (100 ms of the rate) sent before the clock runs.
        assert.ok(limited.durationMs >= 1400 - 20, `rate-limited warm took ${limited.durationMs} ms`);
        assert.ok(
            unlimited.durationMs < 1400,
            `unlimited warm took ${unlimited.durationMs} ms: the bound proves nothing`,
        );
        assert.equal(limited.keysWritten, 3000);
    });

    it("counts a source's repeated keys apart, writes the first (hottest) row and samples each key once", async () => {
        await target.redis.set("key:9", "live");
        const query = `SELECT key, value FROM warm_pg_items WHERE id < 10
                       UNION ALL SELECT key, 'again' FROM warm_pg_items WHERE id < 3`;
        const report = await warm({ ...base, query });
        assert.equal(report.rowsRead, 13);
        // Only key:9 was live traffic's; the three repeats are the source's own.
        assert.deepEqual(report.skipped, { present: 1, duplicate: 3, null: 0, tooLarge: 0 });
        assert.equal(report.keysWritten, 9);
        assert.deepEqual(report.verified, { sampled: 10, present: 10 });
        assert.equal(await target.redis.get("key:0"), itemValue(0));
    });

    it("skips and counts null values and values over maxValueBytes", async () => {
        const query = `SELECT key, CASE WHEN id < 5 THEN NULL WHEN id < 8 THEN repeat('x', 2000) ELSE value END AS value
                       FROM warm_pg_items WHERE id < 20
                       UNION ALL SELECT NULL, 'orphan'`;
        const report = await warm({ ...base, query, maxValueBytes: 1000 });
        assert.equal(report.rowsRead, 21);
        assert.deepEqual(report.skipped, { present: 0, duplicate: 0, null: 6, tooLarge: 3 });
        assert.equal(report.keysWritten, 12);
        assert.equal(await target.redis.exists("key:0", "key:5", "key:7"), 0);
        assert.equal(await target.redis.get("key:8"), itemValue(8));
    });

    it("round-trips bytea keys and values byte for byte (NUL, 0xff, invalid UTF-8), and UTF-8 text", async () => {
        const rows: [Buffer, Buffer][] = [
            [Buffer.from([0x00, 0x01, 0xff]), Buffer.from([0x00, 0x00, 0xc3, 0x28, 0xff, 0xfe])],
            [Buffer.from("bin:\xe9", "latin1"), Buffer.alloc(300, 0x80)],
            [Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0x0d, 0x0a, 0x24, 0x2d, 0x31, 0x0d, 0x0a])], // CRLF "$-1" CRLF inside a value
        ];
        for (let i = 0; i < 200; i++)
            rows.push([
                Buffer.from(`rnd:${i}`),
                Buffer.from(Array.from({ length: 64 }, (_, j) => (i * 31 + j * 7) % 256)),
            ]);
        await sql("DROP TABLE IF EXISTS warm_pg_bytes");
        await sql("CREATE TABLE warm_pg_bytes (k bytea, v bytea)");
        await sql("INSERT INTO warm_pg_bytes SELECT * FROM unnest($1::bytea[], $2::bytea[])", [
            rows.map(([k]) => k),
            rows.map(([, v]) => v),
        ]);
        assert.deepEqual(await sql("SELECT count(*)::int AS n FROM warm_pg_bytes"), [{ n: rows.length }]);
        const report = await warm({ ...base, query: "SELECT k AS key, v AS value FROM warm_pg_bytes" });
        assert.equal(report.keysWritten, rows.length);
        for (const [k, v] of rows)
            assert.deepEqual(await target.redis.getBuffer(k), v, `value of ${k.toString("hex")}`);

        await warm({ ...base, query: "SELECT 'ключ:🔥' AS key, 'värde ✓ 𝄞' AS value" });
        assert.equal(await target.redis.get("ключ:🔥"), "värde ✓ 𝄞");
    });

    it("only reads the database: writes fail inside the READ ONLY transaction", async () => {
        await warm({ ...base, query: "SELECT 'read-only' AS key, current_setting('transaction_read_only') AS value" });
        assert.equal(await target.redis.get("read-only"), "on");

        const before = await sql<{ n: string }>("SELECT count(*) AS n FROM warm_pg_items");
        const writing =
            "INSERT INTO warm_pg_items (id, key, value, hits) VALUES (-1, 'k', 'v', 0) RETURNING key, value";
        await assert.rejects(warm({ ...base, query: writing }), (err: unknown) => {
            assert.ok(err instanceof WarmInputError);
            assert.match(err.message, /^query: cannot execute INSERT in a read-only transaction/);
            return true;
        });
        assert.deepEqual(await sql("SELECT count(*) AS n FROM warm_pg_items"), before);
        assert.equal(await target.redis.dbsize(), 1);
    });

    it("a dry run reads and reports but writes nothing", async () => {
        await target.redis.set("key:0", "live");
        const report = await warm({ ...base, dryRun: true });
        assert.equal(report.dryRun, true);
        assert.equal(report.rowsRead, ROWS);
        assert.equal(report.keysWritten, 0);
        assert.equal(report.verified.sampled, 1000); // drawn from all 5000: key:0, the one present, rarely among them
        assert.ok(report.verified.present <= 1);
        assert.equal(await target.redis.dbsize(), 1);
    });

    it("a dry run reports the mean and largest entry and the memory the hot set takes in Redis", async () => {
        // key:<i> (5 to 8 bytes) + 200 bytes; one row made larger.
        const query = `SELECT key, CASE WHEN id = 7 THEN repeat('x', 5000) ELSE value END AS value
                       FROM warm_pg_items WHERE id < 100`;
        const report = await warm({ ...base, query, dryRun: true });
        const keyBytes = Array.from({ length: 100 }, (_, i) => `key:${i}`.length).reduce((a, b) => a + b);
        const total = keyBytes + 99 * 200 + 5000;
        assert.deepEqual(report.entries, {
            count: 100,
            meanBytes: Math.round(total / 100),
            largest: { key: "key:7", bytes: 5 + 5000 },
            redisBytes: 100 * redisBytesPerKey(Math.round(total / 100)),
        });
        assert.equal(await target.redis.dbsize(), 0);
    });
});
