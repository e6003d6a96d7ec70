// The pack over a warm stack built by hand (test/policies/fixtures.ts): it passes whole, and each new kind of
// resource — Aurora, a single-node cache, a kind the pack cannot judge, a flat group — is judged, never ignored.
import { strict as assert } from "node:assert";
import { cacheHaEncrypted, cachePrewarmed } from "../../policies/cache";
import { connectionBudget, wholeChainWarm } from "../../policies/chain";
import { asgFlatCapacity, asgWarmPoolRequired, rampBeforeEvent } from "../../policies/compute";
import { TYPES } from "../../policies/shared/contract";
import { dbBufferPrewarm, dbPrivateEncrypted, dbReadReplicas, replicaBuffersWarm } from "../../policies/database";
import { prewarmBeforeEvent } from "../../policies/event-warm";
import { policies } from "../../policies/pack";
import { unjudgedResources } from "../../policies/unjudged";
import {
    auroraDatabase,
    dbParams,
    group,
    prewarm,
    ramp,
    replicationGroup,
    resource,
    warmSchedule,
    warmStack,
} from "./fixtures";
import { edited, EngineResource } from "./harness";
import { passes, verdicts } from "./verdicts";

const AURORA_CONFIG = { "db-read-replicas": { minReplicas: 2 } };

/** The warm stack with its RDS database swapped for an Aurora cluster, pre-warmed on each instance. */
function auroraStack(edit: (db: ReturnType<typeof auroraDatabase>) => void = () => undefined): EngineResource[] {
    const asg = group();
    const cache = replicationGroup();
    const db = auroraDatabase();
    edit(db);
    return [asg, ramp(asg), cache, prewarm(cache, db.instances), warmSchedule(cache), ...db.all];
}

describe("warm-readiness over a stack built by hand", () => {
    it("passes the warm stack, RDS or Aurora, with no diagnostic at all", async () => {
        await passes(policies, warmStack());
        await passes(policies, auroraStack(), AURORA_CONFIG);
    });

    describe("Aurora PostgreSQL", () => {
        /** Unencrypted, a public reader, no pg_prewarm, a budget exceeded twentyfold: the issue's stack. */
        const broken = () =>
            auroraStack((db) => {
                db.cluster.inputs.storageEncrypted = db.cluster.outputs.storageEncrypted = false;
                db.instances[2].inputs.publiclyAccessible = db.instances[2].outputs.publiclyAccessible = true;
                for (const p of [db.params.inputs, db.params.outputs]) {
                    p.parameters = [{ name: "max_connections", value: "20" }];
                }
            });

        it("is judged by every policy the issue names, each saying what is wrong", async () => {
            const v = await verdicts(policies, broken(), AURORA_CONFIG);
            assert.deepEqual(v.found.sort(), [
                "connection-budget mandatory aurora-1",
                "connection-budget mandatory aurora-2",
                "connection-budget mandatory aurora-3",
                "connection-budget mandatory aurora-cluster",
                "db-buffer-prewarm advisory aurora-cluster-params",
                "db-private-encrypted mandatory aurora-3",
                "db-private-encrypted mandatory aurora-cluster",
                "whole-chain-warm mandatory stack",
            ]);
            assert.match(v.messages, /aurora-cluster:\n {2}- storage is unencrypted/);
            assert.match(v.messages, /aurora-3:\n {2}- it is reachable from the internet/);
            assert.match(
                v.messages,
                /writer aurora-cluster: app-group 20 instances × 10 = 200 connections at the peak, over its budget of 18 \(max_connections 20/,
            );
            assert.match(v.messages, /database aurora-1: its buffer cache comes back cold .*does not load pg_prewarm/);
        });

        it("counts an Aurora cluster's readers (instances beyond the writer) for db-read-replicas", async () => {
            await passes(dbReadReplicas, auroraStack(), AURORA_CONFIG);
            const v = await verdicts(dbReadReplicas, auroraStack(), { "db-read-replicas": { minReplicas: 3 } });
            assert.deepEqual(v.found, ["db-read-replicas mandatory aurora-cluster"]);
            assert.match(
                v.messages,
                /aurora-cluster has 2 reader instance\(s\); this event needs 3\. Add 1 aws\.rds\.ClusterInstance/,
            );
        });

        it("links instances and parameter groups by value as well as by dependency", async () => {
            const byValue = auroraStack().map((r) =>
                r.type === TYPES.dbClusterInstance || r.type === TYPES.dbCluster
                    ? { ...r, propertyDependencies: {} }
                    : r,
            );
            await passes([dbReadReplicas, connectionBudget], byValue, AURORA_CONFIG);
        });

        it("leaves an Aurora cluster that runs the default parameter groups cold in the chain", async () => {
            const v = await verdicts(
                [wholeChainWarm, connectionBudget],
                auroraStack((db) => {
                    delete db.cluster.inputs.dbClusterParameterGroupName;
                    delete db.cluster.outputs.dbClusterParameterGroupName;
                    db.cluster.propertyDependencies = {};
                }),
            );
            assert.match(v.messages, /database aurora-2: its buffer cache .*RDS default parameter group/);
            assert.match(v.messages, /writer aurora-cluster: max_connections is not pinned .*RDS default/);
        });

        it("advises on an Aurora cluster parameter group without pg_prewarm", async () => {
            const v = await verdicts(dbBufferPrewarm, [dbParams("aurora-cluster-params", "aurora-postgresql16")]);
            assert.deepEqual(v.found, []);
            const off = dbParams("aurora-cluster-params", "aurora-postgresql16");
            off.inputs.parameters[1].value = "pg_stat_statements";
            assert.deepEqual((await verdicts(dbBufferPrewarm, [off])).found, [
                "db-buffer-prewarm advisory aurora-cluster-params",
            ]);
        });
    });

    describe("single-node ElastiCache clusters", () => {
        const single = (overrides: Record<string, any> = {}) =>
            resource(TYPES.cacheCluster, "cache-single", {
                clusterId: "cache-single",
                engine: "redis",
                nodeType: "cache.r7g.large",
                numCacheNodes: 1,
                ...overrides,
            });
        const stackWith = (cache: EngineResource, extra: EngineResource[] = []) => {
            const asg = group();
            const rest = warmStack().filter((r) => r.type !== TYPES.group && r.type !== TYPES.schedule);
            return [asg, ramp(asg), ...rest, cache, ...extra];
        };

        it("fails cache-ha-encrypted, cache-prewarmed and whole-chain-warm: no replica, no TLS, no auth, no warm", async () => {
            const v = await verdicts(policies, stackWith(single()));
            assert.deepEqual(v.found, [
                "cache-ha-encrypted mandatory cache-single",
                "cache-prewarmed mandatory cache-single",
                "whole-chain-warm mandatory stack",
            ]);
            assert.match(v.messages, /cache-single:\n {2}- it is a single node: no replica takes over/);
            assert.match(v.messages, /no at-rest encryption and no auth token/);
            assert.match(v.messages, /traffic to the cache is unencrypted/);
            assert.match(v.messages, /cache cache-single: no CachePrewarm fills it/);
        });

        it("counts a CachePrewarm and a scheduled warm that name it by its clusterId", async () => {
            const cache = single({ transitEncryptionEnabled: true });
            const schedule = warmSchedule(cache);
            schedule.propertyDependencies = {};
            schedule.inputs.target.input = schedule.outputs.target.input = JSON.stringify({
                replicationGroupId: "cache-single",
            });
            schedule.name = "cache-single-warm";
            schedule.urn += "-single";
            const v = await verdicts(
                [cachePrewarmed, prewarmBeforeEvent, wholeChainWarm],
                stackWith(cache, [prewarm(cache, [], {}, "single-prewarm"), schedule]),
            );
            assert.deepEqual(v.found, []);
        });

        it("leaves a cluster member of a replication group to the group", async () => {
            await passes(
                [cacheHaEncrypted, cachePrewarmed, unjudgedResources],
                stackWith(single({ replicationGroupId: "cache-redis-1234", engine: undefined })),
            );
        });
    });

    describe("unjudged-resources", () => {
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

    describe("a flat group (minSize = maxSize)", () => {
        const flat = () => {
            const asg = group({ minSize: 6, maxSize: 6, desiredCapacity: 6 });
            delete asg.inputs.warmPool;
            delete asg.outputs.warmPool;
            return [asg, ...warmStack().filter((r) => r.type !== TYPES.group && r.type !== TYPES.schedule)];
        };

        it("needs no warm pool and no ramp: the pack accepts it and says so", async () => {
            const v = await verdicts(policies, flat());
            assert.deepEqual(v.found, ["asg-flat-capacity advisory app-group"]);
            assert.match(
                v.messages,
                /app-group never scales out \(minSize = maxSize = 6\): every instance starts at deploy, so it needs no warm pool and no ramp; asg-warm-pool-required and ramp-before-event do not apply/,
            );
            assert.deepEqual(v.notApplicable, [
                "asg-warm-pool-required: app-group never scales out (minSize = maxSize = 6): every instance starts at deploy, so it needs no warm pool and no ramp",
            ]);
        });

        it("is flat only when both sizes are known and equal", async () => {
            const growing = flat().map((r) =>
                r.type === TYPES.group ? edited([r], TYPES.group, (p) => (p.maxSize = 7))[0] : r,
            );
            const v = await verdicts([asgFlatCapacity, asgWarmPoolRequired, rampBeforeEvent], growing);
            assert.deepEqual(v.found, [
                "asg-warm-pool-required mandatory app-group",
                "ramp-before-event mandatory app-group",
            ]);
        });
    });

    describe("replica-buffers-warm", () => {
        it("advises on a replica no warm names, and on a warm that loads no relation", async () => {
            const stack = warmStack();
            const warm = stack.find((r) => r.type === TYPES.cachePrewarm)!;
            warm.propertyDependencies.replicaHosts = [warm.propertyDependencies.replicaHosts[0]];
            warm.inputs.replicaHosts = warm.outputs.replicaHosts = [warm.outputs.replicaHosts[0]];
            const v = await verdicts([replicaBuffersWarm, wholeChainWarm], stack);
            assert.deepEqual(v.found, [
                "replica-buffers-warm advisory db-replica-2",
                "whole-chain-warm mandatory stack",
            ]);
            assert.match(
                v.messages,
                /db-replica-2: no warm names it in its replicaHosts: it opens the event with cold buffers/,
            );
            assert.match(
                v.messages,
                /database db-replica-2: its buffers are cold at the event .*\(replica-buffers-warm\)/,
            );

            const none = edited(warmStack(), TYPES.cachePrewarm, (p) => (p.relations = []));
            const empty = await verdicts(replicaBuffersWarm, none);
            assert.deepEqual(empty.found, [
                "replica-buffers-warm advisory db-replica-1",
                "replica-buffers-warm advisory db-replica-2",
            ]);
            assert.match(empty.messages, /cache-prewarm names it but loads no relation \(relations is empty\)/);
        });

        it("links a replica by its address when the dependency is not recorded", async () => {
            await passes(
                replicaBuffersWarm,
                edited(warmStack(), TYPES.cachePrewarm, (_p, r) => {
                    r.propertyDependencies = { replicationGroupId: r.propertyDependencies.replicationGroupId };
                }),
            );
            const elsewhere = edited(warmStack(), TYPES.cachePrewarm, (p, r) => {
                r.propertyDependencies = {};
                p.replicaHosts = ["another.example.internal"];
            });
            assert.equal((await verdicts(replicaBuffersWarm, elsewhere)).found.length, 2);
        });
    });

    it("db-private-encrypted reads an Aurora instance's publiclyAccessible but not its (absent) encryption", async () => {
        await passes(dbPrivateEncrypted, auroraStack());
    });
});
