// A warm event stack built by hand, resource by resource, in the shapes the engine hands the pack: for the
// policies whose resources the program does not register (Aurora, single-node caches, kinds the pack cannot
// judge) and for every boundary, without running the program. Each builder returns fresh copies.
import { TYPES } from "../../policies/shared/contract";
import type { EngineResource } from "./harness";

export const START = "2027-11-26T05:00:00Z";
const STACK = "urn:pulumi:fixture::warmstack";

/** One resource; `links` maps a property to the resources its value came from (its property dependencies). */
export function resource(
    type: string,
    name: string,
    props: Record<string, any>,
    links: Record<string, EngineResource[]> = {},
): EngineResource {
    const propertyDependencies = Object.fromEntries(Object.entries(links).map(([k, rs]) => [k, rs.map((r) => r.urn)]));
    return {
        type,
        name,
        urn: `${STACK}::${type}::${name}`,
        inputs: structuredClone(props),
        outputs: structuredClone(props),
        secrets: [],
        parent: "",
        dependencies: [...new Set(Object.values(propertyDependencies).flat())],
        propertyDependencies,
        options: { protect: false, ignoreChanges: [], additionalSecretOutputs: [] },
    };
}

export const group = (overrides: Record<string, any> = {}) =>
    resource(TYPES.group, "app-group", {
        name: "app-group",
        minSize: 4,
        maxSize: 20,
        desiredCapacity: 4,
        defaultInstanceWarmup: 60,
        warmPool: { minSize: 8, poolState: "Stopped" },
        initialLifecycleHooks: [
            { lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING", defaultResult: "ABANDON" },
        ],
        tags: [
            ["warmstack:event", "blackfriday"],
            ["warmstack:event-start", START],
            ["warmstack:ramp-lead-minutes", "45"],
            ["warmstack:pool-writer", "10"],
            ["warmstack:pool-reader-per-replica", "10"],
            ["warmstack:replicas", "2"],
        ].map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
        ...overrides,
    });

export const ramp = (asg: EngineResource, startTime = "2027-11-26T04:15:00Z", desiredCapacity = 20) =>
    resource(
        TYPES.schedule,
        "app-ramp-up",
        { autoscalingGroupName: "app-group", startTime, minSize: desiredCapacity, desiredCapacity, maxSize: 20 },
        { autoscalingGroupName: [asg] },
    );

/** cache.r7g.large: 13.07 GiB, 10.0 GiB usable after the 25 % reserve. */
export const replicationGroup = (overrides: Record<string, any> = {}) =>
    resource(TYPES.replicationGroup, "cache-redis", {
        replicationGroupId: "cache-redis-1234",
        nodeType: "cache.r7g.large",
        numCacheClusters: 2,
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        transitEncryptionEnabled: true,
        atRestEncryptionEnabled: true,
        authToken: "generated",
        tags: { "warmstack:hot-set-bytes": String(2 * 1024 ** 3) },
        ...overrides,
    });

export const prewarm = (
    cache: EngineResource,
    replicas: EngineResource[] = [],
    overrides: Record<string, any> = {},
    name = "cache-prewarm",
) =>
    resource(
        TYPES.cachePrewarm,
        name,
        {
            replicationGroupId: cache.outputs.replicationGroupId ?? cache.outputs.clusterId,
            ttlSeconds: 3600,
            ttlJitter: 0.15,
            timeoutSeconds: 600,
            topKeys: 500000,
            replicaHosts: replicas.map((r) => r.outputs.address ?? r.outputs.endpoint),
            relations: ["catalog.products", "catalog.products_pkey"],
            ...overrides,
        },
        { replicationGroupId: [cache], replicaHosts: replicas },
    );

/** The scheduled warm: `at` in UTC, linked to the cache through its target's dependency. */
export const warmSchedule = (cache: EngineResource, at = "2027-11-26T04:30:00", overrides: Record<string, any> = {}) =>
    resource(
        TYPES.warmSchedule,
        "cache-warm-schedule",
        {
            scheduleExpression: `at(${at})`,
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            target: {
                arn: "arn:aws:lambda:us-east-1:123456789012:function:warmer",
                roleArn: "arn:aws:iam::123456789012:role/scheduler",
                input: JSON.stringify({ replicationGroupId: cache.outputs.replicationGroupId }),
            },
            ...overrides,
        },
        { target: [cache] },
    );

export const dbParams = (name = "db-params", family = "postgres16", maxConnections = "1000") =>
    resource(name === "aurora-cluster-params" ? TYPES.dbClusterParameterGroup : TYPES.dbParameterGroup, name, {
        name,
        family,
        parameters: [
            { name: "max_connections", value: maxConnections, applyMethod: "pending-reboot" },
            { name: "shared_preload_libraries", value: "pg_prewarm", applyMethod: "pending-reboot" },
            { name: "pg_prewarm.autoprewarm", value: "1", applyMethod: "pending-reboot" },
        ],
    });

export function rdsDatabase(replicas = 2) {
    const params = dbParams();
    const primary = resource(
        TYPES.dbInstance,
        "db-primary",
        {
            identifier: "db-primary",
            engine: "postgres",
            storageEncrypted: true,
            publiclyAccessible: false,
            parameterGroupName: "db-params",
            address: "db-primary.example.internal",
        },
        { parameterGroupName: [params] },
    );
    const readers = Array.from({ length: replicas }, (_, i) =>
        resource(
            TYPES.dbInstance,
            `db-replica-${i + 1}`,
            {
                identifier: `db-replica-${i + 1}`,
                replicateSourceDb: "db-primary",
                parameterGroupName: "db-params",
                publiclyAccessible: false,
                address: `db-replica-${i + 1}.example.internal`,
            },
            { replicateSourceDb: [primary], parameterGroupName: [params] },
        ),
    );
    return { params, primary, readers, all: [params, primary, ...readers] };
}

/** An Aurora PostgreSQL cluster: a writer and `readers` readers, pg_prewarm and max_connections in its cluster group. */
export function auroraDatabase(readers = 2, overrides: Record<string, any> = {}) {
    const params = dbParams("aurora-cluster-params", "aurora-postgresql16");
    const cluster = resource(
        TYPES.dbCluster,
        "aurora-cluster",
        {
            clusterIdentifier: "aurora-cluster",
            engine: "aurora-postgresql",
            storageEncrypted: true,
            dbClusterParameterGroupName: "aurora-cluster-params",
            ...overrides,
        },
        { dbClusterParameterGroupName: [params] },
    );
    const instances = Array.from({ length: readers + 1 }, (_, i) =>
        resource(
            TYPES.dbClusterInstance,
            `aurora-${i + 1}`,
            {
                clusterIdentifier: "aurora-cluster",
                engine: "aurora-postgresql",
                instanceClass: "db.r6g.large",
                publiclyAccessible: false,
                endpoint: `aurora-${i + 1}.example.internal`,
            },
            { clusterIdentifier: [cluster] },
        ),
    );
    return { params, cluster, instances, all: [params, cluster, ...instances] };
}

/** The whole warm stack: compute with its ramp, a pre-warmed cache with its scheduled warm, an RDS database. */
export function warmStack() {
    const asg = group();
    const cache = replicationGroup();
    const db = rdsDatabase();
    return [asg, ramp(asg), cache, prewarm(cache, db.readers), warmSchedule(cache), ...db.all];
}

/** `r` with `keys` gone from its inputs and its outputs. */
export function without(r: EngineResource, ...keys: string[]): EngineResource {
    for (const key of keys) {
        delete r.inputs[key];
        delete r.outputs[key];
    }
    return r;
}

/** `r` with `props` set on its inputs and its outputs. */
export function withProps(r: EngineResource, props: Record<string, any>): EngineResource {
    Object.assign(r.inputs, structuredClone(props));
    Object.assign(r.outputs, structuredClone(props));
    return r;
}

export const single = (props: Record<string, any> = {}) =>
    resource(TYPES.cacheCluster, "cache-single", {
        clusterId: "cache-single",
        engine: "redis",
        nodeType: "cache.r7g.large",
        numCacheNodes: 1,
        ...props,
    });

/** An event stack (group, ramp, cache, its CachePrewarm) with `schedules` as the cache's scheduled warms. */
export function eventStack(
    cache = replicationGroup(),
    schedules: (cache: EngineResource) => EngineResource[] = (c) => [warmSchedule(c)],
    prewarmOverrides: Record<string, any> = {},
): EngineResource[] {
    const asg = group();
    return [asg, ramp(asg), cache, prewarm(cache, [], prewarmOverrides), ...schedules(cache)];
}

/** The warm stack with its RDS database swapped for an Aurora cluster, pre-warmed on each instance. */
export function auroraStack(edit: (db: ReturnType<typeof auroraDatabase>) => void = () => undefined): EngineResource[] {
    const asg = group();
    const cache = replicationGroup();
    const db = auroraDatabase();
    edit(db);
    return [asg, ramp(asg), cache, prewarm(cache, db.instances), warmSchedule(cache), ...db.all];
}
