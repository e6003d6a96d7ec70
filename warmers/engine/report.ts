// What a warm tells its caller: the running figures while it streams, and the full report at the end.
import type { MemoryCheck } from "./memory-check";

export interface SkipCounts {
    /** The key already existed (live traffic wrote it first): left alone unless `overwrite`. */
    present: number;
    /** The source gave the same key again: only its first (hottest) row is written. */
    duplicate: number;
    /** The row had no value (or no key), or the value query no longer returns its key: nothing to write. */
    null: number;
    /** The value was larger than `maxValueBytes`. */
    tooLarge: number;
}

export interface WarmProgress {
    rowsRead: number;
    keysWritten: number;
    skipped: SkipCounts;
    /** Keys Redis refused for a reason a retry cannot fix (OOM, a wrong DUMP version…). */
    errors: number;
    /** How many rows the source will yield, when it knows (the redis source, after ranking). */
    total?: number;
}

/** The sizes of the entries the warm meant to write (one per distinct key with a value). */
export interface EntrySizes {
    count: number;
    /** Mean key + value bytes: the figure `warmstack:cache.prewarm.avgEntryBytes` asks for. */
    meanBytes: number;
    /** The largest entry, key + value bytes (for a redis source the value is its DUMP payload). */
    largest?: { key: string; bytes: number };
    /** What they take in Redis: count × bytes per key at the mean size (model/cache-sizing.ts). */
    redisBytes: number;
}

export interface WarmReport extends WarmProgress {
    /** The source and target as given, passwords redacted. */
    source: string;
    redis: string;
    /** The share of the hot set this run warmed (`2/4`), when it was one; every figure below is that share's. */
    partition?: string;
    dryRun: boolean;
    durationMs: number;
    keysPerSecond: number;
    entries: EntrySizes;
    /**
     * The longest time between reading a value from the source and Redis acknowledging its write: how stale the
     * oldest value written can be. Absent when nothing was written.
     */
    oldestValueAgeMs?: number;
    /** Fraction of the sampled hot keys present in Redis after the warm. */
    warmth: number;
    /** Keys drawn uniformly from the whole hot set (one per distinct key), checked with EXISTS. */
    verified: { sampled: number; present: number };
    /** The first error Redis gave for a refused key, when `errors` > 0. */
    firstError?: string;
    /**
     * Whether the hot set fits each primary's memory without evicting live data (memory-check.ts): in a dry run,
     * and in a warm whose target evicts (from the sizing pass before its first write). Absent otherwise.
     */
    memory?: MemoryCheck;
}
