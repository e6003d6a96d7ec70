// A value query that returns no ttl column keeps each key's ttl from the ranking query: per-row TTLs must not
// silently become the default TTL when values are read fresh (issue 27).
import assert from "node:assert/strict";
import type Redis from "ioredis";
import { warm } from "../../warmers";
import { emptyTarget, postgresUrl, sql } from "./fixtures";

const ROWS = 300;

describe("warm: value query without a ttl column", () => {
    let target: { url: string; redis: Redis };

    before(async () => {
        await sql("DROP TABLE IF EXISTS warm_vq_ttl");
        // Row i lives 1000 + 10·i seconds; every tenth row has no ttl of its own (the default applies).
        await sql(
            `CREATE TABLE warm_vq_ttl AS SELECT g AS id, 'vq:' || g AS key, 'value:' || g AS value,
             CASE WHEN g % 10 = 0 THEN NULL ELSE 1000 + 10 * g END AS ttl FROM generate_series(0, $1::int - 1) AS g`,
            [ROWS],
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
        assert.equal(report.keysWritten, ROWS);
        const pipeline = target.redis.pipeline();
        for (let i = 0; i < ROWS; i++) pipeline.ttl(`vq:${i}`);
        const ttls = (await pipeline.exec())!.map(([, ttl]) => ttl as number);
        ttls.forEach((ttl, i) => {
            const expected = i % 10 === 0 ? 600 : 1000 + 10 * i;
            assert.ok(ttl > expected - 10 && ttl <= expected, `vq:${i}: ttl ${ttl}, expected ${expected}`);
        });
        assert.equal(await target.redis.get("vq:7"), "value:7");
    });
});
