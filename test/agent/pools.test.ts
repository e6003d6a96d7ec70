// A connection that fails its validation leaves the pool: the app's first request gets a fresh connection, not
// the one still stuck in the warm query that timed out (issue 27: released back, it answered after the stall).
//
// The agent reaches Redis at the address it resolved up front (its DNS cache), but checks the TLS certificate
// against the host name: ElastiCache's certificates name the endpoint, never its addresses. Checked against the
// address, every instance would ABANDON on a real TLS endpoint (issue 27). Here a real redis-server on TLS only,
// with a certificate for cache.warmstack.test alone, reached through a loopback DNS server that resolves that name
// to 127.0.0.1.
import Redis from "ioredis";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client, Pool, PoolConfig } from "pg";
import { parseAgentConfig, type AgentConfigFile } from "../../model/agent-config";
import { AgentError, type AgentOptions, runAgent } from "../../warmers/agent/agent";
import { PoolWarmError } from "../../warmers/agent/errors";
import { PgPoolWarmer, prewarmPgPool, prewarmRedis } from "../../warmers/agent/pools";
import { makeCertificates, type Certificates } from "../../warmers/local/servers";
import { PostgresServer, RedisServer, startRedis, testPostgres, testRedis } from "../support/servers";
import { blackHole, CREDENTIALS, fakeAutoScaling, loopbackDns, type LoopbackDns } from "./endpoints";

interface Backend {
    pid: number;
    state: string;
    query: string;
}

const STALL_S = 3;

const NAME = "cache.warmstack.test";

const TIMEOUTS = { poolsMs: 3000, dnsMs: 1000, secretsMs: 1000, appRequestMs: 1000, lifecycleMs: 1000, imdsMs: 1000 };

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

describe("agent: Redis over TLS, reached by a name the certificate holds and an address it does not", function () {
    this.timeout(30_000);
    let certificates: Certificates;
    let redis: RedisServer;
    let dns: LoopbackDns;
    let autoScaling: Awaited<ReturnType<typeof fakeAutoScaling>>;
    let dir: string;
    let caFile: string;
    let lines: string[];

    before(async () => {
        certificates = makeCertificates([NAME]);
        redis = await startRedis({ tls: certificates });
        dns = await loopbackDns({ [NAME]: { address: "127.0.0.1", ttl: 60 } });
        autoScaling = await fakeAutoScaling();
        // The agent's config names a CA file, as infra writes it on the instance.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-tls-"));
        caFile = path.join(dir, "ca.pem");
        fs.writeFileSync(caFile, certificates.ca);
    });
    after(async () => {
        await Promise.all([redis?.stop(), dns?.close(), autoScaling?.close()]);
        await certificates?.remove();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        lines = [];
        autoScaling.actions.length = 0;
    });

    const options = (): AgentOptions => ({ log: (line) => lines.push(line), credentials: CREDENTIALS });
    const config = (redisHost: string): AgentConfigFile => ({
        autoScalingGroupName: "warmstack-test-app",
        lifecycleHookName: "warmstack-launch",
        instanceId: "i-0123456789abcdef0",
        region: "us-east-1",
        timeouts: TIMEOUTS,
        dns: { servers: [dns.server] },
        redis: { host: redisHost, port: redis.port, tls: { caFile } },
        endpoints: { autoScaling: autoScaling.url },
    });

    it("resolves the name, connects to its address and verifies the certificate against the name: CONTINUE", async () => {
        const report = await runAgent(parseAgentConfig(config(NAME), "test"), options());
        assert.deepEqual(report.resolved, { [NAME]: ["127.0.0.1"] });
        assert.equal(report.connections.redis, 1);
        assert.deepEqual(
            autoScaling.actions.map((a) => a.get("LifecycleActionResult")),
            ["CONTINUE"],
        );
        assert.ok(dns.aQueries.includes(NAME), "the name went through the agent's DNS cache");
    });

    it("still refuses a certificate that does not name what the config asks for (the address itself)", async () => {
        const err = await runAgent(parseAgentConfig(config("127.0.0.1"), "test"), options()).then(
            () => assert.fail("expected an ABANDON"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof AgentError, String(err));
        assert.match(err.reason, /^pools: redis: .*(IP: 127\.0\.0\.1 is not in the cert's list|altnames)/);
        assert.deepEqual(
            autoScaling.actions.map((a) => a.get("LifecycleActionResult")),
            ["ABANDON"],
        );
    });
});
