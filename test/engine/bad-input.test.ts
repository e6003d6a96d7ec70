// Every bad input fails with one clear, typed error before anything is written: the target keeps exactly
// the one marker key it had.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type Redis from "ioredis";
import { warm, WarmConnectionError, WarmInputError, type WarmOptions } from "../../warmers";
import { closedPort } from "../support/servers";
import { emptyTarget, itemsTable, postgresUrl, silentServer } from "./fixtures";

describe("warm: bad input fails before anything is written", () => {
    let target: { url: string; redis: Redis };
    let good: WarmOptions;
    let dir: string;

    before(async () => {
        await itemsTable("warm_bad_items", 10);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-bad-"));
    });
    beforeEach(async () => {
        target = await emptyTarget();
        await target.redis.set("marker", "untouched");
        good = {
            source: await postgresUrl(),
            query: "SELECT key, value FROM warm_bad_items",
            redis: target.url,
            ttl: 60,
        };
    });
    afterEach(async () => {
        assert.equal(await target.redis.dbsize(), 1, "nothing may be written");
        assert.equal(await target.redis.get("marker"), "untouched");
        target.redis.disconnect();
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Asserts `warm` rejects with a WarmInputError about `field` whose message matches `pattern`. */
    async function rejectsInput(options: WarmOptions, field: string, pattern: RegExp): Promise<void> {
        await assert.rejects(warm(options), (err: unknown) => {
            assert.ok(err instanceof WarmInputError, `expected WarmInputError, got ${(err as Error).stack}`);
            assert.equal(err.field, field);
            assert.match(err.message, pattern);
            return true;
        });
    }

    it("a good warm of the same shape succeeds (the cases below differ by one field)", async () => {
        const report = await warm(good);
        assert.equal(report.keysWritten, 10);
        await target.redis.del(...Array.from({ length: 10 }, (_, i) => `key:${i}`));
    });

    it("malformed or unsupported target URLs name the redis option and the accepted forms", async () => {
        for (const redis of [
            "redis//127.0.0.1:6379",
            "http://127.0.0.1:6379",
            "redis://",
            "redis://127.0.0.1:6379/x",
            "127.0.0.1:6379",
            "redis://127.0.0.1:6379/1e3",
        ]) {
            await rejectsInput(
                { ...good, redis },
                "redis",
                /^redis: redis:\/\/\[user:password@\]host\[:port\]\[\/db\] or rediss:\/\/… \(TLS\); given "/,
            );
        }
    });

    it("malformed or unsupported sources name the source option", async () => {
        await rejectsInput({ ...good, source: "postgres://[::1" }, "source", /; given "postgres:\/\/\[::1"$/);
        await rejectsInput(
            { ...good, source: "mysql://127.0.0.1/db" },
            "source",
            /^source: postgres:\/\/…, redis:\/\/…, rediss:\/\/… or a path to a \.jsonl file; given "mysql:/,
        );
        await rejectsInput(
            { ...good, source: "items.csv", query: undefined },
            "source",
            /a path to a \.jsonl file; given "items.csv"/,
        );
        await rejectsInput(
            { ...good, source: path.join(dir, "missing.jsonl"), query: undefined },
            "source",
            /cannot read .*missing\.jsonl: ENOENT/,
        );
    });

    it("out-of-range numbers name the option and the allowed range", async () => {
        const cases: [Partial<WarmOptions>, string, RegExp][] = [
            [{ ttl: -5 }, "ttl", /^ttl: a whole number ≥ 1; given -5$/],
            [{ ttl: 1.5 }, "ttl", /^ttl: a whole number ≥ 1; given 1.5$/],
            [{ jitter: 1.5 }, "jitter", /^jitter: a number from 0 to 0.999; given 1.5$/],
            [{ batch: 0 }, "batch", /^batch: a whole number from 1 to 100,000; given 0$/],
            [{ concurrency: 0 }, "concurrency", /from 1 to 64/],
            [{ rate: -1 }, "rate", /^rate: a number > 0; given -1$/],
            [{ maxValueBytes: 0 }, "maxValueBytes", /from 1 to/],
            [{ minWarmth: 2 }, "minWarmth", /from 0 to 1/],
            [{ maxRefused: -1 }, "maxRefused", /^maxRefused: a whole number ≥ 0; given -1$/],
            [{ verifySample: 0 }, "verifySample", /from 1 to 100,000/],
            [{ top: 0 }, "top", /≥ 1/],
            [{ top: Number.NaN }, "top", /given NaN/],
            // The library takes numbers; text is what a command line gives, and only plain decimal reads as one.
            [{ top: "0x10" as unknown as number }, "top", /^top: a whole number ≥ 1; given "0x10"$/],
            [{ ttl: "1e3" as unknown as number }, "ttl", /^ttl: a whole number ≥ 1; given "1e3"$/],
        ];
        for (const [change, field, pattern] of cases) await rejectsInput({ ...good, ...change }, field, pattern);
    });

    it("options that do not fit the source, and unknown options, are refused", async () => {
        await rejectsInput({ ...good, query: undefined }, "query", /required for a postgres source/);
        await rejectsInput(
            { ...good, source: path.join(dir, "x.jsonl") },
            "query",
            /^query: only for a postgres source; the source is file$/,
        );
        await rejectsInput(
            { ...good, query: undefined, source: target.url, ttl: 60 },
            "ttl",
            /keeps each key's own TTL/,
        );
        await rejectsInput(
            { ...good, topKeys: 10 } as WarmOptions,
            "topKeys",
            /not an option \(a typo\?\); allowed: source, query, valueQuery, redis/,
        );
        await rejectsInput({ ...good, tls: { rejectUnauthorized: false } }, "tls", /only for a rediss:\/\/ target/);
    });

    it("a query without key and value columns is refused naming the columns it returns", async () => {
        await rejectsInput(
            { ...good, query: "SELECT id, key AS name FROM warm_bad_items" },
            "query",
            /must return columns "key" and "value".*it returns "id", "name"/,
        );
        await rejectsInput(
            { ...good, query: "SELECT key, value, 'soon' AS ttl FROM warm_bad_items" },
            "query",
            // The type by its SQL name, not its oid (25).
            /column "ttl" must be a number of seconds \(integer, bigint, numeric…\); it is text$/,
        );
        await rejectsInput(
            { ...good, query: "SELECT key, value, make_interval(secs => 60) AS ttl FROM warm_bad_items" },
            "query",
            /it is interval: use EXTRACT\(EPOCH FROM …\)$/,
        );
        await rejectsInput({ ...good, query: "SELEC key" }, "query", /syntax error/);
    });

    it("a bad first line of a file source is refused with its line number", async () => {
        const file = path.join(dir, "bad.jsonl");
        fs.writeFileSync(file, '{"key": "a", "value": "1"}\n{"key": 7, "value": "2"}\n');
        await rejectsInput(
            { ...good, source: file, query: undefined },
            "source",
            /bad\.jsonl line 2: "key" must be a non-empty string/,
        );
    });

    it("an unreachable target fails at once with a connection error, and never shows its password", async () => {
        const port = await closedPort();
        await assert.rejects(warm({ ...good, redis: `redis://warmer:s3cret-pw@127.0.0.1:${port}` }), (err: unknown) => {
            assert.ok(err instanceof WarmConnectionError);
            assert.equal(err.role, "redis");
            assert.match(
                err.message,
                new RegExp(`cannot reach Redis redis://warmer:\\*\\*\\*@127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`),
            );
            assert.doesNotMatch(err.message, /s3cret/);
            return true;
        });
        await assert.rejects(warm({ ...good, redis: `redis://:p%40ss-w0rd@127.0.0.1:${port}` }), (err: unknown) => {
            assert.match((err as Error).message, new RegExp(`redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
            assert.doesNotMatch((err as Error).message, /ss-w0rd/);
            return true;
        });
    });

    it("an unreachable database fails with a connection error, its password masked", async () => {
        const port = await closedPort();
        await assert.rejects(
            warm({ ...good, source: `postgres://warmstack:pg-s3cret@127.0.0.1:${port}/postgres` }),
            (err: unknown) => {
                assert.ok(err instanceof WarmConnectionError);
                assert.equal(err.role, "source");
                assert.match(
                    err.message,
                    /database postgres:\/\/warmstack:\*\*\*@127\.0\.0\.1:\d+\/postgres: .*ECONNREFUSED/,
                );
                assert.doesNotMatch(err.message, /pg-s3cret/);
                return true;
            },
        );
    });

    it("a database that does not exist is the source URL's fault, not a query error nor a server to retry", async () => {
        const url = (await postgresUrl()).replace(/\/postgres$/, "/no_such_db");
        await assert.rejects(warm({ ...good, source: url }), (err: unknown) => {
            assert.ok(err instanceof WarmInputError, String(err));
            assert.equal(err.field, "source");
            assert.match(err.message, /database "no_such_db" does not exist/);
            return true;
        });
    });

    it("servers that accept but never answer fail within the connect timeout", async () => {
        const silent = await silentServer();
        try {
            for (const options of [
                { ...good, redis: `redis://127.0.0.1:${silent.port}` },
                { ...good, source: `postgres://warmstack@127.0.0.1:${silent.port}/postgres` },
            ]) {
                const started = Date.now();
                await assert.rejects(warm({ ...options, connectTimeoutMs: 300 }), (err: unknown) => {
                    assert.ok(err instanceof WarmConnectionError, String(err));
                    assert.match(err.message, /timed out|timeout/i);
                    return true;
                });
                assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
            }
        } finally {
            await silent.close();
        }
    });
});
