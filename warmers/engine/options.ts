// Every option is checked here, up front, before any connection is opened: one WarmInputError naming the
// field and what it accepts. The rest of the engine only sees ResolvedOptions, with every default filled in.
import type { ConnectionOptions } from "node:tls";
import { WarmInputError } from "./errors";
import { Redactor, urlSecrets } from "./redact";
import type { WarmProgress } from "./report";

export interface WarmOptions {
    /** Where the hot set comes from: `postgres://…`, `redis://…`/`rediss://…`, or a path to a `.jsonl` file. */
    source: string;
    /** Postgres source: SQL returning `key`, `value` and optionally `ttl` (seconds) columns, hottest rows first. */
    query?: string;
    /** The Redis to warm: `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS. */
    redis: string;
    /** Treat `redis` as one node of a Redis Cluster. */
    cluster?: boolean;
    /** Auth for the target, overriding any in the URL (keeps the password out of URLs and process lists). */
    username?: string;
    password?: string;
    /** Extra TLS settings (CA, servername…) for a `rediss://` target. */
    tls?: ConnectionOptions;
    /** Read at most this many rows from the source (for a redis source: copy the N hottest keys). */
    top?: number;
    /** Seconds to live for rows without their own `ttl` (none: the keys do not expire). Not for a redis source. */
    ttl?: number;
    /** Spread each TTL uniformly by ± this fraction, so the warmed keys do not expire together. Default 0.1. */
    jitter?: number;
    /** Keys per pipelined batch. Default 1000. */
    batch?: number;
    /** Batches in flight at once. Default 3. */
    concurrency?: number;
    /** Cap on writes per second (average; bursts of at most 100 ms worth), to leave room for live traffic. */
    rate?: number;
    /** Values (or DUMP payloads) larger than this are skipped and counted. Default 1 MiB. */
    maxValueBytes?: number;
    /** Replace keys that already exist; by default a warm never overwrites what live traffic wrote. */
    overwrite?: boolean;
    /** Fail with ColdCacheError when fewer of the sampled hot keys are present. Default 0.95. */
    minWarmth?: number;
    /** How many of the hottest intended keys to check after the warm. Default 1000. */
    verifySample?: number;
    /** Read and report, write nothing (the warmth reported is the cache's current one, not enforced). */
    dryRun?: boolean;
    /** Retries of a batch after a transient Redis error (connection lost, LOADING…), with exponential backoff. */
    retries?: number;
    /** First backoff; it doubles on every retry. Default 200 ms. */
    retryBackoffMs?: number;
    /** Time to connect (TCP, TLS, auth) to any server. Default 5000 ms. */
    connectTimeoutMs?: number;
    /** Time for any one Redis command or batch to answer. Default 10000 ms. */
    commandTimeoutMs?: number;
    /** Time for any one database read (the first one runs the query). Default 60000 ms. */
    queryTimeoutMs?: number;
    /** Called after every batch with the running figures. */
    onProgress?: (progress: WarmProgress) => void;
}

export type SourceSpec =
    | { kind: "postgres"; url: string; query: string }
    | { kind: "redis"; server: RedisServerSpec }
    | { kind: "file"; path: string };

export interface RedisServerSpec {
    host: string;
    port: number;
    db: number;
    /** Set for rediss:// (possibly empty: default TLS settings). */
    tls?: ConnectionOptions;
    username?: string;
    password?: string;
}

export interface ResolvedOptions {
    source: SourceSpec;
    target: RedisServerSpec & { cluster: boolean };
    /** Source and target for messages and the report, passwords masked. */
    sourceLabel: string;
    targetLabel: string;
    top?: number;
    ttl?: number;
    jitter: number;
    batch: number;
    concurrency: number;
    rate?: number;
    maxValueBytes: number;
    overwrite: boolean;
    minWarmth: number;
    verifySample: number;
    dryRun: boolean;
    retries: number;
    retryBackoffMs: number;
    connectTimeoutMs: number;
    commandTimeoutMs: number;
    queryTimeoutMs: number;
    onProgress?: (progress: WarmProgress) => void;
    redactor: Redactor;
}

const MIB = 1024 * 1024;
const OPTION_NAMES: readonly (keyof WarmOptions)[] = [
    "source",
    "query",
    "redis",
    "cluster",
    "username",
    "password",
    "tls",
    "top",
    "ttl",
    "jitter",
    "batch",
    "concurrency",
    "rate",
    "maxValueBytes",
    "overwrite",
    "minWarmth",
    "verifySample",
    "dryRun",
    "retries",
    "retryBackoffMs",
    "connectTimeoutMs",
    "commandTimeoutMs",
    "queryTimeoutMs",
    "onProgress",
];
const REDIS_URL_FORM = "redis://[user:password@]host[:port][/db] or rediss://… (TLS)";
const SOURCE_FORM = "postgres://…, redis://…, rediss://… or a path to a .jsonl file";

export function resolveOptions(input: WarmOptions): ResolvedOptions {
    if (typeof input !== "object" || input === null) throw new WarmInputError("options", "expected an object");
    const unknown = Object.keys(input).filter((name) => !(OPTION_NAMES as string[]).includes(name));
    if (unknown.length) throw new WarmInputError(unknown[0], `unknown option; allowed: ${OPTION_NAMES.join(", ")}`);

    const rawSource = requiredText(input, "source");
    const rawRedis = requiredText(input, "redis");
    const redactor = new Redactor([...urlSecrets(rawSource), ...urlSecrets(rawRedis), input.password]);
    const source = parseSource(rawSource, input, redactor);

    const target = { ...parseRedisUrl("redis", rawRedis, redactor), cluster: flag(input, "cluster") };
    const username = text(input, "username");
    const password = text(input, "password");
    if (username !== undefined) target.username = username;
    if (password !== undefined) target.password = password;
    if (input.tls !== undefined) {
        if (typeof input.tls !== "object" || input.tls === null)
            throw new WarmInputError("tls", "expected an object of TLS settings");
        if (!target.tls) throw new WarmInputError("tls", "only applies to a rediss:// target");
        target.tls = input.tls;
    }
    if (target.cluster && target.db !== 0) throw new WarmInputError("redis", "a Redis Cluster has only db 0");

    if (source.kind === "redis") {
        // DUMP/RESTORE carries each key's own TTL; a second TTL policy would silently fight it.
        for (const field of ["ttl", "jitter"] as const) {
            if (input[field] !== undefined)
                throw new WarmInputError(field, "does not apply to a redis source, which keeps each key's own TTL");
        }
    }
    const rate = number(input, "rate", { min: Number.MIN_VALUE, integer: false });
    const batch = number(input, "batch", { min: 1, max: 100_000 }) ?? 1000;
    if (input.onProgress !== undefined && typeof input.onProgress !== "function") {
        throw new WarmInputError("onProgress", "expected a function");
    }

    return {
        source,
        target,
        sourceLabel: redactor.text(rawSource),
        targetLabel: redactor.text(rawRedis),
        top: number(input, "top", { min: 1 }),
        ttl: number(input, "ttl", { min: 1 }),
        jitter: number(input, "jitter", { min: 0, max: 0.999, integer: false }) ?? 0.1,
        // With a rate limit, a batch is at most 100 ms of it, so the limiter paces writes instead of bursts.
        batch: rate === undefined ? batch : Math.min(batch, Math.ceil(rate / 10)),
        concurrency: number(input, "concurrency", { min: 1, max: 64 }) ?? 3,
        rate,
        maxValueBytes: number(input, "maxValueBytes", { min: 1, max: 512 * MIB }) ?? MIB,
        overwrite: flag(input, "overwrite"),
        minWarmth: number(input, "minWarmth", { min: 0, max: 1, integer: false }) ?? 0.95,
        verifySample: number(input, "verifySample", { min: 1, max: 100_000 }) ?? 1000,
        dryRun: flag(input, "dryRun"),
        retries: number(input, "retries", { min: 0, max: 20 }) ?? 5,
        retryBackoffMs: number(input, "retryBackoffMs", { min: 1, max: 60_000 }) ?? 200,
        connectTimeoutMs: number(input, "connectTimeoutMs", { min: 1 }) ?? 5000,
        commandTimeoutMs: number(input, "commandTimeoutMs", { min: 1 }) ?? 10_000,
        queryTimeoutMs: number(input, "queryTimeoutMs", { min: 1 }) ?? 60_000,
        onProgress: input.onProgress,
        redactor,
    };
}

function parseSource(raw: string, input: WarmOptions, redactor: Redactor): SourceSpec {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
    const postgres = scheme === "postgres" || scheme === "postgresql";
    const redis = scheme === "redis" || scheme === "rediss";
    if (scheme !== undefined ? !postgres && !redis : !/\.(jsonl|ndjson)$/i.test(raw)) {
        throw new WarmInputError("source", `expected ${SOURCE_FORM}, got "${redactor.text(raw)}"`);
    }
    const query = text(input, "query");
    if (!postgres) {
        if (query !== undefined) throw new WarmInputError("query", "only applies to a postgres source");
        return redis ? { kind: "redis", server: parseRedisUrl("source", raw, redactor) } : { kind: "file", path: raw };
    }
    if (!URL.canParse(raw))
        throw new WarmInputError("source", `not a valid URL: "${redactor.text(raw)}"; expected ${SOURCE_FORM}`);
    if (query === undefined || !query.trim())
        throw new WarmInputError("query", "required for a postgres source: SQL returning key and value columns");
    return { kind: "postgres", url: raw, query };
}

function parseRedisUrl(field: "redis" | "source", raw: string, redactor: Redactor): RedisServerSpec {
    const bad = () => new WarmInputError(field, `expected ${REDIS_URL_FORM}, got "${redactor.text(raw)}"`);
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw bad();
    }
    if ((url.protocol !== "redis:" && url.protocol !== "rediss:") || !url.hostname || url.search || url.hash)
        throw bad();
    const db = url.pathname === "" || url.pathname === "/" ? 0 : Number(url.pathname.slice(1));
    if (!Number.isInteger(db) || db < 0) throw bad();
    return {
        // WHATWG URL keeps the brackets of an IPv6 literal; sockets want the bare address.
        host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port ? Number(url.port) : 6379,
        db,
        tls: url.protocol === "rediss:" ? {} : undefined,
        username: url.username ? decodeURIComponent(url.username) : undefined,
        password: url.password ? decodeURIComponent(url.password) : undefined,
    };
}

type Field<T> = { [K in keyof WarmOptions]-?: WarmOptions[K] extends T | undefined ? K : never }[keyof WarmOptions];

function text(input: WarmOptions, field: Field<string>): string | undefined {
    const value: unknown = input[field];
    if (value !== undefined && typeof value !== "string")
        throw new WarmInputError(field, `expected a string, got ${show(value)}`);
    return value;
}

function requiredText(input: WarmOptions, field: Field<string>): string {
    const value = text(input, field);
    if (!value) throw new WarmInputError(field, "required: a non-empty string");
    return value;
}

function flag(input: WarmOptions, field: Field<boolean>): boolean {
    const value: unknown = input[field];
    if (value !== undefined && typeof value !== "boolean")
        throw new WarmInputError(field, `expected true or false, got ${show(value)}`);
    return value === true;
}

function number(
    input: WarmOptions,
    field: Field<number>,
    { min, max = Number.MAX_SAFE_INTEGER, integer = true }: { min: number; max?: number; integer?: boolean },
): number | undefined {
    const value: unknown = input[field];
    if (value === undefined) return undefined;
    const ok =
        typeof value === "number" &&
        Number.isFinite(value) &&
        value >= min &&
        value <= max &&
        (!integer || Number.isInteger(value));
    if (!ok) {
        const kind = integer ? "an integer" : "a number";
        const range =
            max === Number.MAX_SAFE_INTEGER
                ? min === Number.MIN_VALUE
                    ? "> 0"
                    : `>= ${min}`
                : `from ${min} to ${max}`;
        throw new WarmInputError(field, `expected ${kind} ${range}, got ${show(value)}`);
    }
    return value;
}

function show(value: unknown): string {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
}
