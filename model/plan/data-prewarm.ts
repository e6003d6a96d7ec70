// The data tier's warm: its lead and instant before the event, its limits, the scheduled run's retry window, and
// what the deploy should say about it.
import { isoSeconds } from "../../policies/shared/numbers";
import type { WarmstackConfig } from "../config";
import { WARM_KEYS_PER_SECOND, type DataWarmLead } from "../data-warm";
import type { FanOut, WarmSplit } from "../partitions";
import type { Instants } from "../timeline";
import type { ReadinessPlan } from "./index";

/** The warmer function runs this much beyond the warm's own limit (Lambda's 900 s cap less this bounds the config). */
export const FUNCTION_MARGIN_SECONDS = 30;
/** Scheduler and Lambda's asynchronous invokes both take event ages of at least a minute. */
const MIN_EVENT_AGE_SECONDS = 60;
/** The most either allows: Lambda's asynchronous invoke keeps an event at most six hours. */
const MAX_EVENT_AGE_SECONDS = 21_600;
/** Lambda retries a failed asynchronous invoke at most twice. */
const MAX_FUNCTION_RETRIES = 2;

export interface RetryWindow {
    /** How late a retry may still start: one started then still finishes (function timeout) before the start. */
    maximumEventAgeInSeconds: number;
    maximumRetryAttempts: number;
}

/**
 * The retry policy of the scheduled warm: a retry may start only while a whole run (the function's timeout)
 * still ends before the event starts. When even the first run leaves no minute to spare, none is retried.
 */
export function retryWindow(scheduleAt: string, eventStart: string, functionTimeoutSeconds: number): RetryWindow {
    const spare = Math.floor((Date.parse(eventStart) - Date.parse(scheduleAt)) / 1000) - functionTimeoutSeconds;
    return spare < MIN_EVENT_AGE_SECONDS
        ? { maximumEventAgeInSeconds: MIN_EVENT_AGE_SECONDS, maximumRetryAttempts: 0 }
        : {
              maximumEventAgeInSeconds: Math.min(spare, MAX_EVENT_AGE_SECONDS),
              maximumRetryAttempts: MAX_FUNCTION_RETRIES,
          };
}

/** The data warm's section of the plan, with the scheduled instant only while it is still ahead of `now`. */
export function planDataPrewarm(
    config: WarmstackConfig,
    lead: DataWarmLead,
    split: WarmSplit,
    fan: FanOut | undefined,
    instants: Instants | undefined,
    now: number,
): ReadinessPlan["dataPrewarm"] {
    const { cache, database, event } = config;
    const functionTimeoutSeconds = cache.prewarm.timeoutSeconds + FUNCTION_MARGIN_SECONDS;
    const scheduleAt = instants && instants.databaseWarm > now ? isoSeconds(instants.databaseWarm) : undefined;
    return {
        leadMinutes: lead.leadMinutes,
        relations: database.prewarm.relations,
        ...(scheduleAt && { scheduleAt }),
        ...(scheduleAt && event && { retry: retryWindow(scheduleAt, event.start, functionTimeoutSeconds) }),
        estimatedSeconds: lead.estimatedSeconds,
        keysPerSecond: WARM_KEYS_PER_SECOND,
        ...split,
        ...(fan && { fanOut: fan }),
        warmerFunction: cache.prewarm.mode === "lambda" || event !== undefined,
        timeoutSeconds: cache.prewarm.timeoutSeconds,
        functionTimeoutSeconds,
    };
}

/** What to say about the data warm. A warm longer than one run is partitioned (model/partitions.ts), not warned about. */
export function dataWarmWarnings(instants: Instants | undefined, now: number): string[] {
    if (!instants || now < instants.databaseWarm || now >= instants.end) return [];
    return [
        `the scheduled data warm (${isoSeconds(instants.databaseWarm)}) has passed: none is scheduled; this deploy's ` +
            `own warm of the replicas and the cache stands in for it`,
    ];
}
