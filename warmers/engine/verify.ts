// After the write, the proof: a uniform sample of the whole hot set (sample.ts) is looked up with EXISTS, and
// warmth is the fraction found. It catches what the write counts cannot: evictions under maxmemory, refused writes,
// a flush or a failover in between.
import type { RedisClient } from "./redis-client";
import type { Bytes } from "./sources/source";

export interface Verification {
    sampled: number;
    present: number;
    /** present / sampled; 0 when the source gave nothing to warm: an empty cache is not a warm one. */
    warmth: number;
    /** Per sampled key, in order: whether it is present. */
    found: boolean[];
}

export async function verify(client: RedisClient, keys: readonly Bytes[]): Promise<Verification> {
    // One EXISTS per key (auto-pipelined): a multi-key EXISTS would cross slots in a cluster.
    const found = (await Promise.all(keys.map((key) => client.exists(key)))).map((n) => n > 0);
    const present = found.filter(Boolean).length;
    return { sampled: keys.length, present, warmth: keys.length ? present / keys.length : 0, found };
}
