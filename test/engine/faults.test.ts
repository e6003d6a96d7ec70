// Redis dies in the middle of a warm: the warm fails saying how far it got, nothing written is partial or
// corrupt, and after a restart the same warm completes (keys already there are skipped).
import assert from "node:assert/strict";
import type Redis from "ioredis";
import { warm, WarmIncompleteError, type WarmOptions } from "../../warmers";
import { startRedis, type RedisServer, redisClient } from "../support/servers";
import { itemsTable, itemValue, postgresUrl } from "./fixtures";

const ROWS = 60_000;

describe("warm: Redis killed mid-warm", () => {
    let server: RedisServer;
    let options: WarmOptions;

    before(async () => {
        await itemsTable("warm_fault_items", ROWS);
        // appendfsync always: every acknowledged write survives SIGKILL, so the restart shows what landed.
        server = await startRedis({ args: ["--appendonly", "yes", "--appendfsync", "always"] });
        options = {
            source: await postgresUrl(),
            query: "SELECT key, value FROM warm_fault_items ORDER BY id",
            redis: server.url,
            ttl: 3600,
            retries: 2,
            retryBackoffMs: 50,
        };
    });
    after(() => server.stop());

    /** Every key in Redis holds exactly its source value: none partial, none corrupt. */
    async function assertIntact(redis: Redis): Promise<number> {
        let found = 0;
        for (let start = 0; start < ROWS; start += 5000) {
            const ids = Array.from({ length: Math.min(5000, ROWS - start) }, (_, i) => start + i);
            const values = await redis.mget(ids.map((id) => `key:${id}`));
            values.forEach((value, i) => {
                if (value === null) return;
                found++;
                assert.equal(value, itemValue(ids[i]), `key:${ids[i]}`);
            });
        }
        assert.equal(await redis.dbsize(), found, "no keys other than the source's");
        return found;
    }

    it("fails with WarmIncompleteError and its progress; a re-run after restart completes with every value intact", async function () {
        this.timeout(40_000);
        let killing: Promise<void> | undefined;
        const started = Date.now();
        await assert.rejects(
            warm({
                ...options,
                rate: 30_000, // about 2 s for the whole warm: the kill lands in the middle
                onProgress: (progress) => {
                    if (!killing && progress.keysWritten >= 10_000) killing = server.kill();
                },
            }),
            (err: unknown) => {
                assert.ok(err instanceof WarmIncompleteError, String(err));
                const { rowsRead, keysWritten } = err.progress;
                assert.ok(keysWritten >= 10_000 && keysWritten < ROWS, `keysWritten ${keysWritten}`);
                assert.ok(rowsRead >= keysWritten && rowsRead < ROWS, `rowsRead ${rowsRead}`);
                assert.match(
                    err.message,
                    new RegExp(
                        `^warm incomplete after reading ${rowsRead} rows and writing ${keysWritten} keys: Redis still failing after 2 retries \\(.*(ECONNREFUSED|closed).*\\); re-run to finish`,
                    ),
                );
                return true;
            },
        );
        assert.ok(killing, "the server was killed during the warm");
        await killing;
        assert.ok(Date.now() - started < 15_000, "the warm gave up within its retry budget");

        await server.restart();
        const redis = redisClient(server.url);
        try {
            const survived = await assertIntact(redis);
            assert.ok(survived >= 10_000 && survived < ROWS, `${survived} keys survived the kill`);

            const report = await warm(options);
            assert.equal(report.keysWritten + report.skipped.present, ROWS);
            assert.equal(report.skipped.present, survived);
            assert.equal(report.warmth, 1);
            assert.equal(await assertIntact(redis), ROWS);
        } finally {
            redis.disconnect();
        }
    });
});

describe("warm: its Redis connections dropped mid-warm (the server stays up)", () => {
    it("reopens and finishes: every key once, every value intact", async function () {
        this.timeout(40_000);
        await itemsTable("warm_drop_items", ROWS);
        const server = await startRedis();
        const admin = redisClient(server.url);
        try {
            let dropped: Promise<unknown> | undefined;
            const report = await warm({
                source: await postgresUrl(),
                query: "SELECT key, value FROM warm_drop_items ORDER BY id",
                redis: server.url,
                ttl: 3600,
                retries: 2,
                retryBackoffMs: 50,
                rate: 30_000, // about 2 s for the whole warm: the drop lands in the middle
                onProgress: (progress) => {
                    if (!dropped && progress.keysWritten >= 10_000)
                        dropped = admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                },
            });
            assert.ok(dropped, "the connections were dropped during the warm");
            assert.ok(Number(await dropped) >= 1, "at least the warm's write connection was dropped");
            // A batch cut off mid-reply is sent again: the keys it had written come back as present.
            assert.equal(report.keysWritten + report.skipped.present, ROWS);
            assert.equal(report.errors, 0);
            assert.equal(report.warmth, 1);
            const values = await admin.mget(Array.from({ length: ROWS }, (_, id) => `key:${id}`));
            values.forEach((value, id) => assert.equal(value, itemValue(id), `key:${id}`));
            assert.equal(await admin.dbsize(), ROWS);
        } finally {
            admin.disconnect();
            await server.stop();
        }
    });
});
