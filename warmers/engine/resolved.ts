// What the rest of the engine sees once resolve.ts has checked the options: every default filled in, URLs parsed.
import type { ConnectionOptions } from "node:tls";
import type { Partition } from "./partition";
import type { Redactor } from "./redact";
import type { WarmProgress } from "./report";

export type SourceSpec =
    | { kind: "postgres"; url: string; query: string; valueQuery?: string }
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
    /** The share of the hot set this run warms; absent: all of it. */
    partition?: Partition;
    ttl?: number;
    jitter: number;
    batch: number;
    concurrency: number;
    rate?: number;
    maxValueBytes: number;
    overwrite: boolean;
    acceptEviction: boolean;
    minWarmth: number;
    maxRefused: number;
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
