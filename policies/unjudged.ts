// What plays a part in the chain but the pack cannot judge: said as an advisory, never passed over in silence.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { cachesOf, nodeMemoryBytes, prewarmsOf, REDIS_ENGINES } from "./cache";
import { CACHE_TAGS, TAGS, TYPES } from "./shared/contract";
import { databasesOf, localOutsideReplicasOf, outsideReplicasOf, POSTGRES_ENGINES, regionOf } from "./database";
import { tagMapOf } from "./event";
import { POLICY } from "./names";
import { NODE_MEMORY_AS_OF } from "./shared/node-memory";
import { eachKnown, isSet, known, numberOf, Props, stringOf, tagsOf } from "./props";

/** Resource kinds that hold the hot data or carry the database's connections, which no policy of the pack reads. */
export const UNJUDGED_TYPES: Readonly<Record<string, string>> = {
    "aws:memorydb/cluster:Cluster": "a MemoryDB cluster",
    "aws:elasticache/serverlessCache:ServerlessCache": "an ElastiCache Serverless cache",
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": "an ElastiCache global datastore",
    "aws:dax/cluster:Cluster": "a DynamoDB Accelerator (DAX) cache",
    "aws:dynamodb/table:Table": "a DynamoDB table",
    "aws:docdb/cluster:Cluster": "a DocumentDB cluster",
    "aws:rds/proxy:Proxy":
        "an RDS Proxy (connection-budget counts the app's connections straight to each endpoint; behind a proxy " +
        "the database sees the proxy's pool, bounded by its maxConnectionsPercent)",
};

const kindMessage = (what: string) =>
    `is ${what}: the pack cannot judge whether it is warm, replicated and sized for the peak. Check it by hand ` +
    "before the event — its warm, its capacity and its connections — or use a kind the pack reads (see its README).";

/** The resource's `tags`, or undefined while they are unknown (at preview they may yet hold what is asked for). */
function knownTags(props: Props): { tags: unknown } | undefined {
    const tags = known(props, "tags");
    return tags === undefined && isSet(props, "tags") ? undefined : { tags };
}

/** Why cache-fits-hot-set cannot judge a pre-warmed cache, after its name: no hot-set tag. */
function hotSetFindings(props: Props): string[] {
    const tags = knownTags(props);
    if (!tags || numberOf(tagMapOf(tags).get(CACHE_TAGS.hotSetBytes)) !== undefined) return [];
    return [
        `does not publish the size of the hot set its CachePrewarm writes (tag ${CACHE_TAGS.hotSetBytes}: top ` +
            `keys × bytes per key): ${POLICY.cacheFitsHotSet} cannot tell whether it holds it. Tag it with that ` +
            "whole number of bytes to be judged (see the policy contract), or check by hand that the node memory × " +
            "shards, less 25 % reserved, holds it.",
    ];
}

/** Why the pack cannot judge a group's connections, after its name. */
function groupFindings(props: Props): string[] {
    const list = knownTags(props);
    if (!list) return [];
    const tags = tagsOf({ tags: list.tags });
    const missing = [TAGS.writerPool, TAGS.readerPoolPerReplica].filter((t) => numberOf(tags.get(t)) === undefined);
    if (missing.length === 0) return [];
    return [
        `does not publish the connections each instance opens (tag${missing.length > 1 ? "s" : ""} ` +
            `${missing.join(" and ")}): ${POLICY.connectionBudget} cannot count its demand on the database at the ` +
            `peak. Tag the group with its per-instance pool sizes (${TAGS.writerPool}: to the writer, ` +
            `${TAGS.readerPoolPerReplica}: to each replica) to be judged, or check by hand that maxSize × the ` +
            "pool fits every endpoint's max_connections.",
    ];
}

/** What the pack cannot judge about this resource, each after its name; none when it can, or it plays no part. */
function unjudged(type: string, props: Props): string[] {
    if (type in UNJUDGED_TYPES) return [kindMessage(UNJUDGED_TYPES[type])];
    const engine = stringOf(known(props, "engine"));
    if (type === TYPES.cacheCluster && !isSet(props, "replicationGroupId") && !REDIS_ENGINES.includes(engine ?? "")) {
        return [
            kindMessage(`an ElastiCache ${engine ?? "(engine unknown)"} cluster (the pack judges Redis and Valkey)`),
        ];
    }
    if ((type === TYPES.dbInstance || type === TYPES.dbCluster) && engine && !POSTGRES_ENGINES.includes(engine)) {
        return [kindMessage(`a ${engine} database (the pack judges PostgreSQL and Aurora PostgreSQL)`)];
    }
    if (type === TYPES.replicationGroup || (type === TYPES.cacheCluster && REDIS_ENGINES.includes(engine ?? ""))) {
        const nodeType = known(props, "nodeType");
        if (typeof nodeType === "string" && nodeMemoryBytes(nodeType) === undefined) {
            return [
                `runs node type ${nodeType}, which the pack's node memory table (${NODE_MEMORY_AS_OF}) does not ` +
                    `list: ${POLICY.cacheFitsHotSet} cannot tell whether it holds its hot set. Check that the node's ` +
                    "memory × shards, less 25 % reserved, holds the hot set, or use a node type the table lists.",
            ];
        }
    }
    return [];
}

/** What the pack cannot judge about the stack's read replicas: one whose source is elsewhere, or that serves elsewhere. */
function unjudgedReplicas(resources: PolicyResource[]): Map<PolicyResource, string> {
    const found = new Map<PolicyResource, string>();
    for (const { replica, source, remote } of outsideReplicasOf(resources)) {
        found.set(
            replica,
            `replicates ${source ?? "a database"}, which is not in this stack: the pack cannot hold the writer to ` +
                "its connection budget, nor see the parameter group a replica without one of this stack inherits " +
                `from its source (its max_connections for ${POLICY.connectionBudget}, pg_prewarm for ` +
                `${POLICY.dbBufferPrewarm}), and counts its replicas ` +
                `(${POLICY.dbReadReplicas}) only on a stack with no database of its own, by this stack's alone` +
                (remote
                    ? `; and it runs in ${regionOf(replica)}, another region than its source, so it is not ` +
                      "counted as this region's read capacity. "
                    : ". ") +
                "Check the primary by hand before the event, or manage it in this stack.",
        );
    }
    for (const db of databasesOf(resources)) {
        for (const replica of db.remote) {
            found.set(
                replica,
                `is a read replica of ${db.primary.name} in another region (${regionOf(replica)}): it serves that ` +
                    `region's readers, so ${POLICY.dbReadReplicas} and ${POLICY.connectionBudget} do not count it as ` +
                    "read capacity here. Check its warm, capacity and connections in its own region's stack.",
            );
        }
    }
    return found;
}

export const unjudgedResources: StackValidationPolicy = {
    name: POLICY.unjudgedResources,
    description:
        "Names every cache or database the pack cannot judge (another engine, a serverless or managed kind it does " +
        "not read, a node type it does not know, a replica of a database outside the stack or in another region) " +
        "and every group or pre-warmed cache that lacks the tags a policy judges it by (a stack warmstack did not " +
        "build), so a cold link is never passed over in silence.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const replicas = unjudgedReplicas(args.resources);
        const prewarmed = new Set(cachesOf(args.resources).filter((c) => prewarmsOf(c, args.resources).length > 0));
        // Pool sizes matter only where connection-budget has a database to hold them to: one of the stack, or a
        // same-region replica of one outside it.
        const withDatabase =
            databasesOf(args.resources).length > 0 || localOutsideReplicasOf(args.resources).length > 0;
        eachKnown(args.resources, (r) => {
            const findings = [
                ...unjudged(r.type, r.props),
                ...(replicas.has(r) ? [replicas.get(r)!] : []),
                ...(prewarmed.has(r) ? hotSetFindings(r.props) : []),
                ...(withDatabase && r.type === TYPES.group ? groupFindings(r.props) : []),
            ];
            for (const finding of findings) reportViolation(`${r.name} ${finding}`, r.urn);
        });
    },
};
