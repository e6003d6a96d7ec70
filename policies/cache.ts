// The cache tier: an ElastiCache replication group that survives a node loss and is full before the traffic.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { cacheHaConfig, settings } from "./config";
import { PREWARM_TARGET, TYPES } from "./contract";
import { bullets, eachKnown, isSet, isTrue, numberOf, ofType, Props, referencedBy } from "./props";

/** Nodes holding each shard's data: numCacheClusters, or 1 + replicasPerNodeGroup in cluster mode; AWS's default is 1. */
function nodesPerShard(group: Props): number {
    const clusters = numberOf(group.numCacheClusters);
    if (clusters !== undefined) return clusters;
    const replicas = numberOf(group.replicasPerNodeGroup);
    return replicas === undefined ? 1 : 1 + replicas;
}

/** The CachePrewarm resources that fill `group`: linked through their replicationGroupId input (see contract.ts). */
export const prewarmsOf = (group: PolicyResource, resources: PolicyResource[]) =>
    ofType(resources, TYPES.cachePrewarm).filter(
        (prewarm) => referencedBy(prewarm, PREWARM_TARGET, [group], ["replicationGroupId"]).length > 0,
    );

export const cacheHaEncrypted: ResourceValidationPolicy = {
    name: "cache-ha-encrypted",
    description:
        "ElastiCache replication groups survive losing a node mid-event (automatic failover, at least two " +
        "nodes) and protect the data they hold (in-transit and at-rest encryption, an auth token).",
    enforcementLevel: "mandatory",
    configSchema: cacheHaConfig,
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.replicationGroup) return;
        const group = args.props;
        const { minNodes } = settings(args, cacheHaConfig);
        const problems: string[] = [];
        if (!isTrue(group.automaticFailoverEnabled)) {
            problems.push(
                "automatic failover is off: losing the primary drops the cache until a node is replaced " +
                    "— set automaticFailoverEnabled (and multiAzEnabled) to true",
            );
        }
        const nodes = nodesPerShard(group);
        if (nodes < minNodes) {
            problems.push(
                `${nodes} node(s) hold the data, ${minNodes} are needed so a replica can take over — ` +
                    `set numCacheClusters to ${minNodes} or more (warmstack: cache.replicas)`,
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
        if (problems.length > 0) reportViolation(`${args.name}:\n${bullets(problems)}`);
    },
};

export const cachePrewarmed: StackValidationPolicy = {
    name: "cache-prewarmed",
    description:
        "Every ElastiCache replication group is filled with the hot keys before the traffic arrives, by a " +
        `CachePrewarm resource (${TYPES.cachePrewarm}) whose ${PREWARM_TARGET} is the group's id.`,
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        eachKnown(ofType(args.resources, TYPES.replicationGroup), (group) => {
            if (prewarmsOf(group, args.resources).length > 0) return;
            reportViolation(
                `${group.name} is not the target of any CachePrewarm: it opens empty, and at the peak ` +
                    `every miss goes to the database. Add a CachePrewarm with ${PREWARM_TARGET}: ${group.name}.id ` +
                    "(and redisHost: its primary endpoint), created after the database replicas.",
                group.urn,
            );
        });
    },
};
