// The partitioned warm at run time: the deploy's own fan-out (direct mode, real PostgreSQL and Redis on loopback)
// warms every key once with at most maxConcurrency partitions at once, and the verify step — the state machine's
// last — judges the partitions' outputs together.
import { strict as assert } from "node:assert";
import Redis from "ioredis";
import { Client } from "pg";
import type { PrewarmOutputs } from "../../model/prewarm-contract";
import { WarmInputError } from "../../warmers/engine/errors";
import { handler, prewarm } from "../../warmers/prewarm/handler";
import { boundedAll, combinePartitions, partitionInputs } from "../../warmers/prewarm/partitions";
import { sleep } from "../../warmers/timeout";
import { startRedis, testPostgres, type PostgresServer, type RedisServer } from "../support/servers";
import { loopbackInputs } from "./support";

const ROWS = 3000;

const outputs = (over: Partial<PrewarmOutputs>): PrewarmOutputs => ({
    replicationGroupId: "rg",
    rowsRead: 100,
    keysWritten: 100,
    skippedPresent: 0,
    skippedDuplicate: 0,
    skippedNull: 0,
    skippedTooLarge: 0,
    errors: 0,
    warmth: 1,
    durationMs: 1000,
    keysPerSecond: 100,
    oldestValueAgeMs: 10,
    lastWarmedAt: "2027-11-26T04:30:10.000Z",
    blocksLoaded: {},
    ...over,
});

describe("partitioned warm at run time", function () {
    this.timeout(120_000);

    it("runs at most `limit` at once, every item once, and fails with the first failure", async () => {
        let running = 0;
        let most = 0;
        const seen: number[] = [];
        const results = await boundedAll([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
            most = Math.max(most, ++running);
            await sleep(20);
            running--;
            seen.push(n);
            return n * 10;
        });
        assert.deepEqual(results, [10, 20, 30, 40, 50, 60, 70]);
        assert.equal(most, 3);
        assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
        await assert.rejects(
            boundedAll([1, 2, 3], 2, async (n) => {
                if (n === 2) throw new Error("share 2 failed");
                return n;
            }),
            /share 2 failed/,
        );
    });

    it("only the first partition runs the setup and the replicas' buffers", () => {
        const parts = partitionInputs({
            ...loopbackInputs(
                { host: "h", port: 1 } as RedisServer,
                { host: "p", port: 2, database: "d" } as PostgresServer,
                {
                    replicationGroupId: "rg",
                    user: "warmer",
                    query: "SELECT 1",
                    topKeys: 10,
                },
            ),
            partitions: 3,
            adminUser: "master",
            adminPassword: "pw",
            primaryHost: "primary",
            relations: ["catalog.products"],
        });
        assert.deepEqual(
            parts.map((p) => [p.partition, p.adminUser, p.primaryHost, p.relations]),
            [
                ["1/3", "master", "primary", ["catalog.products"]],
                ["2/3", undefined, undefined, []],
                ["3/3", undefined, undefined, []],
            ],
        );
    });

    it("verify: the partitions' outputs as one, keys-weighted; a cold or missing partition fails naming it", async () => {
        const one = outputs({ keysWritten: 300, warmth: 1, durationMs: 2000, blocksLoaded: { r1: { t: 5 } } });
        const two = outputs({ keysWritten: 90, skippedPresent: 10, warmth: 0.96, oldestValueAgeMs: 99 });
        const combined = await handler({ kind: "verify", reports: [one, two], minWarmth: 0.95 });
        assert.equal(combined.keysWritten, 390);
        assert.equal(combined.skippedPresent, 10);
        assert.equal(combined.warmth, (300 * 1 + 100 * 0.96) / 400);
        assert.deepEqual([combined.durationMs, combined.oldestValueAgeMs, combined.keysPerSecond], [2000, 99, 195]);
        assert.deepEqual(combined.blocksLoaded, { r1: { t: 5 } });
        await assert.rejects(
            handler({ kind: "verify", reports: [one, outputs({ warmth: 0.5 })], minWarmth: 0.95 }),
            (err: unknown) =>
                err instanceof WarmInputError &&
                err.message ===
                    "minWarmth: the hot set is cold: warmth 0.875 over 2 partitions < 0.95; colder partitions: 2/2",
        );
        assert.throws(
            () => combinePartitions({ reports: [one], minWarmth: 0.9 }, 2),
            /one per partition \(2\); given 1/,
        );
    });

    describe("the deploy's own fan-out (direct mode)", () => {
        let redis: RedisServer;
        let pg: PostgresServer;
        let client: Redis;

        before(async () => {
            [redis, pg] = await Promise.all([startRedis(), testPostgres()]);
            client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
            await client.connect();
            const db = new Client({ host: pg.host, port: pg.port, user: pg.user, database: pg.database });
            await db.connect();
            await db.query(`DROP TABLE IF EXISTS fanout_items;
                CREATE TABLE fanout_items AS SELECT 'f:' || g AS key, 'v' || g AS value, g AS hits FROM generate_series(1, ${ROWS}) g`);
            await db.end();
        });
        after(async () => {
            client?.disconnect();
            await redis?.stop();
        });

        it("warms each key once over 4 partitions, 2 at once, and reports them as one", async () => {
            const inputs = loopbackInputs(redis, pg, {
                replicationGroupId: "rg",
                user: pg.user,
                query: "SELECT key, value FROM fanout_items ORDER BY hits DESC",
                topKeys: ROWS,
            });
            const outs = await prewarm({ ...inputs, partitions: 4, maxConcurrency: 2 });
            assert.equal(outs.keysWritten, ROWS);
            assert.equal(outs.skippedPresent, 0, "a key warmed by two partitions");
            assert.equal(outs.rowsRead, ROWS);
            assert.equal(outs.warmth, 1);
            assert.equal(await client.dbsize(), ROWS);
            // Again: every key is there, so every partition finds its keys present and writes none.
            const again = await prewarm({ ...inputs, partitions: 4, maxConcurrency: 2 });
            assert.deepEqual([again.keysWritten, again.skippedPresent], [0, ROWS]);
        });
    });
});
