// The sizes of the hot set, as the warm reads it: the mean and largest entry (key + value bytes) and what the
// whole set will take in Redis, with the per-key overhead the plan sizes the cache with, so `--dry-run` gives the
// figure `warmstack:cache.prewarm.avgEntryBytes` asks for and a check of the plan's memory.
import { redisBytesPerKey } from "../../model/redis-memory";
import type { EntrySizes } from "./report";
import type { Bytes } from "./sources/source";

export class EntrySizer {
    private count = 0;
    private total = 0;
    private largest?: { key: Bytes; bytes: number };

    /** `valueBytes` is measured by the caller, who already knows it (the too-large check). */
    add(key: Bytes, valueBytes: number): void {
        const bytes = byteLength(key) + valueBytes;
        this.count++;
        this.total += bytes;
        if (!this.largest || bytes > this.largest.bytes) this.largest = { key, bytes };
    }

    sizes(): EntrySizes {
        const meanBytes = this.count ? Math.round(this.total / this.count) : 0;
        return {
            count: this.count,
            meanBytes,
            largest: this.largest && { key: this.largest.key.toString(), bytes: this.largest.bytes },
            redisBytes: this.count * (this.count ? redisBytesPerKey(meanBytes) : 0),
        };
    }
}

export function byteLength(value: Bytes): number {
    return typeof value === "string" ? Buffer.byteLength(value) : value.length;
}
