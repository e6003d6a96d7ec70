// The cache tier: ElastiCache groups (and single-node clusters) that survive a node loss, hold their hot set, and
// are full before the traffic.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { attachedCachesOf } from "./attached";
import { cacheHaConfig, settings } from "./config";
import { CACHE_TAGS, PREWARM_TARGET, TYPES } from "./shared/contract";
import { DEFAULTS } from "./shared/defaults";
import { tagMapOf } from "./event";
import { POLICY } from "./names";
import { NODE_MEMORY_GIB } from "./shared/node-memory";
import { settle } from "./shared/numbers";
import { bullets, eachKnown, isSet, isTrue, known, numberOf, ofType, Props, referencedBy, stringOf } from "./props";

const GIB = 1024 ** 3;

/** Engines whose caches the pack judges: what a CachePrewarm writes to. */
export const REDIS_ENGINES = ["redis", "valkey"];

/** A single-node `aws:elasticache/cluster` of its own; a member of a replication group is judged with the group. */
const isStandaloneCluster = (props: Props) =>
    !isSet(props, "replicationGroupId") && REDIS_ENGINES.includes(stringOf(known(props, "engine")) ?? "");

/**
 * The caches the pack judges: every replication group, every single-node Redis or Valkey cluster, and production's
 * caches an attached stack warms (policies/attached.ts).
 */
export function cachesOf(resources: PolicyResource[]): PolicyResource[] {
    const own = [
        ...ofType(resources, TYPES.replicationGroup),
        ...ofType(resources, TYPES.cacheCluster).filter((c) => isStandaloneCluster(c.props)),
    ];
    return [...own, ...attachedCachesOf(resources, own)];
}

/** The property holding a cache's id: what a CachePrewarm or a scheduled warm names literally. */
export const cacheIdKey = (cache: PolicyResource) =>
    cache.type === TYPES.cacheCluster ? "clusterId" : "replicationGroupId";

/** The CachePrewarm resources that fill `cache`: linked through their replicationGroupId input (see contract.ts). */
export const prewarmsOf = (cache: PolicyResource, resources: PolicyResource[]) =>
    ofType(resources, TYPES.cachePrewarm).filter(
        (prewarm) => referencedBy(prewarm, PREWARM_TARGET, [cache], [cacheIdKey(cache)]).length > 0,
    );

/** Nodes holding each shard's data: numCacheClusters, or 1 + replicasPerNodeGroup in cluster mode; AWS's default is 1. */
function nodesPerShard(group: Props): number {
    const clusters = numberOf(group.numCacheClusters);
    if (clusters !== undefined) return clusters;
    const replicas = numberOf(group.replicasPerNodeGroup);
    return replicas === undefined ? 1 : 1 + replicas;
}

/** Shards: numNodeGroups in cluster mode; one for a group sized by numCacheClusters and for a single node. */
function shardsOf(cache: PolicyResource): number {
    if (cache.type === TYPES.cacheCluster || numberOf(cache.props.numCacheClusters) !== undefined) return 1;
    return numberOf(cache.props.numNodeGroups) ?? 1;
}

/** A node type's memory in bytes, from the pack's table; undefined for a type it does not list. */
export function nodeMemoryBytes(nodeType: unknown): number | undefined {
    const gib = typeof nodeType === "string" ? NODE_MEMORY_GIB[nodeType] : undefined;
    return gib === undefined ? undefined : Math.floor(settle(gib * GIB));
}

const gib = (bytes: number) => `${settle(bytes / GIB).toFixed(2)} GiB`;

function groupProblems(group: Props, minNodes: number): string[] {
    const problems: string[] = [];
    if (!isTrue(group.automaticFailoverEnabled)) {
        problems.push(
            "automatic failover is off: losing the primary drops the cache until a node is replaced " +
                "— set automaticFailoverEnabled (and multiAzEnabled) to true",
        );
    }
    const nodes = nodesPerShard(group);
    if (nodes < minNodes) {
        const clusterMode = numberOf(group.numCacheClusters) === undefined && isSet(group, "numNodeGroups");
        problems.push(
            `${nodes} node(s) hold ${clusterMode ? "each shard's" : "the"} data, ${minNodes} are needed so a ` +
                "replica can take over — " +
                (clusterMode
                    ? `set replicasPerNodeGroup to ${minNodes - 1} or more`
                    : `set numCacheClusters to ${minNodes} or more`) +
                " (warmstack: cache.replicas)",
        );
    }
    if (!isTrue(group.transitEncryptionEnabled)) {
        problems.push("traffic to the cache is unencrypted — set transitEncryptionEnabled to true");
    }
    if (!isTrue(group.atRestEncryptionEnabled)) {
        problems.push("the data and its snapshots are unencrypted on disk — set atRestEncryptionEnabled to true");
    }
    if (!isSet(group, "authToken") && !isSet(group, "userGroupIds")) {
        problems.push(
            "anyone who reaches the port can read or flush the cache — set an authToken " +
                "(from a secret) or RBAC userGroupIds",
        );
    }
    return problems;
}

function singleNodeProblems(cluster: Props): string[] {
    const problems = [
        "it is a single node: no replica takes over when it fails, and nothing fails over automatically — " +
            "deploy an aws.elasticache.ReplicationGroup with automatic failover and a replica instead",
        "a single-node cluster has no at-rest encryption and no auth token: anyone who reaches the port can read " +
            "or flush it — a replication group has both (atRestEncryptionEnabled, authToken)",
    ];
    if (!isTrue(cluster.transitEncryptionEnabled)) {
        problems.push("traffic to the cache is unencrypted — set transitEncryptionEnabled to true");
    }
    return problems;
}

export const cacheHaEncrypted: ResourceValidationPolicy = {
    name: POLICY.cacheHaEncrypted,
    description:
        "ElastiCache caches survive losing a node mid-event (automatic failover, at least two nodes per shard) and " +
        "protect the data they hold (in-transit and at-rest encryption, an auth token); a single-node cluster can do " +
        "neither.",
    enforcementLevel: "mandatory",
    configSchema: cacheHaConfig,
    validateResource: (args, reportViolation) => {
        const { minNodes } = settings(args, cacheHaConfig);
        const problems =
            args.type === TYPES.replicationGroup
                ? groupProblems(args.props, minNodes)
                : args.type === TYPES.cacheCluster && isStandaloneCluster(args.props)
                  ? singleNodeProblems(args.props)
                  : [];
        if (problems.length > 0) reportViolation(`${args.name}:\n${bullets(problems)}`);
    },
};

export const cachePrewarmed: StackValidationPolicy = {
    name: POLICY.cachePrewarmed,
    description:
        "Every ElastiCache cache is filled with the hot keys before the traffic arrives, by a CachePrewarm " +
        `resource (${TYPES.cachePrewarm}) whose ${PREWARM_TARGET} is the cache's id.`,
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        eachKnown(cachesOf(args.resources), (cache) => {
            if (prewarmsOf(cache, args.resources).length > 0) return;
            reportViolation(
                `${cache.name} is not the target of any CachePrewarm: it opens empty, and at the peak ` +
                    `every miss goes to the database. Add a CachePrewarm with ${PREWARM_TARGET}: ${cache.name}.id ` +
                    "(and redisHost: its primary endpoint), created after the database replicas.",
                cache.urn,
            );
        });
    },
};

export const cacheFitsHotSet: StackValidationPolicy = {
    name: POLICY.cacheFitsHotSet,
    description:
        "Each pre-warmed ElastiCache cache has the memory for its hot set: node memory × shards, less ElastiCache's " +
        `25 % reserved share, holds the bytes its warm writes (the ${CACHE_TAGS.hotSetBytes} tag) — a smaller ` +
        "cache evicts its own hottest keys while it is being warmed.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        eachKnown(cachesOf(args.resources), (cache) => {
            if (prewarmsOf(cache, args.resources).length === 0) return;
            const hotSet = numberOf(tagMapOf(cache.props).get(CACHE_TAGS.hotSetBytes));
            // Untagged (a stack warmstack did not build): unjudged-resources names it, as an advisory.
            if (hotSet === undefined) return;
            const node = nodeMemoryBytes(cache.props.nodeType);
            // A node type the table does not list: unjudged-resources says so, as an advisory.
            if (node === undefined) return;
            const shards = shardsOf(cache);
            const perShard = Math.floor(settle(node * (1 - DEFAULTS.reservedMemoryShare)));
            const usable = perShard * shards;
            if (hotSet <= usable) return;
            // Whole bytes: no float noise to settle, and a byte over must count.
            const needed = Math.ceil(hotSet / perShard);
            reportViolation(
                `${cache.name} holds ${gib(usable)} of data (${shards} shard(s) × ${cache.props.nodeType} ` +
                    `${gib(node)}, less ${DEFAULTS.reservedMemoryShare * 100} % reserved), but its hot set is ` +
                    `${gib(hotSet)} (${hotSet} B, tag ${CACHE_TAGS.hotSetBytes}): the warm would evict its own ` +
                    `hottest keys. Use ${needed} shards of this node type (cluster mode: numNodeGroups), a larger ` +
                    "node type (warmstack: cache.nodeType), or warm fewer keys (cache.prewarm.topKeys).",
                cache.urn,
            );
        });
    },
};
