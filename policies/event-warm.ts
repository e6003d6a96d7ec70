// The cache warm at event time: a deploy hours before the event leaves keys that expire before it starts, so
// each cache of an event stack needs a one-time EventBridge schedule that runs its warm shortly before the
// start — late enough that the keys written then outlive the start, early enough that the warm is done by then.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { cacheIdKey, cachesOf, prewarmsOf } from "./cache";
import { prewarmConfig, settings } from "./config";
import { PREWARM_INPUTS, TAGS, TYPES, WARM_SCHEDULE } from "./shared/contract";
import { DEFAULTS } from "./shared/defaults";
import { badStart, EventStart, eventStartOf, eventText, stackEventTags, tagMapOf } from "./event";
import { POLICY } from "./names";
import { isoSeconds, settle } from "./shared/numbers";
import { isRecord, known, numberOf, ofType, Props, referencedBy, stringOf, Unknowns } from "./props";

/** When a warm of `cache` may fire: after `earliest` (exclusive) and by `latest`. */
export interface WarmWindow {
    /** start − the shortest TTL a key gets: a key written at this instant expires exactly at the start. */
    earliest: number;
    /** start − the warm's timeout: a warm fired later may still be writing when the traffic arrives. */
    latest: number;
    /** Seconds a key written by the warm lives at least; undefined when no CachePrewarm says. */
    lifeSeconds?: number;
    timeoutSeconds: number;
}

/** The window from the cache's CachePrewarm(s): the shortest key life and the longest timeout among them. */
export function warmWindow(startMs: number, prewarms: PolicyResource[]): WarmWindow {
    const lives = prewarms.flatMap((p) => {
        const ttl = numberOf(p.props[PREWARM_INPUTS.ttlSeconds]);
        return ttl === undefined ? [] : [settle(ttl * (1 - (numberOf(p.props[PREWARM_INPUTS.ttlJitter]) ?? 0)))];
    });
    const timeouts = prewarms.map(
        (p) => numberOf(p.props[PREWARM_INPUTS.timeoutSeconds]) ?? DEFAULTS.prewarmTimeoutSeconds,
    );
    const lifeSeconds = lives.length > 0 ? Math.min(...lives) : undefined;
    const timeoutSeconds = timeouts.length > 0 ? Math.max(...timeouts) : DEFAULTS.prewarmTimeoutSeconds;
    return {
        earliest: lifeSeconds === undefined ? -Infinity : startMs - lifeSeconds * 1000,
        latest: startMs - timeoutSeconds * 1000,
        lifeSeconds,
        timeoutSeconds,
    };
}

/** The schedule's `target.input` as JSON; undefined when it is not (yet) a JSON object. */
function payloadOf(schedule: Props): Props | undefined {
    const target = known(schedule, WARM_SCHEDULE.targetProperty);
    const input = isRecord(target) ? known(target, "input") : undefined;
    if (typeof input !== "string") return undefined;
    try {
        const payload: unknown = JSON.parse(input);
        return isRecord(payload) ? payload : undefined;
    } catch {
        return undefined;
    }
}

/** The scheduled warms of `cache`: linked by their target's dependency on it, or by the id their payload names. */
export function schedulesOf(cache: PolicyResource, resources: PolicyResource[]): PolicyResource[] {
    const id = known(cache.props, cacheIdKey(cache));
    return ofType(resources, TYPES.warmSchedule).filter(
        (s) =>
            referencedBy(s, WARM_SCHEDULE.targetProperty, [cache], []).length > 0 ||
            (id !== undefined && payloadOf(s.props)?.[WARM_SCHEDULE.payloadLink] === id),
    );
}

/** A schedule's instant, or why it does not run once at a known UTC instant. */
function instantOf(schedule: Props): { at: number } | { problem: string } {
    const expression = String(schedule.scheduleExpression);
    const match = WARM_SCHEDULE.expression.exec(expression);
    if (!match) return { problem: `its expression ${expression} is not a one-time at(YYYY-MM-DDTHH:MM:SS)` };
    const zone = stringOf(schedule.scheduleExpressionTimezone) ?? WARM_SCHEDULE.timezone;
    if (zone !== WARM_SCHEDULE.timezone) {
        return { problem: `it reads ${expression} in ${zone}: set scheduleExpressionTimezone to UTC` };
    }
    const window = schedule.flexibleTimeWindow;
    const mode = isRecord(window) ? stringOf(window.mode) : undefined;
    if (mode !== WARM_SCHEDULE.flexibleWindowMode) {
        return { problem: `its flexibleTimeWindow.mode is ${mode ?? "unset"}: set it to OFF, or it may fire late` };
    }
    if (schedule.state === "DISABLED") return { problem: "it is DISABLED" };
    return { at: Date.parse(`${match[1]}Z`) };
}

/** "45 min before the start", "90 s after the start". */
function relativeToStart(ms: number, start: number): string {
    const gap = Math.abs(start - ms);
    const size = gap % 60_000 === 0 ? `${gap / 60_000} min` : `${Math.round(gap / 1000)} s`;
    return `${size} ${ms <= start ? "before" : "after"} the start`;
}

/**
 * Why `cache` meets the event cold: no scheduled warm in its window, named with each schedule's instant, the
 * start and the window; undefined when one of its schedules fires in the window.
 */
export function eventWarmProblem(
    cache: PolicyResource,
    event: EventStart,
    resources: PolicyResource[],
    unknowns: Unknowns,
    now: number,
): string | undefined {
    const window = warmWindow(event.ms, prewarmsOf(cache, resources));
    // A deploy inside the window warms in time by itself, and after it no schedule can (the plan makes none).
    // Without a CachePrewarm the keys' life is unknown (earliest is −∞): cache-prewarmed blocks that stack.
    if (now > window.earliest) return undefined;
    const findings: string[] = [];
    let pending = false;
    for (const schedule of schedulesOf(cache, resources)) {
        const instant = unknowns.check(schedule, () => instantOf(schedule.props));
        if (instant === undefined) {
            pending = true;
            continue;
        }
        if ("problem" in instant) {
            findings.push(`${schedule.name}: ${instant.problem}`);
            continue;
        }
        const at = instant.at;
        if (at > window.earliest && at <= window.latest) return undefined;
        const when = `${schedule.name} fires at ${isoSeconds(at)}, ${relativeToStart(at, event.ms)}`;
        findings.push(
            at >= event.ms
                ? `${when}: the traffic meets the cache before its warm`
                : at > window.latest
                  ? `${when}: later than the latest safe instant — the warm may still be writing at the start`
                  : `${when}: too early — the keys it writes live ${window.lifeSeconds} s and expire before the start`,
        );
    }
    // An unknown schedule may be the warm: leave the verdict to apply rather than block on a guess.
    if (pending) return undefined;
    const safe =
        window.earliest >= window.latest
            ? `no instant works: its keys live ${window.lifeSeconds} s, no longer than the warm's timeout of ` +
              `${window.timeoutSeconds} s — raise cache.prewarm.ttlSeconds or lower the warm's timeoutSeconds`
            : `it must fire after ${isoSeconds(window.earliest)} (a key written then lives ${window.lifeSeconds} s, ` +
              `TTL less jitter) and by ${isoSeconds(window.latest)}, the latest safe instant (the warm may take ` +
              `${window.timeoutSeconds} s, its timeout)`;
    const found =
        findings.length === 0
            ? `no scheduled warm (an ${TYPES.warmSchedule} whose target input names this cache) runs before ${eventText(event)}`
            : `no scheduled warm fires in time for ${eventText(event)}: ${findings.join("; ")}`;
    return `${found}; ${safe}`;
}

/** The event start a cache is judged against: the policy config, the cache's tags, else the stack's group. */
export function cacheEvent(cache: PolicyResource, configured: string | undefined, resources: PolicyResource[]) {
    const own = tagMapOf(cache.props);
    return eventStartOf(configured, own.has(TAGS.eventStart) ? own : stackEventTags(resources));
}

export const prewarmBeforeEvent: StackValidationPolicy = {
    name: POLICY.prewarmBeforeEvent,
    description:
        "On an event stack, each ElastiCache cache has a one-time scheduled warm that fires before the event " +
        "starts, late enough that the keys it writes still live at the start and early enough to be done by then — " +
        "a deploy-time warm alone has expired by the event.",
    enforcementLevel: "mandatory",
    configSchema: prewarmConfig,
    validateStack: (args, reportViolation) => {
        const { eventStart } = settings(args, prewarmConfig);
        const now = Date.now();
        const unknowns = new Unknowns();
        for (const cache of cachesOf(args.resources)) {
            unknowns.check(cache, () => {
                const event = cacheEvent(cache, eventStart, args.resources);
                if (event === undefined) return;
                if (Number.isNaN(event.ms)) return reportViolation(badStart(cache.name, event), cache.urn);
                const problem = eventWarmProblem(cache, event, args.resources, unknowns, now);
                if (problem) {
                    reportViolation(
                        `${cache.name}: ${problem}. Add or move its aws.scheduler.Schedule ` +
                            "(warmstack: cache.prewarm.leadMinutes sets the lead).",
                        cache.urn,
                    );
                }
            });
        }
        unknowns.settle();
    },
};
