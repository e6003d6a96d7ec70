// Auth and TLS on real servers: a password from the URL or the explicit option, an ACL user, rediss:// with a
// private CA (makeCertificates); a wrong password or an untrusted certificate fails before anything is written.
//
// A wrong database password or a missing database is the URL's fault, said as such — exit 2, naming the source
// and what to check — not "unreachable, retry" (exit 3, issue 26 item 14), and never blamed on --query: real
// PostgreSQL refuses them with SQLSTATE 28P01 (class 28) and 3D000. The password is never echoed, and nothing
// is written.
//
// The usual mistakes with a Redis target, each said at once as what it is (exit 2), not as a server to retry:
// a cluster node warmed without --cluster (every write would come back MOVED), a standalone Redis given
// --cluster, a password sent to a Redis that has none (each write's AUTH would fail for 6 s of retries), a wrong
// password. Nothing is written in any of them.
import Redis from "ioredis";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { warm, WarmConnectionError, WarmInputError, EXIT, exitCodeFor } from "../../warmers";
import { makeCertificates, type Certificates, startRedisCluster, type RedisCluster } from "../../warmers/local/servers";
import {
    closedPort,
    startRedis,
    type RedisServer,
    redisClient,
    startPostgres,
    type PostgresServer,
} from "../support/servers";
import { emptyTarget } from "./fixtures";

const ROLE = "warm_reader";

const PASSWORD = "right-password-5";

const WRONG = "wrong-password-9";

describe("warm: auth and TLS", () => {
    let dir: string;
    let source: string;
    let server: RedisServer;
    let admin: Redis;
    let tlsPort: number;
    let ca: string;
    let certificates: Certificates;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-tls-"));
        source = path.join(dir, "items.jsonl");
        fs.writeFileSync(
            source,
            Array.from({ length: 50 }, (_, i) => JSON.stringify({ key: `k:${i}`, value: `v:${i}` })).join("\n"),
        );
        certificates = makeCertificates();
        ca = certificates.ca;
        tlsPort = await closedPort();
        server = await startRedis({
            args: [
                "--tls-port",
                String(tlsPort),
                "--tls-cert-file",
                certificates.certFile,
                "--tls-key-file",
                certificates.keyFile,
                "--tls-ca-cert-file",
                certificates.caFile,
                "--tls-auth-clients",
                "no",
            ],
        });
        admin = redisClient(server.url);
    });
    after(async () => {
        admin.disconnect();
        await server.stop();
        await certificates.remove();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => admin.flushall());

    it("warms over rediss:// with the CA given, and refuses an untrusted certificate before writing", async () => {
        const report = await warm({ source, redis: `rediss://127.0.0.1:${tlsPort}`, tls: { ca } });
        assert.equal(report.keysWritten, 50);
        assert.equal(await admin.get("k:49"), "v:49");

        await admin.flushall();
        await assert.rejects(warm({ source, redis: `rediss://127.0.0.1:${tlsPort}` }), (err: unknown) => {
            assert.ok(err instanceof WarmConnectionError);
            assert.match(err.message, /self[- ]signed certificate/);
            return true;
        });
        assert.equal(await admin.dbsize(), 0);
    });

    it("authenticates with the URL's password, an ACL user, or the explicit option; a wrong one fails first", async () => {
        await admin.call("ACL", "SETUSER", "warmer", "on", ">user-pw", "~*", "&*", "+@all");
        await admin.config("SET", "requirepass", "default-pw");
        await admin.auth("default-pw");
        try {
            const url = server.url.replace("redis://", "redis://:default-pw@");
            assert.equal((await warm({ source, redis: url })).keysWritten, 50);
            await admin.flushall();
            assert.equal(
                (await warm({ source, redis: server.url, username: "warmer", password: "user-pw" })).keysWritten,
                50,
            );
            await admin.flushall();
            const userUrl = server.url.replace("redis://", "redis://warmer:user-pw@");
            assert.equal((await warm({ source, redis: `${userUrl}/2` })).keysWritten, 50);
            assert.equal(await admin.dbsize(), 0, "db 2, not db 0");

            // The credentials' fault, said as such (exit 2), not a server to retry (the Redis target given the wrong way, below).
            await assert.rejects(warm({ source, redis: server.url, password: "wrong-pw" }), (err: unknown) => {
                assert.ok(err instanceof WarmInputError, String(err));
                assert.match(err.message, /refused the credentials \(WRONGPASS/);
                assert.doesNotMatch(err.message, /wrong-pw/);
                return true;
            });
            assert.equal(await admin.dbsize(), 0);
        } finally {
            await admin.config("SET", "requirepass", "");
            await admin.call("ACL", "DELUSER", "warmer");
        }
    });

    it("a read-only replica as the target is named as one at the connection check, with no retries", async () => {
        const replica = await startRedis({ args: ["--replicaof", "127.0.0.1", String(server.port)] });
        try {
            const started = Date.now();
            const url = `redis://127.0.0.1:${replica.port}`;
            await assert.rejects(warm({ source, redis: url }), (err: unknown) => {
                assert.ok(err instanceof WarmConnectionError, String(err));
                assert.equal(err.role, "redis");
                assert.equal(
                    err.message,
                    `Redis ${url} is a read-only replica of 127.0.0.1:${server.port}; warm its primary instead ` +
                        "(for ElastiCache, the primary endpoint): a re-run against this node cannot help",
                );
                return true;
            });
            assert.ok(Date.now() - started < 2000, "found at the check, not after the write retries");
            // A dry run writes nothing, so a replica is a fine place to measure the cache's warmth.
            assert.equal((await warm({ source, redis: url, dryRun: true })).rowsRead, 50);
        } finally {
            await replica.stop();
        }
    });
});

describe("warm: a postgres source that refuses the password", function () {
    this.timeout(60_000);
    let pg: PostgresServer;
    let target: { url: string; redis: Redis };

    before(async () => {
        pg = await startPostgres({ passwordRoles: [ROLE] });
        const admin = new Client({ connectionString: pg.url });
        await admin.connect();
        try {
            await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
            await admin.query(
                `CREATE TABLE hot AS SELECT 'pg-auth:' || g AS key, 'v' || g AS value FROM generate_series(1, 20) g`,
            );
            await admin.query(`GRANT SELECT ON hot TO ${ROLE}`);
        } finally {
            await admin.end();
        }
    });
    after(() => pg?.stop());
    beforeEach(async () => (target = await emptyTarget()));
    afterEach(() => target.redis.disconnect());

    const source = (password: string) => `postgres://${ROLE}:${password}@${pg.host}:${pg.port}/${pg.database}`;
    const options = (password: string) => ({
        source: source(password),
        query: "SELECT key, value FROM hot",
        redis: target.url,
    });

    it("is an input error naming the source, exit 2, without the password; the right one warms", async () => {
        await assert.rejects(warm(options(WRONG)), (err: unknown) => {
            assert.ok(err instanceof WarmInputError, `${(err as Error).name}: ${(err as Error).message}`);
            assert.equal(err.field, "source");
            assert.equal(exitCodeFor(err.code), EXIT.input);
            assert.match(
                err.message,
                /^source: database postgres:\/\/warm_reader:\*\*\*@127\.0\.0\.1:\d+\/postgres refused the login: password authentication failed for user "warm_reader"; check the user and password in the URL/,
            );
            assert.doesNotMatch(err.message, new RegExp(WRONG));
            return true;
        });
        assert.equal(await target.redis.dbsize(), 0);

        const report = await warm(options(PASSWORD));
        assert.equal(report.keysWritten, 20);
    });

    it("a database that does not exist is an input error naming it, exit 2", async () => {
        const missing = { ...options(PASSWORD), source: source(PASSWORD).replace(/\/postgres$/, "/no_such_db") };
        await assert.rejects(warm(missing), (err: unknown) => {
            assert.ok(err instanceof WarmInputError, `${(err as Error).name}: ${(err as Error).message}`);
            assert.equal(exitCodeFor(err.code), EXIT.input);
            assert.match(
                err.message,
                /refused the login: database "no_such_db" does not exist; check the database name/,
            );
            return true;
        });
        assert.equal(await target.redis.dbsize(), 0);
    });
});

describe("warm: a Redis target given the wrong way", function () {
    this.timeout(90_000);
    let plain: RedisServer;
    let guarded: RedisServer;
    let cluster: RedisCluster;
    let source: string;
    let dir: string;

    before(async () => {
        [plain, guarded, cluster] = await Promise.all([
            startRedis(),
            startRedis({ args: ["--requirepass", "right-pass-1"] }),
            startRedisCluster({ primaries: 3 }),
        ]);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-mistakes-"));
        source = path.join(dir, "hot.jsonl");
        const rows = Array.from({ length: 50 }, (_, i) => JSON.stringify({ key: `m:${i}`, value: String(i) }));
        fs.writeFileSync(source, rows.join("\n"));
    });
    after(async () => {
        fs.rmSync(dir, { recursive: true, force: true });
        await Promise.all([plain?.stop(), guarded?.stop(), cluster?.stop()]);
    });

    /** Fails fast with one input error naming `field`, matching `message`. */
    async function refused(options: { redis: string; cluster?: boolean }, field: string, message: RegExp) {
        const started = Date.now();
        await assert.rejects(warm({ source, ttl: 60, ...options }), (err: unknown) => {
            assert.ok(err instanceof WarmInputError, `${(err as Error).name}: ${(err as Error).message}`);
            assert.equal(err.field, field);
            assert.equal(exitCodeFor(err.code), EXIT.input);
            assert.match(err.message, message);
            return true;
        });
        assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms: no retries`);
    }

    it("a cluster node without --cluster: says to use --cluster, writes nothing", async () => {
        await refused(
            { redis: cluster.url },
            "cluster",
            /^cluster: Redis redis:\/\/127\.0\.0\.1:\d+ is a node of a Redis Cluster \(cluster_enabled:1\): add --cluster to warm the whole cluster$/,
        );
        for (const node of cluster.nodes) {
            const client = redisClient(node.url);
            assert.equal(await client.dbsize(), 0, node.url);
            client.disconnect();
        }
    });

    it("a standalone Redis with --cluster: says it is not a cluster", async () => {
        await refused(
            { redis: plain.url, cluster: true },
            "cluster",
            /^cluster: Redis redis:\/\/127\.0\.0\.1:\d+ is not a cluster node \(cluster_enabled:0\): leave out --cluster$/,
        );
    });

    it("a password sent to a Redis without one: says the server has no password set", async () => {
        const url = `redis://:not-needed-2@127.0.0.1:${plain.port}`;
        await refused(
            { redis: url },
            "redis",
            /^redis: Redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ has no password set, but one was given: leave it out/,
        );
        const client = redisClient(plain.url);
        assert.equal(await client.dbsize(), 0);
        client.disconnect();
    });

    it("a wrong password: the credentials were refused, never echoed; the right one warms", async () => {
        await refused(
            { redis: `redis://:wrong-pass-3@127.0.0.1:${guarded.port}` },
            "redis",
            /^redis: Redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused the credentials \(WRONGPASS[^)]*\); check the user and password$/,
        );
        const report = await warm({ source, ttl: 60, redis: `redis://:right-pass-1@127.0.0.1:${guarded.port}` });
        assert.equal(report.keysWritten, 50);
    });
});
