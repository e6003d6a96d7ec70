// What one warmed key takes in Redis: the plan sizes the cache with it, and the warm engine reports the hot set's
// size with it. A file of its own, so the engine (and the warmer function's bundle) carries no plan tables.
import { settle } from "../policies/shared/numbers";

/**
 * Redis's own bytes per key beyond the key and value text: the main dictionary's entry, the expires entry (every
 * warmed key has a TTL), the object headers and both hash tables' buckets, plus cluster mode's slot bookkeeping.
 * Measured (used_memory over 70,000 fresh keys with a TTL, Redis 7.0, jemalloc): 154–174 B standalone, about
 * 16 B more on a cluster node; test/infra/cache-sizing.test.ts repeats the measurement against this figure.
 */
export const REDIS_KEY_OVERHEAD_BYTES = 180;
/** jemalloc's size classes round each allocation up (at most 25 %, about 10 % on average; 4 KB values measured +5 %). */
export const FRAGMENTATION_ALLOWANCE = 1.15;
/** Bytes one warmed key (with its TTL) takes in Redis, for an entry of `entryBytes` key + value bytes. */
export function redisBytesPerKey(entryBytes: number): number {
    return Math.ceil(settle((entryBytes + REDIS_KEY_OVERHEAD_BYTES) * FRAGMENTATION_ALLOWANCE));
}
