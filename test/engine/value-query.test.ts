// The staleness window (issue: a warm can write back what the application just changed). The ranking query's
// snapshot is as old as the warm is long: a row updated (and its key invalidated, a no-op for a key not yet
// written) while the warm runs is later written with its old value. A value query reads each batch's values
// just before they are written, so the update wins; the report says how old the oldest value written was.
//
// A value query that returns no ttl column keeps each key's ttl from the ranking query: per-row TTLs must not
// silently become the default TTL when values are read fresh (issue 27).
import Redis from "ioredis";
import assert from "node:assert/strict";
import { warm, WarmInputError, type WarmOptions } from "../../warmers";
import { emptyTarget, itemsTable, itemValue, postgresUrl, sql } from "./fixtures";

const ROWS = 3000;

const LAST = `key:${ROWS - 1}`;

const TTL_ROWS = 300;

describe("warm: value query (fresh values per batch)", () => {
    let target: { url: string; redis: Redis };
    let base: WarmOptions;

    beforeEach(async () => {
        await itemsTable("warm_fresh_items", ROWS);
        target = await emptyTarget();
        base = {
            source: await postgresUrl(),
            query: "SELECT key, value FROM warm_fresh_items ORDER BY id",
            redis: target.url,
            ttl: 600,
            // 3000 keys at 3000/s: about a second, so the application's change lands mid-warm.
            rate: 3000,
            batch: 100,
        };
    });
    afterEach(() => target.redis.disconnect());

    /** Runs a warm during which the application updates the last row and deletes the one before it. */
    async function warmWhileAppWrites(options: WarmOptions) {
        let changed: Promise<unknown> | undefined;
        const report = await warm({
            ...options,
            onProgress: () => {
                changed ??= (async () => {
                    await sql("UPDATE warm_fresh_items SET value = 'changed' WHERE key = $1", [LAST]);
                    await sql("DELETE FROM warm_fresh_items WHERE key = $1", [`key:${ROWS - 2}`]);
                })();
            },
        });
        await changed;
        return report;
    }

    it("with the ranking query alone, a row changed mid-warm is written with its snapshot value", async () => {
        const report = await warmWhileAppWrites(base);
        assert.equal(await target.redis.get(LAST), itemValue(ROWS - 1)); // the window this test documents
        assert.equal(await target.redis.get(`key:${ROWS - 2}`), itemValue(ROWS - 2));
        assert.ok(
            report.oldestValueAgeMs !== undefined && report.oldestValueAgeMs >= 500,
            `${report.oldestValueAgeMs}`,
        );
    });

    it("with a value query, each batch's values are read just before the write: the change wins", async () => {
        const report = await warmWhileAppWrites({
            ...base,
            query: "SELECT key FROM warm_fresh_items ORDER BY id",
            valueQuery: "SELECT key, value FROM warm_fresh_items WHERE key = ANY($1)",
        });
        assert.equal(await target.redis.get(LAST), "changed");
        assert.equal(await target.redis.exists(`key:${ROWS - 2}`), 0, "a deleted row is not written");
        assert.equal(report.skipped.null, 1);
        assert.equal(report.keysWritten, ROWS - 1);
        assert.equal(await target.redis.get("key:0"), itemValue(0));
        // Each value's age is one batch's read and write, not the warm's length.
        assert.ok(report.oldestValueAgeMs !== undefined && report.oldestValueAgeMs < report.durationMs / 2);
    });

    it("passes bytea keys to the value query as bytes and matches them byte for byte", async () => {
        await sql("DROP TABLE IF EXISTS warm_fresh_bytes");
        await sql(
            "CREATE TABLE warm_fresh_bytes AS SELECT decode(lpad(to_hex(g), 4, '0') || 'ff00', 'hex') AS k, 'v' || g AS v FROM generate_series(1, 300) g",
        );
        const report = await warm({
            ...base,
            rate: undefined,
            query: "SELECT k AS key FROM warm_fresh_bytes ORDER BY k",
            valueQuery: "SELECT k AS key, v AS value FROM warm_fresh_bytes WHERE k = ANY($1)",
        });
        assert.equal(report.keysWritten, 300);
        assert.equal(report.skipped.null, 0);
        assert.equal(await target.redis.get(Buffer.from("0007ff00", "hex")), "v7");
    });

    it("a value query's ttl column wins over the ranking's; its own columns are checked", async () => {
        await warm({
            ...base,
            query: "SELECT key, 5 AS ttl FROM warm_fresh_items WHERE id < 10",
            valueQuery: "SELECT key, value, 900 AS ttl FROM warm_fresh_items WHERE key = ANY($1)",
            jitter: 0,
        });
        const ttl = await target.redis.ttl("key:3");
        assert.ok(ttl > 890 && ttl <= 900, `ttl ${ttl}`);

        await target.redis.flushdb();
        await assert.rejects(
            warm({
                ...base,
                query: "SELECT key FROM warm_fresh_items",
                valueQuery: "SELECT key FROM warm_fresh_items WHERE key = ANY($1)",
            }),
            (err: unknown) => {
                assert.ok(err instanceof WarmInputError, String(err));
                assert.equal(err.field, "valueQuery");
                assert.match(err.message, /must return columns "key" and "value"/);
                return true;
            },
        );
        assert.equal(await target.redis.dbsize(), 0);
    });

    it("refuses a value query without $1, for a source that is not postgres, and a ranking without key", async () => {
        const cases: [Partial<WarmOptions>, string, RegExp][] = [
            [{ valueQuery: "SELECT key, value FROM warm_fresh_items" }, "valueQuery", /takes the batch's keys as \$1/],
            [
                { source: "hot.jsonl", query: undefined, valueQuery: "SELECT $1" },
                "valueQuery",
                /only for a postgres source/,
            ],
            [
                {
                    query: "SELECT id FROM warm_fresh_items",
                    valueQuery: "SELECT key, value FROM warm_fresh_items WHERE key = ANY($1)",
                },
                "query",
                /must return columns "key" \(and optionally "ttl"\); it returns "id"/,
            ],
        ];
        for (const [change, field, pattern] of cases) {
            await assert.rejects(warm({ ...base, ...change }), (err: unknown) => {
                assert.ok(err instanceof WarmInputError, String(err));
                assert.equal(err.field, field);
                assert.match(err.message, pattern);
                return true;
            });
        }
        assert.equal(await target.redis.dbsize(), 0);
    });
});

describe("warm: value query without a ttl column", () => {
    let target: { url: string; redis: Redis };

    before(async () => {
        await sql("DROP TABLE IF EXISTS warm_vq_ttl");
        // Row i lives 1000 + 10·i seconds; every tenth row has no ttl of its own (the default applies).
        await sql(
            `CREATE TABLE warm_vq_ttl AS SELECT g AS id, 'vq:' || g AS key, 'value:' || g AS value,
             CASE WHEN g % 10 = 0 THEN NULL ELSE 1000 + 10 * g END AS ttl FROM generate_series(0, $1::int - 1) AS g`,
            [TTL_ROWS],
        );
    });
    beforeEach(async () => (target = await emptyTarget()));
    afterEach(() => target.redis.disconnect());

    it("writes each key with the ranking query's ttl, the default where the row has none", async () => {
        const report = await warm({
            source: await postgresUrl(),
            query: "SELECT key, ttl FROM warm_vq_ttl ORDER BY id",
            valueQuery: "SELECT key, value FROM warm_vq_ttl WHERE key = ANY($1)",
            redis: target.url,
            ttl: 600,
            jitter: 0,
            batch: 50,
        });
        assert.equal(report.keysWritten, TTL_ROWS);
        const pipeline = target.redis.pipeline();
        for (let i = 0; i < TTL_ROWS; i++) pipeline.ttl(`vq:${i}`);
        const ttls = (await pipeline.exec())!.map(([, ttl]) => ttl as number);
        ttls.forEach((ttl, i) => {
            const expected = i % 10 === 0 ? 600 : 1000 + 10 * i;
            assert.ok(ttl > expected - 10 && ttl <= expected, `vq:${i}: ttl ${ttl}, expected ${expected}`);
        });
        assert.equal(await target.redis.get("vq:7"), "value:7");
    });
});
