// An event stack attached to a system that already runs: what AWS reports about its parts (the *facts*, read by
// infra/production.ts through the provider's data sources) and the one pure step from facts and config to what
// the stack adds — the plan on production's real values, the ramp that gives the group back its own sizes, and
// every reason the stack cannot attach, as ConfigProblems naming the `warmstack:production.*` key.
import { isoSeconds, settle } from "../policies/shared/numbers";
import { sizeCache } from "./cache-sizing";
import { ConfigError, ConfigProblem, WarmstackConfig } from "./config";
import { plan, ReadinessPlan, ScheduledCapacity } from "./plan";
import { ecsTasks } from "./plan/ecs";
import { rampWindow, type RampWindow } from "./plan/ramp";
import type { ListedPrices } from "./price-list";
import type { Instants, Timeline } from "./timeline";

/** The engines an attached database may run: the warm speaks PostgreSQL. */
export const POSTGRES_ENGINES = { instance: "postgres", cluster: "aurora-postgresql" } as const;
/** Aurora's most readers in one cluster. */
export const AURORA_MAX_READERS = 15;
const GIB = 1024 ** 3;

export interface GroupCapacity {
    minSize: number;
    maxSize: number;
    desiredCapacity: number;
}

/** What `aws.autoscaling.getGroup` and the launch template's data sources report about the app tier. */
export interface GroupFacts extends GroupCapacity {
    name: string;
    arn: string;
    subnetIds: string[];
    /** The VPC of those subnets: the warmer function's security group lives there. */
    vpcId: string;
    /** From the mixed instances policy; absent without one (every instance On-Demand). */
    instancesDistribution?: { onDemandBaseCapacity: number; onDemandPercentageAboveBaseCapacity: number };
    /** The launch template's `instanceMarketOptions.marketType`: "spot" launches Spot. */
    marketType?: string;
    /** The group's warm pool now, when it has one: production's own, or one an event stack put there. */
    warmPool?: PoolFacts;
    /** The group's tags: {@link EVENT_POOL_TAG} says an event stack holds the pool, and what it gives back. */
    tags: Record<string, string>;
}

export interface PoolFacts {
    minSize: number;
    /** -1: AWS's "the group's max size". */
    maxGroupPreparedCapacity: number;
    state: string;
    reuseOnScaleIn: boolean;
}

/**
 * The tag an event stack puts on production's group while it holds the group's warm pool. Its value,
 * {@link EventPoolRecord} as JSON, is read back by the stack's next deploy: the pool is then known as the event's,
 * not production's, and what `pulumi destroy` gives back stays what the first deploy read.
 */
export const EVENT_POOL_TAG = "warmstack:event-pool";

export interface EventPoolRecord {
    /** The event stack holding the pool. */
    stack: string;
    /** Production's own pool before the event (null: it had none): what destroy gives back. */
    own: PoolFacts | null;
}

export interface InstanceFacts {
    /** The launch template's type (its first override's, under a mixed instances policy). */
    instanceType: string;
    /** `aws.ec2.getInstanceType`: memory and whether the type can hibernate. */
    memoryMiB: number;
    hibernationSupported: boolean;
    /** The launch template's `hibernationOptions.configured`. */
    hibernationConfigured: boolean;
    /** The role behind the launch template's instance profile (`aws.iam.getInstanceProfile`). */
    roleName?: string;
    securityGroupIds: string[];
}

export interface CacheFacts {
    id: string;
    nodeType: string;
    clusterMode: boolean;
    shards: number;
    replicasPerShard: number;
    /** ElastiCache has an AUTH token only with in-transit encryption (TLS) on: this fact says both. */
    authTokenEnabled: boolean;
    /** The primary endpoint, or in cluster mode the configuration endpoint. */
    host: string;
    readerHost?: string;
    port: number;
    /** The member clusters' security groups (`aws.elasticache.getCluster`). */
    securityGroupIds: string[];
}

export interface DatabaseFacts {
    kind: "instance" | "cluster";
    identifier: string;
    engine: string;
    engineVersion: string;
    /** The primary's class, or the cluster's writer's. */
    instanceClass: string;
    writer: string;
    /** Aurora's reader endpoint. */
    reader?: string;
    port: number;
    dbName: string;
    parameterGroups: string[];
    subnetGroup: string;
    securityGroupIds: string[];
    /** Aurora: every member, the writer among them. */
    members: string[];
    storageEncrypted: boolean;
}

/** What `aws.ecs.getService` reports about the service `production.ecsService` names. */
export interface ServiceFacts {
    cluster: string;
    name: string;
    /** Production's own task count: what the ramp-down gives back. */
    desiredCount: number;
}

export interface ProductionFacts {
    group: GroupFacts;
    instances: InstanceFacts;
    cache: CacheFacts;
    database: DatabaseFacts;
    /** Only with `production.ecsService`. */
    service?: ServiceFacts;
}

/** Where the names came from, so a problem names the key the user wrote. */
export type NamesFrom = "names" | "stack";

/** What the stack adds to production for the event, every number from the plan or from production itself. */
export interface Attachment {
    /** The config with production's real values in place of what a built system would configure. */
    config: WarmstackConfig;
    plan: ReadinessPlan;
    /** The group's own sizes as read at deploy: what the ramp-down gives back. */
    own: GroupCapacity;
    /** The ramp on production's group: raise min, desired and max to the peak, then give back `own`. */
    schedule: ScheduledCapacity[];
    /**
     * "stack": the group has no pool of its own, the stack puts the plan's and deletes it on destroy. "raised":
     * production's own pool is smaller than the plan's, the stack raises it to the plan's and on destroy puts
     * production's back ({@link Attachment.productionPool}). "production": production's own pool is at least the
     * plan's, and stays as it is.
     */
    warmPool: "stack" | "raised" | "production";
    /** Production's own pool as read before the event ("raised" and "production"); absent when it had none. */
    productionPool?: PoolFacts;
    /** The record the stack tags the group with while it holds the pool ("stack" and "raised"). */
    poolRecord?: EventPoolRecord;
    /** Production's ECS service's tasks: up to the plan's peak, then back to its own desired count. */
    ecsService?: { resourceId: string } & RampWindow;
    instanceRoleName: string;
    database: {
        /** RDS: the plan's replicas, created by the stack. Aurora: readers raised by Application Auto Scaling. */
        replicaClass: string;
        /** Aurora's readers now (members less the writer): what the scale-in gives back. */
        readersNow: number;
        /** Aurora: the raise and the give-back of `rds:cluster:ReadReplicaCount`'s minimum (only future instants). */
        readerSchedule: Array<{ name: string; at: string; minCapacity: number; maxCapacity: number }>;
        /** The target's minimum at deploy: the plan's readers once the raise's instant has passed. */
        readerMinAtDeploy: number;
        /** pg_prewarm may be loaded: a default parameter group never has it, so no buffer warm is planned. */
        bufferWarm: boolean;
    };
    warnings: string[];
}

/**
 * What a plan of an attached stack made from its stack file alone (warmstack plan) does not know: the facts its
 * deploy reads from production. Said as the plan's warning, with the defaults standing in for them.
 */
export function fromConfigAlone(config: WarmstackConfig): string {
    const production = config.production ?? {};
    const names = production.stack ?? production.autoScalingGroup ?? "its parts";
    return (
        `attached to production (warmstack:production: ${names}): this plan is made from the stack file alone. ` +
        "Production's instance type, cache node type, shards and replicas, database class and the group's own " +
        "sizes are read at deploy (pulumi preview), so the figures here that follow from them use the defaults — " +
        `${config.compute.instanceType}, ${config.cache.nodeType} with ${config.cache.replicas} replica(s), ` +
        `${config.database.instanceClass} — and the ramp-down gives back production's own sizes, not the ones ` +
        "shown. The deployed plan is the stack's `plan` output (pulumi stack output plan)."
    );
}

/** Refusals of production's parts, each naming the key that named the part. */
function keyOf(part: string, from: NamesFrom): string {
    return from === "stack" ? `warmstack:production.stack (its ${part})` : `warmstack:production.${part}`;
}

/** The group launches Spot capacity: AWS refuses a warm pool on it. */
export function launchesSpot(group: GroupFacts): boolean {
    const distribution = group.instancesDistribution;
    const spotAboveBase =
        distribution !== undefined &&
        distribution.onDemandPercentageAboveBaseCapacity < 100 &&
        group.maxSize > distribution.onDemandBaseCapacity;
    return spotAboveBase || group.marketType === "spot";
}

function partProblems(config: WarmstackConfig, facts: ProductionFacts, from: NamesFrom): ConfigProblem[] {
    const { group, instances, cache, database } = facts;
    const production = config.production ?? {};
    const problems: ConfigProblem[] = [];
    if (launchesSpot(group)) {
        problems.push({
            key: keyOf("autoScalingGroup", from),
            given: group.name,
            allowed:
                "a group that launches On-Demand capacity only: this one launches Spot (its mixed instances policy " +
                "or launch template), and AWS refuses a warm pool on a group with Spot",
        });
    }
    if (
        config.compute.warmPool.state === "Hibernated" &&
        !(instances.hibernationSupported && instances.hibernationConfigured)
    ) {
        problems.push({
            key: "warmstack:compute.warmPool.state",
            given: "Hibernated",
            allowed:
                `Stopped or Running: production's instances cannot hibernate (${instances.instanceType}: ` +
                `${instances.hibernationSupported ? "supported" : "not supported"} by the type, ` +
                `${instances.hibernationConfigured ? "configured" : "not configured"} in the launch template)`,
        });
    }
    if (!cache.authTokenEnabled) {
        problems.push({
            key: keyOf("cacheReplicationGroup", from),
            given: cache.id,
            allowed:
                "a group with an AUTH token and TLS (ElastiCache has AUTH only with in-transit encryption on): the " +
                "pack's cache-ha-encrypted policy blocks a cache without them",
        });
    } else if (production.cacheAuthTokenSecretArn === undefined) {
        problems.push({
            key: keyOf("cacheAuthTokenSecretArn", from),
            given: undefined,
            allowed: `required: the secret holding the AUTH token of ${cache.id}, which the warm reads at run time`,
        });
    }
    const engine = POSTGRES_ENGINES[database.kind];
    if (database.engine !== engine) {
        problems.push({
            key: keyOf(database.kind === "instance" ? "databaseInstance" : "databaseCluster", from),
            given: database.identifier,
            allowed: `a database running ${engine} (PostgreSQL): this one runs ${database.engine}`,
        });
    }
    return problems;
}

/** The ramp on production's group: up to the peak (max never lowered), then back to the group's own sizes. */
export function attachedSchedule(schedule: ScheduledCapacity[], peak: number, own: GroupCapacity): ScheduledCapacity[] {
    return schedule.map((action) =>
        action.name.endsWith("-ramp-up")
            ? { ...action, minSize: peak, desiredCapacity: peak, maxSize: Math.max(peak, own.maxSize) }
            : { ...action, ...own },
    );
}

/** Plans on production's values, or returns every problem the plan finds. */
function planned(config: WarmstackConfig, now: number, prices?: ListedPrices): ReadinessPlan | ConfigProblem[] {
    try {
        return plan(config, { now, prices });
    } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
    }
}

/**
 * The config as production's parts make it: their instance type and memory, node type and replicas, class and
 * engine version in place of the built system's. What the plan and the Price List's questions are asked of.
 */
export function productionConfig(config: WarmstackConfig, facts: ProductionFacts): WarmstackConfig {
    const { instances, cache, database } = facts;
    return {
        ...config,
        compute: { ...config.compute, instanceType: instances.instanceType },
        cost: { ...config.cost, instanceMemoryGiB: config.cost.instanceMemoryGiB ?? instances.memoryMiB / 1024 },
        cache: { ...config.cache, nodeType: cache.nodeType, replicas: cache.replicasPerShard },
        database: {
            ...config.database,
            instanceClass: database.instanceClass,
            engineVersion: database.engineVersion,
        },
    };
}

/**
 * Facts and config → what the stack adds, or every reason it cannot attach. Pure: the caller passes `now` and
 * what the data sources reported.
 */
export function attach(
    config: WarmstackConfig,
    facts: ProductionFacts,
    options: { now: number; from: NamesFrom; stack: string; prices?: ListedPrices },
): Attachment | ConfigProblem[] {
    const { now, from, stack } = options;
    const { group, instances, cache, database } = facts;
    const effective = productionConfig(config, facts);
    const bufferWarm = !database.parameterGroups.every((name) => name.startsWith("default."));
    const warnings: string[] = [];
    if (!bufferWarm && config.database.prewarm.relations.length > 0) {
        warnings.push(
            `production's database ${database.identifier} uses a default parameter group ` +
                `(${database.parameterGroups.join(", ")}), which does not load pg_prewarm: no buffer warm is ` +
                "planned (production's parameter group is not the event's to change)",
        );
        effective.database = { ...effective.database, prewarm: { relations: [] } };
    }

    const problems = partProblems(config, facts, from);
    const result = planned(effective, now, options.prices);
    if (Array.isArray(result)) return [...problems, ...result];
    const readiness = result;

    const sized = sizeCache(effective.cache);
    const sizing = sized.planned ? sized.value : undefined;
    if (sizing && sizing.shards > cache.shards) {
        problems.push({
            key: keyOf("cacheReplicationGroup", from),
            given: cache.id,
            allowed:
                `a group of at least ${sizing.shards} shards: the hot set (${settle(sizing.hotSetBytes / GIB).toFixed(2)} GiB) ` +
                `needs ${sizing.shards} shards of ${cache.nodeType}, and the group has ${cache.shards}`,
        });
    }
    const pool = poolOf(group, stack);
    if ("heldBy" in pool) {
        problems.push({
            key: keyOf("autoScalingGroup", from),
            given: group.name,
            allowed:
                `a group whose warm pool no other event stack holds: event stack ${pool.heldBy} holds this one ` +
                `(its ${EVENT_POOL_TAG} tag) — destroy that stack first`,
        });
    }
    const readersNow = Math.max(0, database.members.length - 1);
    if (database.kind === "cluster" && readiness.database.replicas > AURORA_MAX_READERS) {
        problems.push({
            key: "warmstack:database.readQpsPerReplica",
            given: config.database.readQpsPerReplica,
            allowed:
                `a figure that needs at most ${AURORA_MAX_READERS} Aurora readers: ` +
                `${config.database.readQps} reads/s need ${readiness.database.replicas}`,
        });
    }
    const instanceRoleName = config.production?.instanceRoleName ?? instances.roleName;
    if (instanceRoleName === undefined) {
        problems.push({
            key: "warmstack:production.instanceRoleName",
            given: undefined,
            allowed: `required: the launch template of ${group.name} has no instance profile to find the role through`,
        });
    }
    if (problems.length > 0 || instanceRoleName === undefined || "heldBy" in pool) return problems;

    const own = { minSize: group.minSize, maxSize: group.maxSize, desiredCapacity: group.desiredCapacity };
    return {
        config: effective,
        plan: {
            ...readiness,
            warnings: [...readiness.warnings, ...warnings],
            // The warm speaks to the group as it is: production's shards, not the ones a built cache would have.
            cache: {
                ...readiness.cache,
                clusterMode: cache.clusterMode,
                shards: cache.shards,
                replicasPerShard: cache.replicasPerShard,
                nodes: cache.shards * (1 + cache.replicasPerShard),
            },
        },
        own,
        schedule: attachedSchedule(readiness.schedule, readiness.instances.peak, own),
        ...poolAttachment(pool.own, readiness.warmPool.minSize, stack),
        ...(facts.service && { ecsService: serviceRamp(facts.service, config, readiness, now) }),
        instanceRoleName,
        database: {
            replicaClass: database.instanceClass,
            readersNow,
            ...readerSchedule(readiness, readersNow, now),
            bufferWarm,
        },
        warnings,
    };
}

/**
 * The service's tasks ramped as a built stack's (model/plan/ecs.ts), to the plan's peak tasks — or production's own
 * count when that is more — and back to its own desired count, which warmstack never lowers nor makes up.
 */
function serviceRamp(
    service: ServiceFacts,
    config: WarmstackConfig,
    readiness: ReadinessPlan,
    now: number,
): NonNullable<Attachment["ecsService"]> {
    const own = service.desiredCount;
    const peak = Math.max(own, ecsTasks(config.compute.ecs.tasksPerInstance, readiness.instances).peak);
    const instants = readiness.timeline && instantsOf(readiness.timeline);
    return {
        resourceId: `service/${service.cluster}/${service.name}`,
        ...rampWindow(
            readiness.event?.name,
            instants,
            now,
            { minCapacity: peak, maxCapacity: peak },
            { minCapacity: own, maxCapacity: own },
        ),
    };
}

const instantsOf = (timeline: Timeline) =>
    Object.fromEntries(Object.entries(timeline).map(([k, at]) => [k, Date.parse(at)])) as Instants;

/**
 * Production's own pool: as the group reports it, or — when this stack already holds the pool (a later deploy) —
 * as its tag recorded at the first. Another event stack's tag is that stack's name.
 */
function poolOf(group: GroupFacts, stack: string): { own: PoolFacts | null } | { heldBy: string } {
    const tag = group.tags[EVENT_POOL_TAG];
    if (tag === undefined) return { own: group.warmPool ?? null };
    const record = eventPoolRecord(tag);
    if (!record) return { heldBy: `unknown (its value ${JSON.stringify(tag)} is not one warmstack wrote)` };
    return record.stack === stack ? { own: record.own } : { heldBy: record.stack };
}

function eventPoolRecord(text: string): EventPoolRecord | undefined {
    try {
        const record = JSON.parse(text) as EventPoolRecord;
        return typeof record?.stack === "string" && typeof record.own === "object" ? record : undefined;
    } catch {
        return undefined;
    }
}

/** Who holds the pool for the event, and what the stack records to give back. */
function poolAttachment(
    own: PoolFacts | null,
    planned: number,
    stack: string,
): Pick<Attachment, "warmPool" | "productionPool" | "poolRecord"> {
    if (own && (own.minSize >= planned || planned === 0)) return { warmPool: "production", productionPool: own };
    if (planned === 0) return { warmPool: "stack" };
    const poolRecord = { stack, own };
    return own ? { warmPool: "raised", productionPool: own, poolRecord } : { warmPool: "stack", poolRecord };
}

/**
 * Aurora's readers: the minimum raised to the plan's readers at the deploy-by instant (which leaves the deploy
 * allowance, an hour, for new readers to be created and join before the first warm), given back at the scale-down.
 */
function readerSchedule(
    readiness: ReadinessPlan,
    readersNow: number,
    now: number,
): Pick<Attachment["database"], "readerSchedule" | "readerMinAtDeploy"> {
    const readers = Math.max(readersNow, readiness.database.replicas);
    const timeline = readiness.timeline;
    if (!timeline || !readiness.event) return { readerSchedule: [], readerMinAtDeploy: readersNow };
    const name = readiness.event.name;
    const raiseAt = Date.parse(timeline.deployBy);
    const backAt = Date.parse(timeline.scaleDown);
    const schedule: Attachment["database"]["readerSchedule"] = [];
    if (raiseAt > now) {
        schedule.push({
            name: `${name}-readers-up`,
            at: isoSeconds(raiseAt),
            minCapacity: readers,
            maxCapacity: readers,
        });
    }
    if (backAt > now) {
        schedule.push({
            name: `${name}-readers-back`,
            at: isoSeconds(backAt),
            minCapacity: readersNow,
            maxCapacity: readers,
        });
    }
    const raised = raiseAt <= now && backAt > now;
    return { readerSchedule: schedule, readerMinAtDeploy: raised ? readers : readersNow };
}
