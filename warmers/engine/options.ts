// The warm's public options: what a caller (the CLI, the CachePrewarm provider, the warmer Lambda) may pass,
// each default once in WARM_DEFAULTS (the `@defaultValue`s below are held equal to it by a test), and what each
// number allows in WARM_LIMITS. Resolution lives in resolve.ts; the resolved types in resolved.ts.
import type { ConnectionOptions } from "node:tls";
import type { WarmProgress } from "./report";

export interface WarmOptions {
    /** Where the hot set comes from: `postgres://…`, `redis://…`/`rediss://…`, or a path to a `.jsonl` file. */
    source: string;
    /** Postgres source: SQL returning `key`, `value` and optionally `ttl` (seconds) columns, hottest rows first. */
    query?: string;
    /**
     * Postgres source: SQL that reads each batch's values fresh, just before they are written, given the batch's
     * keys as `$1` (an array): `SELECT key, value FROM items WHERE key = ANY($1)`. `query` then only ranks the
     * keys (its `value` column may be left out); a key this query no longer returns is skipped.
     */
    valueQuery?: string;
    /** The Redis to warm: `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS. */
    redis: string;
    /**
     * Treat `redis` as one node of a Redis Cluster.
     * @defaultValue false
     */
    cluster?: boolean;
    /** Auth for the target, overriding any in the URL (keeps the password out of URLs and process lists). */
    username?: string;
    password?: string;
    /** Extra TLS settings (CA, servername…) for a `rediss://` target. */
    tls?: ConnectionOptions;
    /** Read at most this many rows from the source (for a redis source: copy the N hottest keys). */
    top?: number;
    /**
     * `"I/N"` (1 ≤ I ≤ N): warm only the I-th of N disjoint shares of the hot set (the first `top` rows), split by a
     * stable hash of the key; the N runs together warm the whole hot set, each key in exactly one of them.
     * Absent: the whole hot set in this run.
     */
    partition?: string;
    /** Seconds to live for rows without their own `ttl` (none: the keys do not expire). Not for a redis source. */
    ttl?: number;
    /**
     * Spread each TTL (the row's own or `ttl`) uniformly by ± this fraction, so the keys do not expire together.
     * @defaultValue 0.1
     */
    jitter?: number;
    /**
     * Keys per pipelined batch.
     * @defaultValue 1000
     */
    batch?: number;
    /**
     * Batches in flight at once.
     * @defaultValue 3
     */
    concurrency?: number;
    /** Cap on writes per second (average; bursts of at most 100 ms worth), to leave room for live traffic. */
    rate?: number;
    /**
     * Values (or DUMP payloads) larger than this many bytes are skipped and counted.
     * @defaultValue 1048576
     */
    maxValueBytes?: number;
    /**
     * Replace keys that already exist; by default a warm never overwrites what live traffic wrote (`SET … NX`).
     * @defaultValue false
     */
    overwrite?: boolean;
    /**
     * Write even when the hot set does not fit the free memory of a primary whose policy evicts: live keys will be
     * evicted to make room. Without it such a warm is refused before its first write (the report's `memory` says
     * by how much it does not fit).
     * @defaultValue false
     */
    acceptEviction?: boolean;
    /**
     * Fail with ColdCacheError when a smaller fraction of the sampled hot keys is present after the warm.
     * @defaultValue 0.95
     */
    minWarmth?: number;
    /**
     * Fail with ColdCacheError when Redis refuses more writes than this for good (OOM under `noeviction`…).
     * @defaultValue 0
     */
    maxRefused?: number;
    /**
     * How many keys, drawn uniformly from the whole hot set written, to check with EXISTS after the warm.
     * @defaultValue 1000
     */
    verifySample?: number;
    /**
     * Read and report (sizes included), write nothing; the warmth reported is the cache's current one.
     * @defaultValue false
     */
    dryRun?: boolean;
    /**
     * Retries of a batch after a transient Redis error (connection lost, LOADING…), with exponential backoff.
     * @defaultValue 5
     */
    retries?: number;
    /**
     * First backoff in milliseconds; it doubles on every retry.
     * @defaultValue 200
     */
    retryBackoffMs?: number;
    /**
     * Milliseconds to connect (TCP, TLS, auth) to any server, and again for its first check (PING, role).
     * @defaultValue 5000
     */
    connectTimeoutMs?: number;
    /**
     * Milliseconds for any one Redis command or batch to answer.
     * @defaultValue 10000
     */
    commandTimeoutMs?: number;
    /**
     * Milliseconds for any one database read (the first one runs the query).
     * @defaultValue 60000
     */
    queryTimeoutMs?: number;
    /** Called after every batch with the running figures. */
    onProgress?: (progress: WarmProgress) => void;
}

/** Every option's default: the one home the engine applies, the CLI's help prints and the manual is tested against. */
export const WARM_DEFAULTS = {
    cluster: false,
    jitter: 0.1,
    batch: 1000,
    concurrency: 3,
    maxValueBytes: 1024 * 1024,
    overwrite: false,
    acceptEviction: false,
    minWarmth: 0.95,
    maxRefused: 0,
    verifySample: 1000,
    dryRun: false,
    retries: 5,
    retryBackoffMs: 200,
    connectTimeoutMs: 5000,
    commandTimeoutMs: 10_000,
    queryTimeoutMs: 60_000,
} as const satisfies { [K in keyof WarmOptions]?: NonNullable<WarmOptions[K]> };

export type NumberOption = {
    [K in keyof WarmOptions]-?: NonNullable<WarmOptions[K]> extends number ? K : never;
}[keyof WarmOptions];

/** What each number allows: `whole` numbers or `decimal` ones, within [min, max] (min excluded with `above`). */
export const WARM_LIMITS: Record<NumberOption, { kind: "whole" | "decimal"; min: number; max?: number; above?: true }> =
    {
        top: { kind: "whole", min: 1 },
        ttl: { kind: "whole", min: 1 },
        // Below 1: a TTL of 2 × base could reach 0 and a key with no life at all.
        jitter: { kind: "decimal", min: 0, max: 0.999 },
        batch: { kind: "whole", min: 1, max: 100_000 },
        concurrency: { kind: "whole", min: 1, max: 64 },
        rate: { kind: "decimal", min: 0, above: true },
        maxValueBytes: { kind: "whole", min: 1, max: 512 * 1024 * 1024 }, // Redis' own limit on a string
        minWarmth: { kind: "decimal", min: 0, max: 1 },
        maxRefused: { kind: "whole", min: 0 },
        verifySample: { kind: "whole", min: 1, max: 100_000 },
        retries: { kind: "whole", min: 0, max: 20 },
        retryBackoffMs: { kind: "whole", min: 1, max: 60_000 },
        connectTimeoutMs: { kind: "whole", min: 1 },
        commandTimeoutMs: { kind: "whole", min: 1 },
        queryTimeoutMs: { kind: "whole", min: 1 },
    };
