import assert from "node:assert/strict";
import Redis from "ioredis";
import { Client, Pool, PoolConfig } from "pg";
import { PoolWarmError } from "../../warmers/agent/errors";
import { PgPoolWarmer, prewarmPgPool, prewarmRedis } from "../../warmers/agent/pools";
import { PostgresServer, RedisServer, startRedis, testPostgres, testRedis } from "../support/servers";
import { blackHole } from "./endpoints";

interface Backend {
    pid: number;
    state: string;
    query: string;
}

describe("agent pools", () => {
    let pg: PostgresServer;
    let admin: Client;
    let run = 0;

    before(async () => {
        pg = await testPostgres();
        admin = new Client({ connectionString: pg.url });
        await admin.connect();
    });
    after(() => admin.end());

    /** The server's own view of a pool's connections, told apart by application_name. */
    async function backends(applicationName: string): Promise<Backend[]> {
        const { rows } = await admin.query<Backend>(
            "SELECT pid, state, query FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid",
            [applicationName],
        );
        return rows;
    }

    async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const value = await probe();
            if (value !== undefined) return value;
            if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }

    function poolFor(config: PoolConfig = {}): { pool: Pool; name: string } {
        const name = `warmstack-pool-test-${process.pid}-${++run}`;
        const pool = new Pool({
            host: pg.host,
            port: pg.port,
            user: pg.user,
            database: pg.database,
            application_name: name,
            ...config,
        });
        pool.on("error", () => undefined); // killed idle backends are what these tests do
        return { pool, name };
    }

    it("opens n connections, validates each with SELECT 1 and keeps them idle in the pool", async () => {
        const { pool, name } = poolFor({ max: 6, idleTimeoutMillis: 0 });
        try {
            const warmer = await prewarmPgPool(pool, 5, { timeoutMs: 5000 });
            assert.equal(warmer.size, 5);
            assert.deepEqual([pool.totalCount, pool.idleCount], [5, 5]);
            const rows = await backends(name);
            assert.equal(rows.length, 5, "the server holds exactly n connections for this pool");
            for (const row of rows) assert.deepEqual([row.state, row.query], ["idle", "SELECT 1"]);
            warmer.stop();
        } finally {
            await pool.end();
        }
    });

    it("refills to n validated connections after a backend is killed", async () => {
        const { pool, name } = poolFor({ max: 4, min: 4 }); // min ≥ n keeps them despite the default idle timeout
        let warmer: PgPoolWarmer | undefined;
        try {
            warmer = await prewarmPgPool(pool, 4, { timeoutMs: 5000 });
            const before = await backends(name);
            const victim = before[0].pid;
            await admin.query("SELECT pg_terminate_backend($1)", [victim]);
            // The new backend shows up while it connects: wait until it has been validated and given back too.
            const after = await until("the pool to return to 4 validated connections", async () => {
                const rows = await backends(name);
                const settled =
                    rows.length === 4 &&
                    rows.every((r) => r.pid !== victim && r.state === "idle" && r.query === "SELECT 1");
                return settled ? rows : undefined;
            });
            assert.equal(
                after.filter((r) => !before.some((b) => b.pid === r.pid)).length,
                1,
                "exactly one new connection",
            );
            assert.equal(pool.totalCount, 4);
        } finally {
            warmer?.stop();
            await pool.end();
        }
    });

    it("runs the warm queries on every connection, refilled ones included", async () => {
        const { pool, name } = poolFor({ max: 3, idleTimeoutMillis: 0 });
        const warmQuery = { text: "SELECT relname FROM pg_class WHERE oid = $1::regclass", values: ["pg_proc"] };
        let warmer: PgPoolWarmer | undefined;
        try {
            warmer = await prewarmPgPool(pool, 3, { timeoutMs: 5000, warmQueries: [warmQuery] });
            const before = await backends(name);
            assert.deepEqual(
                before.map((r) => r.query),
                Array(3).fill(warmQuery.text),
            );
            await admin.query("SELECT pg_terminate_backend($1)", [before[1].pid]);
            await until("the refill, warm query included", async () => {
                const rows = await backends(name);
                return rows.length === 3 &&
                    rows.every((r) => r.pid !== before[1].pid && r.state === "idle" && r.query === warmQuery.text)
                    ? rows
                    : undefined;
            });
        } finally {
            warmer?.stop();
            await pool.end();
        }
    });

    it("refuses a pool that could not keep n connections", async () => {
        const evicting = poolFor({ max: 10 }).pool; // pg's default idleTimeoutMillis would drop them after 10 s
        const small = poolFor({ max: 2, idleTimeoutMillis: 0 }).pool;
        try {
            await assert.rejects(
                prewarmPgPool(evicting, 3, { timeoutMs: 1000 }),
                /closes idle connections after 10000 ms: set min ≥ 3 or idleTimeoutMillis: 0/,
            );
            await assert.rejects(prewarmPgPool(small, 3, { timeoutMs: 1000 }), PoolWarmError);
            assert.equal(evicting.totalCount + small.totalCount, 0, "nothing opened");
        } finally {
            await Promise.all([evicting.end(), small.end()]);
        }
    });

    it("fails with a timeout, not a hang, when the server accepts but never answers", async () => {
        const hole = await blackHole();
        const pool = new Pool({
            host: "127.0.0.1",
            port: hole.port,
            user: "nobody",
            database: "none",
            max: 2,
            idleTimeoutMillis: 0,
        });
        const started = Date.now();
        try {
            await assert.rejects(
                prewarmPgPool(pool, 2, { timeoutMs: 300 }),
                new RegExp(`2 of 2 connections failed: connect to 127\\.0\\.0\\.1:${hole.port} timed out after 300 ms`),
            );
            assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
        } finally {
            await hole.close();
            await pool.end();
        }
    });

    describe("redis", () => {
        let secured: RedisServer | undefined;
        after(() => secured?.stop());

        it("connects a lazy client and returns only once it answers PING", async () => {
            const server = await testRedis();
            const client = new Redis({ host: server.host, port: server.port, lazyConnect: true });
            try {
                assert.equal(client.status, "wait");
                await prewarmRedis(client, { timeoutMs: 2000 });
                assert.equal(client.status, "ready");
            } finally {
                client.disconnect();
            }
        });

        it("authenticates with the token, and fails without it", async () => {
            // Set after start: test/support's readiness probe PINGs without auth, so --requirepass never gets ready.
            secured = await startRedis();
            const setup = new Redis({ host: secured.host, port: secured.port });
            await setup.config("SET", "requirepass", "agent-test-token");
            setup.disconnect();
            const options = {
                host: secured.host,
                port: secured.port,
                lazyConnect: true,
                maxRetriesPerRequest: 0,
                retryStrategy: () => null,
            };
            const good = new Redis({ ...options, password: "agent-test-token" });
            const bad = new Redis({ ...options, password: "wrong-token" });
            bad.on("error", () => undefined);
            try {
                await prewarmRedis(good, { timeoutMs: 2000 });
                await assert.rejects(prewarmRedis(bad, { timeoutMs: 2000 }), /WRONGPASS|invalid password/);
            } finally {
                good.disconnect();
                bad.disconnect();
            }
        });

        it("fails with a timeout against a server that never answers", async () => {
            const hole = await blackHole();
            const client = new Redis({
                host: "127.0.0.1",
                port: hole.port,
                lazyConnect: true,
                maxRetriesPerRequest: 0,
                retryStrategy: () => null,
            });
            client.on("error", () => undefined);
            try {
                await assert.rejects(
                    prewarmRedis(client, { timeoutMs: 300 }),
                    new RegExp(`Redis connect to 127\\.0\\.0\\.1:${hole.port} timed out after 300 ms`),
                );
            } finally {
                client.disconnect();
                await hole.close();
            }
        });
    });
});
