// A connection that fails its validation leaves the pool: the app's first request gets a fresh connection, not
// the one still stuck in the warm query that timed out (issue 27: released back, it answered after the stall).
import assert from "node:assert/strict";
import { Client, Pool } from "pg";
import { PoolWarmError } from "../../warmers/agent/errors";
import { prewarmPgPool } from "../../warmers/agent/pools";
import { PostgresServer, testPostgres } from "../support/servers";

const STALL_S = 3;

describe("agent pools: a validation that fails once", () => {
    let pg: PostgresServer;
    let admin: Client;

    before(async () => {
        pg = await testPostgres();
        admin = new Client({ connectionString: pg.url });
        await admin.connect();
    });
    after(() => admin.end());

    it("drops the connection whose warm query timed out; the app's first query answers at once elsewhere", async () => {
        const sequence = `pool_validation_${process.pid}`;
        await admin.query(`DROP SEQUENCE IF EXISTS ${sequence}; CREATE SEQUENCE ${sequence}`);
        const pool = new Pool({ connectionString: pg.url, max: 1, idleTimeoutMillis: 0 });
        pool.on("error", () => undefined);
        try {
            // The first connection's warm query stalls past its budget; any later one answers at once.
            const stall = `SELECT pg_backend_pid() AS pid, pg_sleep(CASE WHEN nextval('${sequence}') = 1 THEN ${STALL_S} ELSE 0 END)`;
            await assert.rejects(
                prewarmPgPool(pool, 1, { timeoutMs: 500, warmQueries: [{ text: stall }] }),
                (err: unknown) => {
                    assert.ok(err instanceof PoolWarmError, String(err));
                    assert.match(err.message, /^1 of 1 connections failed: .*timed out/);
                    return true;
                },
            );
            const { rows } = await admin.query<{ pid: number }>(
                "SELECT pid FROM pg_stat_activity WHERE query LIKE $1 AND state = 'active'",
                [`%nextval('${sequence}')%`],
            );
            assert.equal(rows.length, 1, "the stalled warm query is still running on its backend");

            const started = Date.now();
            const answer = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
            const waited = Date.now() - started;
            assert.ok(waited < 1000, `the app's first query waited ${waited} ms behind the stalled connection`);
            assert.notEqual(answer.rows[0].pid, rows[0].pid);
        } finally {
            await pool.end();
            // The stalled backend holds the sequence until its sleep ends: end it rather than wait.
            await admin.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
                [`%nextval('${sequence}')%`],
            );
            await admin.query(`DROP SEQUENCE IF EXISTS ${sequence}`);
        }
    });
});
