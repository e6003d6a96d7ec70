// The edges of option resolution and URL parsing, checked without a server: which URLs name which source, what a
// Redis URL resolves to, and the exact typed error (field and wording) a user gets for each kind of bad option.
import assert from "node:assert/strict";
import { WarmInputError } from "../../warmers/engine/errors";
import type { WarmOptions } from "../../warmers/engine/options";
import { resolveOptions } from "../../warmers/engine/resolve";

const REDIS = "redis://127.0.0.1:6379";
const QUERY = "SELECT key, value FROM items";
const SOURCE_FORM = "postgres://…, redis://…, rediss://… or a path to a .jsonl file";

function refuses(options: unknown, field: string, message: string): void {
    assert.throws(
        () => resolveOptions(options as WarmOptions),
        (error: unknown) => {
            assert.ok(error instanceof WarmInputError, `not a WarmInputError: ${String(error)}`);
            assert.equal(error.code, "WARM_INPUT");
            assert.equal(error.field, field);
            assert.equal(error.message, message);
            return true;
        },
    );
}

describe("warm options: which source a URL or path names", () => {
    it("accepts postgresql:// as well as postgres://", () => {
        for (const url of ["postgres://app@db.internal/shop", "postgresql://app@db.internal/shop"]) {
            const { source } = resolveOptions({ source: url, query: QUERY, redis: REDIS });
            assert.deepEqual(source, { kind: "postgres", url, query: QUERY, valueQuery: undefined });
        }
    });

    it("takes a redis:// source as a Redis server, parsed", () => {
        const { source } = resolveOptions({ source: "redis://cache.internal:6380/4", redis: REDIS });
        assert.deepEqual(source, {
            kind: "redis",
            server: {
                host: "cache.internal",
                port: 6380,
                db: 4,
                tls: undefined,
                username: undefined,
                password: undefined,
            },
        });
    });

    it("takes a rediss:// source as a Redis server over TLS", () => {
        const { source } = resolveOptions({ source: "rediss://cache.internal/2", redis: REDIS });
        assert.deepEqual(source, {
            kind: "redis",
            server: { host: "cache.internal", port: 6379, db: 2, tls: {}, username: undefined, password: undefined },
        });
    });

    it("reads .jsonl and .ndjson paths as file sources", () => {
        for (const path of ["hot.jsonl", "exports/HOT.NDJSON", "exports/hot.ndjson"]) {
            assert.deepEqual(resolveOptions({ source: path, redis: REDIS }).source, { kind: "file", path });
        }
    });

    it("reads a path as a file even when :// appears inside it", () => {
        const path = "exports/redis://hot.jsonl";
        assert.deepEqual(resolveOptions({ source: path, redis: REDIS }).source, { kind: "file", path });
    });

    it("refuses a URL of another scheme even when it ends in .jsonl", () => {
        refuses(
            { source: "https://example.com/hot.jsonl", redis: REDIS },
            "source",
            `source: ${SOURCE_FORM}; given "https://example.com/hot.jsonl"`,
        );
    });

    it("refuses a path that only contains .jsonl without ending in it", () => {
        refuses({ source: "hot.jsonl.gz", redis: REDIS }, "source", `source: ${SOURCE_FORM}; given "hot.jsonl.gz"`);
    });
});

describe("warm options: what a Redis URL resolves to", () => {
    it("refuses a redis source whose db is not a whole number, naming the source field", () => {
        refuses(
            { source: "redis://cache.internal/x", redis: REDIS },
            "source",
            'source: redis://[user:password@]host[:port][/db] or rediss://… (TLS); given "redis://cache.internal/x"',
        );
    });

    it("strips the brackets of an IPv6 host", () => {
        const { target } = resolveOptions({ source: "hot.jsonl", redis: "redis://[::1]:6390/0" });
        assert.equal(target.host, "::1");
        assert.equal(target.port, 6390);
        assert.equal(target.db, 0);
    });

    it("refuses a db other than 0 for a cluster, naming the db", () => {
        refuses(
            { source: "hot.jsonl", redis: "redis://127.0.0.1:7000/3", cluster: true },
            "redis",
            "redis: db 0, the only one of a Redis Cluster; given db 3",
        );
        assert.equal(
            resolveOptions({ source: "hot.jsonl", redis: "redis://127.0.0.1:7000/0", cluster: true }).target.db,
            0,
        );
    });

    it("knows every password it was given, so a driver's echo of one is masked", () => {
        const resolved = resolveOptions({
            source: "postgres://app:pgs3cret@db.internal/shop",
            query: QUERY,
            redis: "rediss://:r3dispass@cache.internal",
            password: "0ptionpw",
        });
        assert.equal(
            resolved.redactor.text("auth failed: pgs3cret, r3dispass, 0ptionpw"),
            "auth failed: ***, ***, ***",
        );
        assert.equal(resolved.sourceLabel, "postgres://app:***@db.internal/shop");
        assert.equal(resolved.target.password, "0ptionpw");
    });
});

describe("warm options: a bad option is refused, naming the field", () => {
    it("refuses options that are not an object", () => {
        refuses(null, "options", "options: an object; given null");
        refuses("hot.jsonl", "options", 'options: an object; given "hot.jsonl"');
        refuses(undefined, "options", "options: an object; given nothing");
    });

    it("refuses tls settings that are not an object", () => {
        const rediss = { source: "hot.jsonl", redis: "rediss://cache.internal" };
        refuses({ ...rediss, tls: null }, "tls", "tls: an object of TLS settings; given something else");
        refuses({ ...rediss, tls: "yes" }, "tls", "tls: an object of TLS settings; given something else");
        assert.deepEqual(resolveOptions({ ...rediss, tls: { servername: "cache" } }).target.tls, {
            servername: "cache",
        });
    });

    it("refuses an onProgress that is not a function, naming its type", () => {
        refuses(
            { source: "hot.jsonl", redis: REDIS, onProgress: "log" },
            "onProgress",
            'onProgress: a function; given "string"',
        );
    });

    it("refuses a postgres query that is only whitespace", () => {
        refuses(
            { source: "postgres://db.internal/shop", query: "  \n ", redis: REDIS },
            "query",
            'query: required for a postgres source: SQL returning key and value columns; given "  \\n "',
        );
    });

    it("refuses a text option that is not a string", () => {
        refuses({ source: "hot.jsonl", redis: REDIS, username: 42 }, "username", "username: a string; given 42");
    });

    it("refuses an empty or missing source or redis", () => {
        refuses({ source: "", redis: REDIS }, "source", 'source: required: a non-empty string; given ""');
        refuses({ source: "hot.jsonl" }, "redis", "redis: required: a non-empty string; given nothing");
    });

    it("refuses a flag that is not true or false", () => {
        refuses(
            { source: "hot.jsonl", redis: REDIS, cluster: "yes" },
            "cluster",
            'cluster: true or false; given "yes"',
        );
        refuses({ source: "hot.jsonl", redis: REDIS, dryRun: 1 }, "dryRun", "dryRun: true or false; given 1");
    });
});

describe("warm options: explicit values win over defaults", () => {
    it("keeps the retry backoff and the command and query timeouts it was given", () => {
        const resolved = resolveOptions({
            source: "hot.jsonl",
            redis: REDIS,
            retryBackoffMs: 50,
            connectTimeoutMs: 1500,
            commandTimeoutMs: 2500,
            queryTimeoutMs: 9000,
        });
        assert.equal(resolved.retryBackoffMs, 50);
        assert.equal(resolved.connectTimeoutMs, 1500);
        assert.equal(resolved.commandTimeoutMs, 2500);
        assert.equal(resolved.queryTimeoutMs, 9000);
    });
});
