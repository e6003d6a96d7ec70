// The readiness plan: every number and instant the stack deploys, from the config and the time of the deploy.
// Pure and deterministic (the caller passes `now`), so the components, the tags the policy pack reads, the
// pre-warm, the agent and `warmstack plan` all take their numbers from here. Each tier has its own planner
// (compute.ts, database.ts, data-prewarm.ts; the cache's sizing and the cost beside them in model/) returning a
// tagged result; this file gathers them and throws one ConfigError with every problem. Each formula is written
// out in docs/configuration.md; constants fixed by AWS or by the agent are named where they are used.
import { isoSeconds } from "../../policies/shared/numbers";
import { sizeCache } from "../cache-sizing";
import { ConfigError, PoolState, WarmstackConfig } from "../config";
import { costOf, CostPlan, fellBackWarning, unpricedWarning } from "../cost";
import type { ListedPrices } from "../price-list";
import { dataWarmLead } from "../data-warm";
import { fanOut, splitWarm, type FanOut } from "../partitions";
import { problemsOf } from "../planned";
import { planRootVolume, type InstanceFacts, type RootVolumePlan } from "../root-volume";
import {
    deployAllowanceMinutes,
    DEPLOY_ALLOWANCE_MINUTES,
    eventInstants,
    EventPhase,
    Instants,
    phaseAt,
    Timeline,
    timelineOf,
} from "../timeline";
import { eventCapacity, planCompute, planInstances } from "./compute";
import { dataWarmWarnings, planDataPrewarm, type RetryWindow } from "./data-prewarm";
import { planDatabase } from "./database";
import { planEcs, type EcsPlan } from "./ecs";
import { planFunctions, type FunctionsPlan } from "./functions";

export { instancesFor } from "./compute";

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
    /** What AWS says of the instance type and image (the preview reads them); absent offline. */
    instance?: InstanceFacts;
    /** What the AWS Price List answered at deploy or in `warmstack plan --prices aws`; absent, it was not asked. */
    prices?: ListedPrices;
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
        /** How the scheduled run is retried, with `scheduleAt`: only while a whole run still ends before the start. */
        retry?: RetryWindow;
        /** The cache warm's expected duration at `keysPerSecond`, as one run. */
        estimatedSeconds: number;
        keysPerSecond: number;
        /**
         * Runs of the warmer the warm is split into (model/partitions.ts): 1 when one run holds it; more, a Step
         * Functions Map over them.
         */
        partitions: number;
        /** Keys of the largest partition, and its expected run. */
        keysPerPartition: number;
        partitionSeconds: number;
        /** With partitions > 1: how many run at once, what bounds that, and the whole fan-out's expected duration. */
        fanOut?: FanOut;
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
    /** Lambda provisioned concurrency for warmstack:functions, ramped on the event's schedule. */
    functions: FunctionsPlan;
    /** compute.platform ecs: the capacity provider, the images and the service's ramp; absent on ec2. */
    ecs?: EcsPlan;
    /** The app instances' root volume, and where the instance type's memory came from. */
    rootVolume: RootVolumePlan;
}

/**
 * Throws one ConfigError naming every value the plan cannot work with (connections, ramp time, cache size,
 * data warm lead); otherwise every number. A missing price is a warning: the cost is information, not a gate.
 */
export function plan(config: WarmstackConfig, options: PlanOptions): ReadinessPlan {
    const { now } = options;
    const { cache, event } = config;
    const instances = planInstances(config);
    const compute = planCompute(config, instances);
    const rootVolume = planRootVolume(config, options.instance);
    const database = planDatabase(config, instances.peak);
    const sizing = sizeCache(cache);
    const split = splitWarm(cache.prewarm);
    // The fan-out bounds the lead, and the warm's instant (the lead) bounds the fan-out: the lead is planned on the
    // app tier at its peak (the fewest connections left, the most rounds), then the fan-out on the instant it gives.
    const fanAt = (instancesAtWarm: number) =>
        split.planned && split.value.partitions > 1 && sizing.planned && database.planned
            ? fanOut(split.value, sizing.value.shards, database.value, instancesAtWarm)
            : undefined;
    const lead = dataWarmLead(cache.prewarm, event, fanAt(instances.peak)?.waves);
    const allowance = compute.planned
        ? deployAllowanceMinutes(config.compute.bootSeconds, compute.value.scaling.agentDeadlineSeconds)
        : DEPLOY_ALLOWANCE_MINUTES;
    const instants = event && lead.planned ? eventInstants(event, lead.value.leadMinutes, allowance) : undefined;
    const functions = planFunctions(config, instants, now);
    const agentDeadline = compute.planned ? compute.value.scaling.agentDeadlineSeconds : undefined;
    const ecs = planEcs(config, instances, instants, now, agentDeadline);
    const problems = [
        ...problemsOf(compute),
        ...problemsOf(rootVolume),
        ...problemsOf(database),
        ...problemsOf(sizing),
        ...problemsOf(split),
        ...problemsOf(lead),
        ...problemsOf(functions),
        ...problemsOf(ecs),
    ];
    if (
        !compute.planned ||
        !rootVolume.planned ||
        !database.planned ||
        !sizing.planned ||
        !split.planned ||
        !lead.planned ||
        !functions.planned ||
        !ecs.planned
    ) {
        throw new ConfigError(problems, "warmstack config cannot be planned");
    }
    // Information for the people who sign off, never a reason to refuse: a missing price is a warning.
    const cost = costOf({
        config,
        instances,
        warmPoolSize: compute.value.warmPool.minSize,
        replicas: database.value.replicas,
        cacheNodes: sizing.value.nodes,
        instants,
        listed: options.prices,
        rootVolume: rootVolume.value,
    });
    const { warmPool, scaling } = compute.value;
    const capacity = eventCapacity(config, instances, instants, now);
    // At an event's scheduled warm, the group is at its peak once the ramp has passed; a deploy's warm meets it as
    // deployed now.
    const instancesAtWarm = instants
        ? instants.ramp <= instants.databaseWarm
            ? instances.peak
            : instances.baseline
        : capacity.group.desiredCapacity;

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
            ...dataWarmWarnings(instants, now),
            ...lateDeployWarnings(instants, instances.peak === instances.baseline, now, allowance),
            ...(warmPool.reason && event ? [`event ${event.name}: ${warmPool.reason}`] : []),
            ...cost.fellBack.map(fellBackWarning),
            ...cost.unpriced.map(unpricedWarning),
            ...functions.value.warnings,
            ...(ecs.value?.warnings ?? []),
        ],
        instances,
        group: capacity.group,
        warmPool,
        scaling,
        schedule: capacity.schedule,
        database: database.value,
        dataPrewarm: planDataPrewarm(config, lead.value, split.value, fanAt(instancesAtWarm), instants, now),
        cache: {
            nodes: sizing.value.nodes,
            prewarmKeys: cache.prewarm.topKeys,
            ttlSeconds: cache.prewarm.ttlSeconds,
            ttlJitter: cache.prewarm.ttlJitter,
            minWarmth: cache.prewarm.minWarmth,
            clusterMode: sizing.value.clusterMode,
            shards: sizing.value.shards,
            replicasPerShard: sizing.value.replicasPerShard,
            bytesPerKey: sizing.value.bytesPerKey,
            hotSetBytes: sizing.value.hotSetBytes,
            nodeMemoryBytes: sizing.value.nodeMemoryBytes,
            usableBytesPerShard: sizing.value.usableBytesPerShard,
        },
        cost,
        functions: functions.value,
        ...(ecs.value && { ecs: ecs.value }),
        rootVolume: rootVolume.value,
    };
}
/** A deploy within `allowance` minutes of a schedule may still be running when that schedule should fire. */
function lateDeployWarnings(instants: Instants | undefined, flat: boolean, now: number, allowance: number): string[] {
    if (!instants) return [];
    const ahead = (flat ? [instants.databaseWarm] : [instants.ramp, instants.databaseWarm]).filter((t) => t > now);
    if (ahead.length === 0) return [];
    const next = Math.min(...ahead);
    return now >= next - allowance * 60_000
        ? [
              `deploy by ${isoSeconds(instants.deployBy)}: a deploy now may still be running at the next scheduled ` +
                  `instant (${isoSeconds(next)}), and a schedule that has not been created by then never fires`,
          ]
        : [];
}
