// What a warm tells its caller: the running figures while it streams, and the full report at the end.

export interface SkipCounts {
    /** The key already existed (live traffic wrote it first): left alone unless `overwrite`. */
    present: number;
    /** The row had no value (or no key): nothing to write. */
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

export interface WarmReport extends WarmProgress {
    /** The source and target as given, passwords redacted. */
    source: string;
    redis: string;
    dryRun: boolean;
    durationMs: number;
    keysPerSecond: number;
    /** Fraction of the sampled hot keys present in Redis after the warm. */
    warmth: number;
    /** The hottest intended keys (the first rows) checked with EXISTS, and how many were there. */
    verified: { sampled: number; present: number };
    /** The first error Redis gave for a refused key, when `errors` > 0. */
    firstError?: string;
}
