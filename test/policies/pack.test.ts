// The whole pack (policies/pack.ts) on stacks built by hand: a warm stack passes with no diagnostic at all, and
// Aurora or single-node caches broken several ways are judged by every policy that applies.
import { strict as assert } from "node:assert";
import { cacheHaEncrypted, cachePrewarmed } from "../../policies/cache";
import { connectionBudget, wholeChainWarm } from "../../policies/chain";
import { dbBufferPrewarm, dbReadReplicas } from "../../policies/database";
import { prewarmBeforeEvent } from "../../policies/event-warm";
import { policies } from "../../policies/pack";
import { TYPES } from "../../policies/shared/contract";
import { unjudgedResources } from "../../policies/unjudged";
import { auroraStack, dbParams, group, prewarm, ramp, resource, warmSchedule, warmStack } from "./fixtures";
import { EngineResource } from "./harness";
import { passes, verdicts } from "./verdicts";

const AURORA_CONFIG = { "db-read-replicas": { minReplicas: 2 } };

describe("the warm-readiness pack on stacks built by hand", () => {
    it("passes the warm stack, RDS or Aurora, with no diagnostic at all", async () => {
        await passes(policies, warmStack());
        await passes(policies, auroraStack(), AURORA_CONFIG);
    });

    describe("Aurora PostgreSQL", () => {
        /** Unencrypted, a public reader, no pg_prewarm, a budget exceeded twentyfold: the stack. */
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
});
