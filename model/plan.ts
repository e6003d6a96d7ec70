// The readiness plan: every number and instant the stack deploys, from the config and the time of the deploy.
// Pure and deterministic (the caller passes `now`), so the components, the tags the policy pack reads, the
// pre-warm, the agent and `warmstack plan` all take their numbers from here. Each formula is written out in
// docs/configuration.md; constants fixed by AWS or by the agent are named where they are used.
import { isoSeconds, settle } from "../policies/shared/numbers";
import { sizeCache } from "./cache-sizing";
import { ConfigError, ConfigProblem, PoolState, WarmstackConfig } from "./config";
import { costOf, CostPlan } from "./cost";
import { dataWarmLead, WARM_KEYS_PER_SECOND } from "./data-warm";
import {
    DEPLOY_ALLOWANCE_MINUTES,
    eventInstants,
    EventPhase,
    Instants,
    phaseAt,
    Timeline,
    timelineOf,
} from "./timeline";

export interface ScheduledCapacity {
    name: string;
    /** UTC, `YYYY-MM-DDTHH:MM:SSZ`, the form Auto Scaling schedules take. Always after `now`. */
    startTime: string;
    minSize: number;
    maxSize: number;
    desiredCapacity: number;
}

export interface PlanOptions {
    /** The deploy's clock, ms since the epoch (`Date.now()`): decides what is still to schedule. */
    now: number;
}

export interface ReadinessPlan {
    event?: {
        name: string;
        start: string;
        end: string;
        rampLeadMinutes: number;
        cooldownMinutes: number;
        phase: EventPhase;
    };
    /** The event's instants in UTC, whether past or future; `orderedTimeline` lists them in time order. */
    timeline?: Timeline;
    /** What the deploy should say out loud (an event already under way, a warm that may overrun, …). */
    warnings: string[];
    instances: { baseline: number; peak: number };
    /** The group's sizes as deployed now: the baseline, or the peak while the event's capacity window is open. */
    group: { minSize: number; maxSize: number; desiredCapacity: number };
    warmPool: {
        state: PoolState;
        minSize: number;
        maxGroupPreparedCapacity: number;
        reuseOnScaleIn: boolean;
        /** Why the pool is empty, when it is (a flat stack has no capacity to scale into). */
        reason?: string;
    };
    scaling: {
        /** ALBRequestCountPerTarget target: requests per instance per minute, headroom kept free. */
        requestsPerTargetPerMinute: number;
        warmupSeconds: number;
        /** How long the launch hook holds an instance for the agent before it is ABANDONed. */
        launchHookTimeoutSeconds: number;
        /**
         * The agent's overall deadline (its `timeouts.overallMs`): the hook's clock starts at launch, before the
         * boot, and a minute is left to send ABANDON.
         */
        agentDeadlineSeconds: number;
    };
    /** Only instants after `now`: AWS rejects a scheduled action in the past. */
    schedule: ScheduledCapacity[];
    database: {
        replicas: number;
        maxConnections: number;
        /** Connections each endpoint (writer, every replica) may give the app tier at peak. */
        budgetPerEndpoint: number;
        writerPoolPerInstance: number;
        /** Each instance opens this many to every replica… */
        readerPoolPerReplica: number;
        /** …so it holds this many reader connections in all. */
        readerPoolPerInstance: number;
    };
    /** The data tier's warm: at every deploy, and once more at `scheduleAt` before an event. */
    dataPrewarm: {
        /** Minutes before event.start the scheduled warm fires. */
        leadMinutes: number;
        /** Relations each replica loads into its buffers (pg_prewarm), replicas first, then the cache. */
        relations: string[];
        /** The one Scheduler instant, UTC; absent without an event, or once that instant has passed. */
        scheduleAt?: string;
        /** The cache warm's expected duration at `keysPerSecond`. */
        estimatedSeconds: number;
        keysPerSecond: number;
        /**
         * The warmer function is deployed: cache.prewarm.mode "lambda", or any event stack, whose scheduled warm
         * invokes it whatever the mode.
         */
        warmerFunction: boolean;
        /** The warm's own limit (cache.prewarm.timeoutSeconds)… */
        timeoutSeconds: number;
        /** …and the warmer function's, beyond it so the engine's timeout message reaches the caller. */
        functionTimeoutSeconds: number;
    };
    cache: {
        /** Every node: shards × (1 + replicasPerShard). */
        nodes: number;
        prewarmKeys: number;
        ttlSeconds: number;
        ttlJitter: number;
        minWarmth: number;
        clusterMode: boolean;
        shards: number;
        replicasPerShard: number;
        bytesPerKey: number;
        hotSetBytes: number;
        nodeMemoryBytes: number;
        usableBytesPerShard: number;
    };
    cost: CostPlan;
}

const LAUNCH_HOOK_MIN_SECONDS = 300;
const LAUNCH_HOOK_MAX_SECONDS = 7200;
const ABANDON_MARGIN_SECONDS = 60;
/** The agent's least time after the boot: the hook timeout's clamp gives exactly this at bootSeconds 150 and 7050 (the most accepted). */
const AGENT_MIN_SECONDS = 90;
/** The warmer function runs this much beyond the warm's own limit (Lambda's 900 s cap less this bounds the config). */
export const FUNCTION_MARGIN_SECONDS = 30;

/** Instances that serve `rps` with `headroom` spare, never fewer than `floor`. */
export function instancesFor(rps: number, rpsPerInstance: number, headroom: number, floor: number): number {
    return Math.max(floor, Math.ceil(settle((rps * (1 + headroom)) / rpsPerInstance)));
}

/**
 * Throws one ConfigError naming every value the plan cannot work with (connections, ramp time, cache size,
 * data warm lead, prices); otherwise every number.
 */
export function plan(config: WarmstackConfig, options: PlanOptions): ReadinessPlan {
    const { now } = options;
    const { traffic, compute, cache, database, event } = config;
    const baseline = instancesFor(traffic.baselineRps, traffic.rpsPerInstance, traffic.headroom, compute.minInstances);
    const peak = Math.max(
        baseline,
        instancesFor(traffic.peakRps, traffic.rpsPerInstance, traffic.headroom, compute.minInstances),
    );
    const warmPool = warmPoolFor(config, baseline, peak);

    // At least one: the cache pre-warm reads from a replica and never loads the primary.
    const replicas = Math.max(1, Math.ceil(settle(database.readQps / database.readQpsPerReplica)));
    const budgetPerEndpoint = Math.floor(settle(database.maxConnections * (1 - database.connectionReserve)));
    const perInstanceShare = Math.floor(budgetPerEndpoint / peak);
    // The writer and every replica have the same budget, so an instance opens the same pool to each.
    const poolPerEndpoint = Math.min(database.pool.max, perInstanceShare);

    const launchHookTimeoutSeconds = Math.min(
        LAUNCH_HOOK_MAX_SECONDS,
        Math.max(LAUNCH_HOOK_MIN_SECONDS, 2 * compute.bootSeconds),
    );

    const sizing = sizeCache(cache);
    const lead = dataWarmLead(cache.prewarm);
    const instants = event && !Array.isArray(lead) ? eventInstants(event, lead.leadMinutes) : undefined;
    const cost = Array.isArray(sizing)
        ? []
        : costOf({
              config,
              instances: { baseline, peak },
              warmPoolSize: warmPool.minSize,
              replicas,
              cacheNodes: sizing.nodes,
              instants,
          });

    const problems: ConfigProblem[] = [
        ...connectionProblems(config, peak, replicas, budgetPerEndpoint, perInstanceShare),
        ...rampProblems(config),
        ...bootProblems(config),
        ...(Array.isArray(sizing) ? sizing : []),
        ...(Array.isArray(lead) ? lead : []),
        ...(Array.isArray(cost) ? cost : []),
    ];
    if (problems.length > 0 || Array.isArray(sizing) || Array.isArray(lead) || Array.isArray(cost)) {
        throw new ConfigError(problems, "warmstack config cannot be planned");
    }

    const capacity = eventCapacity(config, { baseline, peak }, instants, now);
    const scheduleAt = instants && instants.databaseWarm > now ? isoSeconds(instants.databaseWarm) : undefined;

    return {
        ...(event &&
            instants && {
                event: {
                    name: event.name,
                    start: event.start,
                    end: event.end,
                    rampLeadMinutes: event.rampLeadMinutes,
                    cooldownMinutes: event.cooldownMinutes,
                    phase: phaseAt(now, instants),
                },
                timeline: timelineOf(instants),
            }),
        warnings: [
            ...capacity.warnings,
            ...dataWarmWarnings(config, lead, instants, now),
            ...lateDeployWarnings(instants, peak === baseline, now),
            ...(warmPool.reason && event ? [`event ${event.name}: ${warmPool.reason}`] : []),
        ],
        instances: { baseline, peak },
        group: capacity.group,
        warmPool,
        scaling: {
            requestsPerTargetPerMinute: Math.floor(settle((traffic.rpsPerInstance * 60) / (1 + traffic.headroom))),
            warmupSeconds: compute.warmupSeconds,
            launchHookTimeoutSeconds,
            agentDeadlineSeconds: launchHookTimeoutSeconds - compute.bootSeconds - ABANDON_MARGIN_SECONDS,
        },
        schedule: capacity.schedule,
        database: {
            replicas,
            maxConnections: database.maxConnections,
            budgetPerEndpoint,
            writerPoolPerInstance: poolPerEndpoint,
            readerPoolPerReplica: poolPerEndpoint,
            readerPoolPerInstance: poolPerEndpoint * replicas,
        },
        dataPrewarm: {
            leadMinutes: lead.leadMinutes,
            relations: database.prewarm.relations,
            ...(scheduleAt && { scheduleAt }),
            estimatedSeconds: lead.estimatedSeconds,
            keysPerSecond: WARM_KEYS_PER_SECOND,
            warmerFunction: cache.prewarm.mode === "lambda" || event !== undefined,
            timeoutSeconds: cache.prewarm.timeoutSeconds,
            functionTimeoutSeconds: cache.prewarm.timeoutSeconds + FUNCTION_MARGIN_SECONDS,
        },
        cache: {
            nodes: sizing.nodes,
            prewarmKeys: cache.prewarm.topKeys,
            ttlSeconds: cache.prewarm.ttlSeconds,
            ttlJitter: cache.prewarm.ttlJitter,
            minWarmth: cache.prewarm.minWarmth,
            clusterMode: sizing.clusterMode,
            shards: sizing.shards,
            replicasPerShard: sizing.replicasPerShard,
            bytesPerKey: sizing.bytesPerKey,
            hotSetBytes: sizing.hotSetBytes,
            nodeMemoryBytes: sizing.nodeMemoryBytes,
            usableBytesPerShard: sizing.usableBytesPerShard,
        },
        cost,
    };
}

/** The pool holds fractionOfPeak of the peak, never more than the group can scale into (max − min). */
function warmPoolFor(config: WarmstackConfig, baseline: number, peak: number): ReadinessPlan["warmPool"] {
    const { warmPool } = config.compute;
    const minSize = Math.min(Math.ceil(settle(warmPool.fractionOfPeak * peak)), peak - baseline);
    const reason =
        minSize > 0
            ? undefined
            : peak === baseline
              ? `flat: the peak needs no more instances than the baseline (${peak}), so no ramp is scheduled and no warm pool is kept`
              : "compute.warmPool.fractionOfPeak is 0";
    return {
        state: warmPool.state,
        minSize,
        maxGroupPreparedCapacity: baseline + minSize,
        reuseOnScaleIn: warmPool.reuseOnScaleIn,
        ...(reason && { reason }),
    };
}

/**
 * The group's sizes and schedule at `now`: before the ramp, the baseline and both schedules; inside the
 * event's capacity window (ramp to scale-down) the peak at once and only the ramp-down; after it, the baseline
 * and nothing. A flat stack has nothing to ramp.
 */
function eventCapacity(
    config: WarmstackConfig,
    instances: { baseline: number; peak: number },
    instants: Instants | undefined,
    now: number,
): { group: ReadinessPlan["group"]; schedule: ScheduledCapacity[]; warnings: string[] } {
    const { baseline, peak } = instances;
    const atBaseline = { minSize: baseline, maxSize: peak, desiredCapacity: baseline };
    const { event } = config;
    if (!event || !instants) return { group: atBaseline, schedule: [], warnings: [] };
    const at = (ms: number) => isoSeconds(ms);
    const rampDown: ScheduledCapacity = {
        name: `${event.name}-ramp-down`,
        startTime: at(instants.scaleDown),
        ...atBaseline,
    };
    const flat = peak === baseline;
    if (now < instants.ramp) {
        const rampUp = {
            name: `${event.name}-ramp-up`,
            startTime: at(instants.ramp),
            minSize: peak,
            maxSize: peak,
            desiredCapacity: peak,
        };
        return { group: atBaseline, schedule: flat ? [] : [rampUp, rampDown], warnings: [] };
    }
    const phase = phaseAt(now, instants);
    if (now < instants.scaleDown) {
        const why =
            phase === "upcoming"
                ? `starts at ${at(instants.start)} and its ramp (${at(instants.ramp)}) has passed`
                : phase === "started"
                  ? `started at ${at(instants.start)} and runs until ${at(instants.end)}`
                  : `ended at ${at(instants.end)}; its cooldown runs until ${at(instants.scaleDown)}`;
        return {
            group: { minSize: peak, maxSize: peak, desiredCapacity: peak },
            schedule: flat ? [] : [rampDown],
            warnings: [
                `event ${event.name} ${why}: the group runs at its peak of ${peak} instances from this deploy on` +
                    (flat ? "" : `, and only the ramp-down at ${at(instants.scaleDown)} is scheduled`),
            ],
        };
    }
    return {
        group: atBaseline,
        schedule: [],
        warnings: [
            `event ${event.name} ended at ${at(instants.end)} (scale-down ${at(instants.scaleDown)}): nothing is ` +
                `scheduled and the group runs at its baseline of ${baseline} instances`,
        ],
    };
}

function dataWarmWarnings(
    config: WarmstackConfig,
    lead: { leadMinutes: number; estimatedSeconds: number },
    instants: Instants | undefined,
    now: number,
): string[] {
    const { prewarm } = config.cache;
    const warnings: string[] = [];
    if (lead.estimatedSeconds > prewarm.timeoutSeconds) {
        warnings.push(
            `the cache warm of ${prewarm.topKeys} keys may take about ${lead.estimatedSeconds} s at ` +
                `${WARM_KEYS_PER_SECOND} keys/s, beyond cache.prewarm.timeoutSeconds (${prewarm.timeoutSeconds} s)`,
        );
    }
    if (!instants) return warnings;
    const at = (ms: number) => isoSeconds(ms);
    if (now >= instants.databaseWarm && now < instants.end) {
        warnings.push(
            `the scheduled data warm (${at(instants.databaseWarm)}) has passed: none is scheduled; this deploy's ` +
                `own warm of the replicas and the cache stands in for it`,
        );
    }
    return warnings;
}

/** A deploy within DEPLOY_ALLOWANCE_MINUTES of a schedule may still be running when that schedule should fire. */
function lateDeployWarnings(instants: Instants | undefined, flat: boolean, now: number): string[] {
    if (!instants) return [];
    const ahead = (flat ? [instants.databaseWarm] : [instants.ramp, instants.databaseWarm]).filter((t) => t > now);
    if (ahead.length === 0) return [];
    const next = Math.min(...ahead);
    return now >= next - DEPLOY_ALLOWANCE_MINUTES * 60_000
        ? [
              `deploy by ${isoSeconds(instants.deployBy)}: a deploy now may still be running at the next scheduled ` +
                  `instant (${isoSeconds(next)}), and a schedule that has not been created by then never fires`,
          ]
        : [];
}

/** Connections each DB instance needs so that `count` connections fit inside the reserve. */
function connectionsFor(count: number, reserve: number): number {
    return Math.ceil(settle(count / (1 - reserve)));
}

function connectionProblems(
    config: WarmstackConfig,
    peak: number,
    replicas: number,
    budget: number,
    perInstanceShare: number,
): ConfigProblem[] {
    const { database } = config;
    const { writerMin, readerMin } = database.pool;
    const reserve = `${Math.round(database.connectionReserve * 100)}% reserve`;
    const problems: ConfigProblem[] = [];
    if (perInstanceShare < writerMin) {
        const needed = connectionsFor(peak * writerMin, database.connectionReserve);
        problems.push({
            key: "warmstack:database.maxConnections",
            given: database.maxConnections,
            allowed:
                `writer: ${peak} instances at peak × ${writerMin} connections need maxConnections ≥ ${needed} ` +
                `with ${reserve} (${needed - database.maxConnections} missing; the budget is ${budget})`,
        });
    }
    if (perInstanceShare * replicas < readerMin) {
        const perReplicaNeeded = Math.ceil(readerMin / replicas);
        const needed = connectionsFor(peak * perReplicaNeeded, database.connectionReserve);
        const replicasNeeded = perInstanceShare > 0 ? Math.ceil(readerMin / perInstanceShare) : undefined;
        problems.push({
            key: "warmstack:database.maxConnections",
            given: database.maxConnections,
            allowed:
                `readers: ${peak} instances at peak × ${readerMin} reader connections over ${replicas} replica(s) need ` +
                `maxConnections ≥ ${needed} with ${reserve} (${needed - database.maxConnections} missing)` +
                (replicasNeeded
                    ? `, or ${replicasNeeded - replicas} more replica(s) (lower database.readQpsPerReplica)`
                    : ""),
        });
    }
    return problems;
}

function rampProblems(config: WarmstackConfig): ConfigProblem[] {
    const { event, compute } = config;
    if (!event) return [];
    // Instances beyond the warm pool boot from scratch: the lead must cover a cold boot and its warm-up.
    const neededMinutes = Math.ceil(settle((compute.bootSeconds + compute.warmupSeconds) / 60));
    return event.rampLeadMinutes < neededMinutes
        ? [
              {
                  key: "warmstack:event.rampLeadMinutes",
                  given: event.rampLeadMinutes,
                  allowed:
                      `at least ${neededMinutes}: instances beyond the warm pool need compute.bootSeconds + ` +
                      `compute.warmupSeconds (${compute.bootSeconds + compute.warmupSeconds} s) before the event starts`,
              },
          ]
        : [];
}

/** The hook holds an instance at most LAUNCH_HOOK_MAX_SECONDS from launch: a longer boot leaves the agent no time. */
function bootProblems(config: WarmstackConfig): ConfigProblem[] {
    const { bootSeconds } = config.compute;
    const most = LAUNCH_HOOK_MAX_SECONDS - ABANDON_MARGIN_SECONDS - AGENT_MIN_SECONDS;
    return bootSeconds > most
        ? [
              {
                  key: "warmstack:compute.bootSeconds",
                  given: bootSeconds,
                  allowed:
                      `at most ${most}: the launch hook holds an instance at most ${LAUNCH_HOOK_MAX_SECONDS} s from launch, ` +
                      `and the agent needs ${AGENT_MIN_SECONDS} s after the boot plus ${ABANDON_MARGIN_SECONDS} s to send ABANDON`,
              },
          ]
        : [];
}
