// Auth and TLS on real servers: a password from the URL or the explicit option, an ACL user, rediss:// with a
// private CA (makeCertificates); a wrong password or an untrusted certificate fails before anything is written.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type Redis from "ioredis";
import { warm, WarmConnectionError, WarmInputError } from "../../warmers";
import { makeCertificates, type Certificates } from "../../warmers/local/servers";
import { closedPort, startRedis, type RedisServer, redisClient } from "../support/servers";

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

            // The credentials' fault, said as such (exit 2), not a server to retry (redis-mistakes.test.ts).
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
