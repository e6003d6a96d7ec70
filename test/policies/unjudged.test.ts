// unjudged-resources (policies/unjudged.ts): what the pack cannot judge is advisory, named with what to tag.
import { strict as assert } from "node:assert";
import { TYPES } from "../../policies/shared/contract";
import { unjudgedResources } from "../../policies/unjudged";
import { rdsDatabase, single, without, replicationGroup, resource, warmStack } from "./fixtures";
import { UNKNOWN } from "./harness";
import { passes, verdicts } from "./verdicts";

describe("unjudged-resources", () => {
    describe("at its edges", () => {
        it("tells the user to check an unjudged kind by hand, to the last words", async () => {
            const v = await verdicts(unjudgedResources, [
                resource("aws:dynamodb/table:Table", "carts", { billingMode: "PAY_PER_REQUEST" }),
            ]);
            assert.match(
                v.messages,
                /\ncarts is a DynamoDB table: the pack cannot judge whether it is warm, replicated and sized for the peak\. Check it by hand before the event — its warm, its capacity and its connections — or use a kind the pack reads \(see its README\)\.$/,
            );
        });
        it("asks nothing of a group whose tags are unknown at preview, and reads nodeType only on Redis caches", async () => {
            const asg = resource(TYPES.group, "app-group", {
                name: "app-group",
                minSize: 2,
                maxSize: 20,
                tags: UNKNOWN,
            });
            const bucket = resource("aws:s3/bucket:Bucket", "assets", { bucket: "assets", nodeType: "cache.x9.huge" });
            await passes(unjudgedResources, [asg, bucket, ...rdsDatabase(1).all]);
            // Known and untagged, beside a replica of a database outside the stack: connection-budget cannot count it.
            const untagged = resource(TYPES.group, "app-group", { name: "app-group", maxSize: 20, tags: [] });
            const replica = resource(TYPES.dbInstance, "orders-replica", {
                identifier: "orders-replica",
                engine: "postgres",
                replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:orders",
            });
            const v = await verdicts(unjudgedResources, [untagged, replica]);
            assert.match(v.messages, /app-group does not publish the connections each instance opens/);
        });
        it("says what an outside replica of an unknown source replicates, and that one in another region is not this one's", async () => {
            const replica = (name: string, props: Record<string, unknown>) =>
                resource(TYPES.dbInstance, name, {
                    identifier: name,
                    engine: "postgres",
                    region: "us-west-2",
                    ...props,
                });
            const v = await verdicts(unjudgedResources, [
                replica("unknown-source", { replicateSourceDb: UNKNOWN }),
                replica("west", { replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:orders" }),
            ]);
            assert.match(v.messages, /\nunknown-source replicates a database, which is not in this stack/);
            assert.match(
                v.messages,
                /by this stack's alone; and it runs in us-west-2, another region than its source, so it is not counted as this region's read capacity\. Check the primary by hand before the event, or manage it in this stack\.$/,
            );
        });
        it("names a cluster whose engine is unknown at preview as one of engine unknown", async () => {
            const v = await verdicts(unjudgedResources, [single({ engine: UNKNOWN })]);
            assert.deepEqual(v.found, ["unjudged-resources advisory cache-single"]);
            assert.match(
                v.messages,
                /cache-single is an ElastiCache \(engine unknown\) cluster \(the pack judges Redis and Valkey\)/,
            );
        });
        it("advises on a single-node Redis cluster of a node type the table does not list", async () => {
            const v = await verdicts(unjudgedResources, [single({ nodeType: "cache.x9.huge" })]);
            assert.deepEqual(v.found, ["unjudged-resources advisory cache-single"]);
            assert.match(
                v.messages,
                /cache-single runs node type cache\.x9\.huge, .* Check that the node's memory × shards, less 25 % reserved, holds the hot set, or use a node type the table lists\.$/,
            );
        });
        it("says nothing about a group member's node type, nor a group whose node type is not given", async () => {
            await passes(unjudgedResources, [
                single({ replicationGroupId: "cache-redis-1234", engine: undefined, nodeType: "cache.x9.huge" }),
                without(replicationGroup(), "nodeType"),
            ]);
        });
    });

    describe("in a whole stack", () => {
        it("advises on every cache or database the pack cannot judge, saying what it is", async () => {
            const unjudged = [
                resource("aws:memorydb/cluster:Cluster", "sessions", { nodeType: "db.r7g.large" }),
                resource("aws:elasticache/serverlessCache:ServerlessCache", "edge-cache", { engine: "valkey" }),
                resource("aws:dynamodb/table:Table", "carts", { billingMode: "PAY_PER_REQUEST" }),
                resource("aws:rds/proxy:Proxy", "db-proxy", { engineFamily: "POSTGRESQL" }),
                resource(TYPES.dbInstance, "orders-mysql", { engine: "mysql", storageEncrypted: true }),
                resource(TYPES.dbCluster, "aurora-mysql", { engine: "aurora-mysql", storageEncrypted: true }),
                resource(TYPES.cacheCluster, "memcached", { engine: "memcached", nodeType: "cache.r7g.large" }),
                replicationGroup({ nodeType: "cache.x9.huge" }),
            ];
            const v = await verdicts(unjudgedResources, [...warmStack(), ...unjudged]);
            assert.deepEqual(v.found.sort(), unjudged.map((r) => `unjudged-resources advisory ${r.name}`).sort());
            assert.match(v.messages, /sessions is a MemoryDB cluster: the pack cannot judge whether it is warm/);
            assert.match(v.messages, /db-proxy is an RDS Proxy \(connection-budget counts/);
            assert.match(v.messages, /orders-mysql is a mysql database \(the pack judges PostgreSQL/);
            assert.match(v.messages, /memcached is an ElastiCache memcached cluster/);
            assert.match(
                v.messages,
                /cache-redis runs node type cache\.x9\.huge, which the pack's node memory table \(\d{4}-\d{2}-\d{2}\) does not list: cache-fits-hot-set cannot tell/,
            );
        });
        it("says nothing about what it judges", () => passes(unjudgedResources, warmStack()));
    });
});
