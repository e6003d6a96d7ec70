// What the pack reads, named once: the resource types it judges, the tags the program publishes, the shape of
// the scheduled warm and the CachePrewarm's inputs. Pure and owned by the pack (it is published on its own);
// the program imports the names from here. policies/README.md describes the same contract for other programs.
import { isoSeconds } from "./numbers";

export const TYPES = {
    group: "aws:autoscaling/group:Group",
    lifecycleHook: "aws:autoscaling/lifecycleHook:LifecycleHook",
    schedule: "aws:autoscaling/schedule:Schedule",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    /** A single-node ElastiCache cluster: no replica, no failover, no encryption in transit. */
    cacheCluster: "aws:elasticache/cluster:Cluster",
    dbInstance: "aws:rds/instance:Instance",
    dbParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    /** Aurora: the cluster holds storage, encryption and the cluster parameter group; its instances serve. */
    dbCluster: "aws:rds/cluster:Cluster",
    dbClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    dbClusterParameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    /** EventBridge Scheduler: the one-time schedule that runs the cache warm before the event. */
    warmSchedule: "aws:scheduler/schedule:Schedule",
    /** `new dynamic.Resource(provider, name, props, opts, "warmstack", "CachePrewarm")`. */
    cachePrewarm: "pulumi-nodejs:dynamic/warmstack:CachePrewarm",
    /** Lambda provisioned concurrency, set directly on a qualifier… */
    provisionedConcurrency: "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
    /** …or through Application Auto Scaling (resource id `function:NAME:QUALIFIER`). */
    scalableTarget: "aws:appautoscaling/target:Target",
    /** Its one-time scheduled actions (`at(…)`): ramp-before-event reads them as a group's schedules. */
    scalingSchedule: "aws:appautoscaling/scheduledAction:ScheduledAction",
    /** An ECS capacity provider over an Auto Scaling group. */
    ecsCapacityProvider: "aws:ecs/capacityProvider:CapacityProvider",
    /** The event's warm pool on a group the stack did not create: see {@link EVENT_WARM_POOL}. */
    eventWarmPool: "pulumi-nodejs:dynamic/warmstack:EventWarmPool",
} as const;

/**
 * An event stack attached to production (warmstack:production) owns no Auto Scaling group: it shows the pack
 * production's group through its {@link TYPES}.eventWarmPool, a dynamic resource whose inputs are
 * - `autoScalingGroupName`: the group, by name — the hooks and schedules that name it are the group's;
 * - `minSize`, `maxGroupPreparedCapacity`, `poolState`, `reuseOnScaleIn`: the pool the group keeps for the event
 *   (the plan's, or production's own when it is already large enough);
 * - `groupCapacity`: `{ minSize, maxSize, desiredCapacity }`, the group's own sizes outside the event;
 * - `groupTags`: a map of the {@link TAGS} a group carries (the event, its start, end and ramp lead).
 * The pack judges that group as it judges a group of the stack; an EventWarmPool on a group of the stack adds nothing.
 */
export const EVENT_WARM_POOL = {
    group: "autoScalingGroupName",
    capacity: "groupCapacity",
    tags: "groupTags",
} as const;

/** Tags on the Auto Scaling group, written by the program from its readiness plan. */
export const TAGS = {
    event: "warmstack:event",
    eventStart: "warmstack:event-start",
    /** The end: ramp-before-event holds the ramped capacity until then. */
    eventEnd: "warmstack:event-end",
    rampLeadMinutes: "warmstack:ramp-lead-minutes",
    writerPool: "warmstack:pool-writer",
    readerPoolPerReplica: "warmstack:pool-reader-per-replica",
    replicas: "warmstack:replicas",
} as const;

/**
 * Tags on each ElastiCache replication group (a `tags` map), written by the program from its readiness plan.
 * On an event stack the group also carries {@link TAGS}.event and {@link TAGS}.eventStart, so the pack can judge
 * the group's scheduled warm without an Auto Scaling group (the group's tag wins over the Auto Scaling group's).
 */
export const CACHE_TAGS = {
    /**
     * Bytes the hot set takes in Redis: the planned top keys × bytes per key (entry + Redis's per-key overhead
     * × fragmentation), a whole number. `cache-fits-hot-set` holds it against the group's usable memory.
     */
    hotSetBytes: "warmstack:hot-set-bytes",
} as const;

/** A group tagged with this key, and a reason as its value, may run without a warm pool. */
export const COLD_OK_TAG = "warmstack:cold-ok";

/**
 * The CachePrewarm input that names the replication group it fills: the group's id (for an
 * `aws:elasticache/cluster`, its clusterId). The pack links by the input's property dependency, or by value.
 */
export const PREWARM_TARGET = "replicationGroupId";

/**
 * The CachePrewarm inputs the pack reads besides {@link PREWARM_TARGET}:
 * - `ttlSeconds` and `ttlJitter`: a key written at the warm lives at least ttlSeconds × (1 − ttlJitter);
 * - `timeoutSeconds`: the most the warm may take (the pack's default when absent: DEFAULTS.prewarmTimeoutSeconds);
 * - `replicaHosts` (string[]): the read replicas whose buffers the warm loads, built from the replicas'
 *   `address` outputs (the pack links them by the input's property dependency, or by value);
 * - `relations` (string[]): the tables and indexes `pg_prewarm` loads on each of them; empty warms none.
 */
export const PREWARM_INPUTS = {
    ttlSeconds: "ttlSeconds",
    ttlJitter: "ttlJitter",
    timeoutSeconds: "timeoutSeconds",
    replicaHosts: "replicaHosts",
    relations: "relations",
} as const;

/**
 * The scheduled warm before the event: an {@link TYPES}.warmSchedule with
 * - `scheduleExpression: "at(YYYY-MM-DDTHH:MM:SS)"`, read in
 * - `scheduleExpressionTimezone: "UTC"` (the pack reads any other zone as a mistake and says so),
 * - `flexibleTimeWindow: { mode: "OFF" }` (a flexible window could fire it after the start),
 * - `target.input`: a JSON payload built from the cache group's outputs, carrying `replicationGroupId` (the same
 *   link as the CachePrewarm's) at its top level. The pack links the schedule to the group by the property
 *   dependency of `target` on the group, or by that value.
 * The TTL and jitter come from the CachePrewarm of the same group, the start from the tags (see CACHE_TAGS).
 */
export const WARM_SCHEDULE = {
    timezone: "UTC",
    flexibleWindowMode: "OFF",
    /** `at(2027-11-26T04:30:00)`: a one-time schedule, to the second, no zone suffix. */
    expression: /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/,
    targetProperty: "target",
    payloadLink: PREWARM_TARGET,
} as const;

/** The one-time schedule expression for an instant (ms): `at(YYYY-MM-DDTHH:MM:SS)` in UTC. */
export const atExpression = (ms: number): string => `at(${isoSeconds(ms).slice(0, -1)})`;

export const LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING";

/** The states a warm pool can keep its instances in. */
export const POOL_STATES = ["Stopped", "Running", "Hibernated"] as const;

/**
 * The warm's speed the plan and the pack assume for one run of the warmer function, and its start (a cold start,
 * the connections, the query's first rows): model/data-warm.ts explains the figure, which `npm run bench:function`
 * (docs/benchmarks.md) measures against.
 */
export const WARM_RUN = { keysPerSecond: 20_000, startSeconds: 30 } as const;
