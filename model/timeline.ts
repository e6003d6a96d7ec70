// An event's instants, from the last safe deploy to the scale-down, and where `now` falls among them. Pure.
import { isoSeconds } from "../policies/shared/numbers";
import type { WarmstackConfig } from "./config";

/**
 * How long before its first scheduled instant an event stack should be deployed: creating the RDS replicas and
 * the ElastiCache group takes tens of minutes, and every schedule must exist before it fires.
 */
export const DEPLOY_ALLOWANCE_MINUTES = 60;
/**
 * A new RDS read replica. AWS gives no duration for creating one (USER_ReadRepl.Create: RDS snapshots the source and
 * starts replication; a long-running transaction on the source slows it; the volumes go on loading in the
 * background after it is available), so this is a bound, not a measurement: the AWS provider waits up to 40 minutes
 * for an aws.rds.Instance to become available (its default create timeout, the Terraform AWS provider's
 * `aws_db_instance` `timeouts.create` of 40m) before the deploy fails. The app tier's group is created after the
 * replicas (its user data names them).
 */
export const REPLICA_CREATE_MINUTES = 40;

/**
 * Minutes a deploy needs before the event's first scheduled instant: the allowance, or longer when the new
 * replicas and then the warm pool's instances warming into the pool take longer. Each instance boots and is held by
 * the agent up to its deadline; the group starts the launches of its whole pool together (AWS publishes no launch
 * rate for filling a pool), so the pool is one such wave.
 */
export function deployAllowanceMinutes(bootSeconds: number, agentDeadlineSeconds: number): number {
    return Math.max(
        DEPLOY_ALLOWANCE_MINUTES,
        REPLICA_CREATE_MINUTES + Math.ceil((bootSeconds + agentDeadlineSeconds) / 60),
    );
}

/**
 * The last instant AWS schedules: EventBridge Scheduler's `at()` and Auto Scaling's StartTime take a four-digit
 * year. Every instant of the timeline must fall by it (config.ts refuses an end + cooldown past it).
 */
export const LAST_SCHEDULABLE = "9999-12-31T23:59:59Z";

/**
 * The longest lead or cooldown, in minutes: a year. Nothing an event stack schedules is further off its start or
 * end, and it keeps every instant a finite date (a lead of 10¹² minutes is no date at all).
 */
export const MAX_MINUTES = 525_600;

/** Where the event is at `now`: before its start, between start and end, after its end. */
export type EventPhase = "upcoming" | "started" | "ended";

/** UTC instants, `YYYY-MM-DDTHH:MM:SSZ`. */
export interface Timeline {
    /** The first scheduled instant less deployAllowanceMinutes. */
    deployBy: string;
    /** The scheduled data warm fires: the replicas' buffers first… */
    databaseWarm: string;
    /** …then the cache, as soon as they are done (the earliest a key can be written, so the TTL check uses it). */
    cacheWarm: string;
    /** The compute ramp: capacity raised to the peak. */
    ramp: string;
    start: string;
    end: string;
    /** Capacity back to the baseline, after the cooldown. */
    scaleDown: string;
}

/** The same instants in ms since the epoch. */
export type Instants = { [K in keyof Timeline]: number };

export function eventInstants(
    event: NonNullable<WarmstackConfig["event"]>,
    dataLeadMinutes: number,
    allowanceMinutes = DEPLOY_ALLOWANCE_MINUTES,
): Instants {
    const start = Date.parse(event.start);
    const end = Date.parse(event.end);
    // Schedules take whole seconds: what prepares the event rounds earlier, the scale-down later.
    const dataWarm = floorSecond(start - dataLeadMinutes * 60_000);
    const ramp = floorSecond(start - event.rampLeadMinutes * 60_000);
    return {
        deployBy: Math.min(dataWarm, ramp) - allowanceMinutes * 60_000,
        databaseWarm: dataWarm,
        cacheWarm: dataWarm,
        ramp,
        start,
        end,
        scaleDown: Math.ceil((end + event.cooldownMinutes * 60_000) / 1000) * 1000,
    };
}

const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

export function timelineOf(instants: Instants): Timeline {
    return Object.fromEntries(Object.entries(instants).map(([k, ms]) => [k, isoSeconds(ms)])) as unknown as Timeline;
}

export function phaseAt(now: number, instants: Pick<Instants, "start" | "end">): EventPhase {
    return now < instants.start ? "upcoming" : now < instants.end ? "started" : "ended";
}

/**
 * The timeline as rows in time order (the data warm and the ramp may come either way round, by their leads);
 * equal instants keep the order of `Timeline`'s keys.
 */
export function orderedTimeline(timeline: Timeline): Array<{ name: keyof Timeline; at: string }> {
    return (Object.keys(timeline) as Array<keyof Timeline>)
        .map((name) => ({ name, at: timeline[name] }))
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
