// The readiness plan: every number the stack deploys, from the config alone. Pure and deterministic, so the
// components, the tags the policy pack reads, the pre-warm and the agent all take their numbers from here.
// Each formula is written out in the README under "Plan formulas".
import { ConfigError, ConfigProblem, PoolState, WarmstackConfig } from "./config";

export interface ScheduledCapacity {
    name: string;
    /** UTC, `YYYY-MM-DDTHH:MM:SSZ`, the form Auto Scaling schedules take. */
    startTime: string;
    minSize: number;
    maxSize: number;
    desiredCapacity: number;
}

export interface ReadinessPlan {
    event?: { name: string; start: string; end: string; rampLeadMinutes: number };
    instances: { baseline: number; peak: number };
    group: { minSize: number; maxSize: number; desiredCapacity: number };
    warmPool: { state: PoolState; minSize: number; maxGroupPreparedCapacity: number; reuseOnScaleIn: boolean };
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
    cache: { nodes: number; prewarmKeys: number; ttlSeconds: number; ttlJitter: number; minWarmth: number };
}

const LAUNCH_HOOK_MIN_SECONDS = 300;
const LAUNCH_HOOK_MAX_SECONDS = 7200;
const ABANDON_MARGIN_SECONDS = 60;
/** The agent's least time after the boot: the hook timeout's clamp gives exactly this at bootSeconds 150 and 7050 (the most accepted). */
const AGENT_MIN_SECONDS = 90;

/** Drops float noise before rounding, so 1000 × 1.1 / 100 = 11.000000000000002 cannot add an instance. */
const settle = (x: number) => Number(x.toFixed(9));

/** Instances that serve `rps` with `headroom` spare, never fewer than `floor`. */
export function instancesFor(rps: number, rpsPerInstance: number, headroom: number, floor: number): number {
    return Math.max(floor, Math.ceil(settle((rps * (1 + headroom)) / rpsPerInstance)));
}

function scheduleTime(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Throws one ConfigError when the peak cannot be held (connections, ramp time); otherwise every number. */
export function plan(config: WarmstackConfig): ReadinessPlan {
    const { traffic, compute, cache, database, event } = config;
    const baseline = instancesFor(traffic.baselineRps, traffic.rpsPerInstance, traffic.headroom, compute.minInstances);
    const peak = Math.max(
        baseline,
        instancesFor(traffic.peakRps, traffic.rpsPerInstance, traffic.headroom, compute.minInstances),
    );

    const warmTarget = Math.ceil(settle(compute.warmPool.fractionOfPeak * peak));
    const warmMin = Math.min(warmTarget, peak - baseline);

    // At least one: the cache pre-warm reads from a replica and never loads the primary.
    const replicas = Math.max(1, Math.ceil(settle(database.readQps / database.readQpsPerReplica)));
    const budgetPerEndpoint = Math.floor(settle(database.maxConnections * (1 - database.connectionReserve)));
    const perInstanceShare = Math.floor(budgetPerEndpoint / peak);
    const writerPool = Math.min(database.pool.max, perInstanceShare);
    const readerPoolPerReplica = Math.min(database.pool.max, perInstanceShare);

    const launchHookTimeoutSeconds = Math.min(
        LAUNCH_HOOK_MAX_SECONDS,
        Math.max(LAUNCH_HOOK_MIN_SECONDS, 2 * compute.bootSeconds),
    );

    const problems: ConfigProblem[] = [
        ...connectionProblems(config, peak, replicas, budgetPerEndpoint, perInstanceShare),
        ...rampProblems(config),
        ...bootProblems(config),
    ];
    if (problems.length > 0) throw new ConfigError(problems, "warmstack plan cannot hold the peak");

    return {
        ...(event && {
            event: { name: event.name, start: event.start, end: event.end, rampLeadMinutes: event.rampLeadMinutes },
        }),
        instances: { baseline, peak },
        group: { minSize: baseline, maxSize: peak, desiredCapacity: baseline },
        warmPool: {
            state: compute.warmPool.state,
            minSize: warmMin,
            maxGroupPreparedCapacity: baseline + warmMin,
            reuseOnScaleIn: compute.warmPool.reuseOnScaleIn,
        },
        scaling: {
            requestsPerTargetPerMinute: Math.floor((traffic.rpsPerInstance * 60) / (1 + traffic.headroom)),
            warmupSeconds: compute.warmupSeconds,
            launchHookTimeoutSeconds,
            agentDeadlineSeconds: launchHookTimeoutSeconds - compute.bootSeconds - ABANDON_MARGIN_SECONDS,
        },
        schedule: event
            ? [
                  {
                      name: `${event.name}-ramp-up`,
                      startTime: scheduleTime(Date.parse(event.start) - event.rampLeadMinutes * 60_000),
                      minSize: peak,
                      maxSize: peak,
                      desiredCapacity: peak,
                  },
                  {
                      name: `${event.name}-ramp-down`,
                      startTime: scheduleTime(Date.parse(event.end) + event.cooldownMinutes * 60_000),
                      minSize: baseline,
                      maxSize: peak,
                      desiredCapacity: baseline,
                  },
              ]
            : [],
        database: {
            replicas,
            maxConnections: database.maxConnections,
            budgetPerEndpoint,
            writerPoolPerInstance: writerPool,
            readerPoolPerReplica,
            readerPoolPerInstance: readerPoolPerReplica * replicas,
        },
        cache: {
            nodes: 1 + cache.replicas,
            prewarmKeys: cache.prewarm.topKeys,
            ttlSeconds: cache.prewarm.ttlSeconds,
            ttlJitter: cache.prewarm.ttlJitter,
            minWarmth: cache.prewarm.minWarmth,
        },
    };
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
    const neededMinutes = Math.ceil((compute.bootSeconds + compute.warmupSeconds) / 60);
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
