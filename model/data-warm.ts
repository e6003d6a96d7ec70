// When the data tier's scheduled warm fires: early enough to finish before the event starts, late enough that
// every key it writes is still live at the start. Pure; the formulas are in docs/configuration.md.
import { WARM_RUN } from "../policies/shared/contract";
import { settle } from "../policies/shared/numbers";
import type { WarmstackConfig } from "./config";
import { planned, refused, type Planned } from "./planned";

/** The lead the plan prefers when cache.prewarm.leadMinutes is left out, where the warm and the TTL allow it. */
export const DEFAULT_LEAD_MINUTES = 30;
/**
 * The warmer function's memory. Lambda hands out CPU in proportion to memory: 1 GiB is about 0.6 of a vCPU, which
 * keeps the batch encoding ahead of the network. WARM_KEYS_PER_SECOND assumes it: change both together.
 */
export const WARMER_MEMORY_MB = 1024;
/**
 * Keys per second the plan assumes for a warm run by the warmer Lambda (WARMER_MEMORY_MB) into ElastiCache:
 * deliberately low. `npm run bench:function` runs the engine held to the function's CPU share (58 % of a vCPU)
 * beside it unlimited, on loopback: held, 31,000–54,000 keys/s (medians 36,000–37,000) on a machine too loaded for the hold to bind, and
 * about 130,000 keys per CPU-second, so 66,000–79,000 keys/s at the share were the CPU the only bound
 * (docs/benchmarks.md). Loopback has no TLS and no VPC round trips: the plan takes about half the held figure
 * and a quarter of the CPU-bound one, a floor the function should beat, not a promise.
 */
export const WARM_KEYS_PER_SECOND = WARM_RUN.keysPerSecond;
/** A cold start, the connections and the ranking query's first rows, before the first key is written. */
export const WARM_START_SECONDS = WARM_RUN.startSeconds;

/** Seconds the cache warm of `topKeys` keys is expected to take, at most. */
export function estimateWarmSeconds(topKeys: number): number {
    return Math.ceil(settle(WARM_START_SECONDS + topKeys / WARM_KEYS_PER_SECOND));
}

/** The largest whole lead in minutes for which `lead × 60 < ttl × (1 − jitter)`: 0 when no lead works. */
export function longestLeadMinutes(ttlSeconds: number, ttlJitter: number): number {
    return Math.max(0, Math.ceil(settle((ttlSeconds * (1 - ttlJitter)) / 60)) - 1);
}

/** The shortest whole lead in minutes that holds the estimated warm. */
export function shortestLeadMinutes(estimatedSeconds: number): number {
    return Math.ceil(settle(estimatedSeconds / 60));
}

/**
 * The lead the plan picks between the warm's shortest and the TTL's longest: DEFAULT_LEAD_MINUTES, or the nearer
 * bound when it lies outside them — longer for a warm that needs it, shorter for a TTL that demands it. Within the
 * bounds whenever shortest ≤ longest; otherwise no lead works and the caller refuses.
 */
export function pickLeadMinutes(shortest: number, longest: number): number {
    return Math.min(Math.max(DEFAULT_LEAD_MINUTES, shortest), longest);
}

export interface DataWarmLead {
    leadMinutes: number;
    estimatedSeconds: number;
}

/**
 * The lead of the scheduled data warm, given or picked, or the problems that leave no lead working. Without an
 * event nothing is scheduled — the warm runs at each deploy — so no lead constrains the TTL or the timeout; the
 * lead is still reported, as the one an event would get. `waves`: the rounds of a partitioned warm
 * (model/partitions.ts), each of which may run until the timeout; absent: one run.
 */
export function dataWarmLead(
    prewarm: WarmstackConfig["cache"]["prewarm"],
    event: WarmstackConfig["event"],
    waves?: number,
): Planned<DataWarmLead> {
    const estimatedSeconds = estimateWarmSeconds(prewarm.topKeys);
    const longest = longestLeadMinutes(prewarm.ttlSeconds, prewarm.ttlJitter);
    // The warm may run until its timeout: it must end, warm or failed and alarmed, before the start. The
    // policy pack's latest safe instant is start − timeoutSeconds too, so the two agree.
    const shortest = shortestLeadMinutes(
        waves === undefined ? Math.max(estimatedSeconds, prewarm.timeoutSeconds) : waves * prewarm.timeoutSeconds,
    );
    const given = prewarm.leadMinutes;
    const leadMinutes = given ?? pickLeadMinutes(shortest, longest);
    if (event === undefined) return planned({ leadMinutes, estimatedSeconds });
    const ttlText =
        `a key written then must outlive the start: lead × 60 < cache.prewarm.ttlSeconds × (1 − ttlJitter) = ` +
        `${prewarm.ttlSeconds} × ${settle(1 - prewarm.ttlJitter)} s`;
    const warmText =
        waves !== undefined
            ? `the partitioned warm's ${waves} round(s) may each run up to cache.prewarm.timeoutSeconds ` +
              `(${prewarm.timeoutSeconds} s) and must end before the start`
            : estimatedSeconds >= prewarm.timeoutSeconds
              ? `the warm of ${prewarm.topKeys} keys needs about ${estimatedSeconds} s at ${WARM_KEYS_PER_SECOND} keys/s`
              : `the warm may run up to cache.prewarm.timeoutSeconds (${prewarm.timeoutSeconds} s) and must end before the start`;
    if (shortest > longest) {
        return refused([
            {
                key: "warmstack:cache.prewarm.ttlSeconds",
                given: prewarm.ttlSeconds,
                allowed:
                    `at least ${Math.floor(settle((shortest * 60) / (1 - prewarm.ttlJitter))) + 1}, since no lead ` +
                    `holds both the warm and the TTL: at least ${shortest} min, as ${warmText}, and at most ` +
                    `${longest} min, as ${ttlText}`,
            },
        ]);
    }
    if (leadMinutes > longest) {
        return refused([
            {
                key: "warmstack:cache.prewarm.leadMinutes",
                given,
                allowed: `at most ${longest} for cache.prewarm.ttlSeconds ${prewarm.ttlSeconds}: ${ttlText}`,
            },
        ]);
    }
    if (leadMinutes < shortest) {
        return refused([
            {
                key: "warmstack:cache.prewarm.leadMinutes",
                given,
                allowed: `at least ${shortest} (and at most ${longest} for the TTL): ${warmText}`,
            },
        ]);
    }
    return planned({ leadMinutes, estimatedSeconds });
}
