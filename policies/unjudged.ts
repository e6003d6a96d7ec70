// What plays a part in the chain but the pack cannot judge: said as an advisory, never passed over in silence.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { nodeMemoryBytes, REDIS_ENGINES } from "./cache";
import { TYPES } from "./shared/contract";
import { databasesOf, outsideReplicasOf, POSTGRES_ENGINES, regionOf } from "./database";
import { POLICY } from "./names";
import { NODE_MEMORY_AS_OF } from "./shared/node-memory";
import { eachKnown, isSet, known, Props, stringOf } from "./props";

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

/** What the pack cannot judge about this resource, after its name; undefined when it can, or it plays no part. */
function unjudged(type: string, props: Props): string | undefined {
    if (type in UNJUDGED_TYPES) return kindMessage(UNJUDGED_TYPES[type]);
    const engine = stringOf(known(props, "engine"));
    if (type === TYPES.cacheCluster && !isSet(props, "replicationGroupId") && !REDIS_ENGINES.includes(engine ?? "")) {
        return kindMessage(`an ElastiCache ${engine ?? "(engine unknown)"} cluster (the pack judges Redis and Valkey)`);
    }
    if ((type === TYPES.dbInstance || type === TYPES.dbCluster) && engine && !POSTGRES_ENGINES.includes(engine)) {
        return kindMessage(`a ${engine} database (the pack judges PostgreSQL and Aurora PostgreSQL)`);
    }
    if (type === TYPES.replicationGroup || (type === TYPES.cacheCluster && REDIS_ENGINES.includes(engine ?? ""))) {
        const nodeType = known(props, "nodeType");
        if (typeof nodeType === "string" && nodeMemoryBytes(nodeType) === undefined) {
            return (
                `runs node type ${nodeType}, which the pack's node memory table (${NODE_MEMORY_AS_OF}) does not ` +
                `list: ${POLICY.cacheFitsHotSet} cannot tell whether it holds its hot set. Check that the node's ` +
                "memory × shards, less 25 % reserved, holds the hot set, or use a node type the table lists."
            );
        }
    }
    return undefined;
}

/** What the pack cannot judge about the stack's read replicas: one whose source is elsewhere, or that serves elsewhere. */
function unjudgedReplicas(resources: PolicyResource[]): Map<PolicyResource, string> {
    const found = new Map<PolicyResource, string>();
    for (const { replica, source, remote } of outsideReplicasOf(resources)) {
        found.set(
            replica,
            `replicates ${source ?? "a database"}, which is not in this stack: the pack cannot count its primary's ` +
                `replicas (${POLICY.dbReadReplicas}), hold the writer to its connection budget or see its buffers ` +
                (remote
                    ? `warmed; and it runs in ${regionOf(replica)}, another region than its source, so it is not ` +
                      "counted as this region's read capacity. "
                    : "warmed. ") +
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
        "not read, a node type it does not know, a replica of a database outside the stack or in another region), " +
        "so a cold link is never passed over in silence.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const replicas = unjudgedReplicas(args.resources);
        eachKnown(args.resources, (r) => {
            const what = unjudged(r.type, r.props) ?? replicas.get(r);
            if (what !== undefined) reportViolation(`${r.name} ${what}`, r.urn);
        });
    },
};
