// The database policies on the inputs a comfortable fixture never has: other engines, links by value (ARN, literal
// names, endpoints), parameter groups split between an Aurora instance and its cluster, odd parameter spellings
// and malformed entries, several warms on one replica — and the wording a blocked user reads.
import { strict as assert } from "node:assert";
import { connectionBudget, wholeChainWarm } from "../../policies/chain";
import { TYPES } from "../../policies/shared/contract";
import { dbBufferPrewarm, dbPrivateEncrypted, dbReadReplicas, replicaBuffersWarm } from "../../policies/database";
import {
    auroraDatabase,
    dbParams,
    group,
    prewarm,
    rdsDatabase,
    replicationGroup,
    resource,
    warmStack,
} from "./fixtures";
import { edited, EngineResource, UNKNOWN } from "./harness";
import { passes, verdicts } from "./verdicts";

/** Sets `key` on a resource's inputs and outputs alike, as the program does. */
const set = (r: EngineResource, key: string, value: unknown) => {
    r.inputs[key] = structuredClone(value);
    r.outputs[key] = structuredClone(value);
};

/** A parameter group of `type` named `name` with exactly these parameters. */
const paramGroup = (name: string, family: string, parameters: unknown[], type: string = TYPES.dbParameterGroup) =>
    resource(type, name, { name, family, parameters });

const TWO_REPLICAS = { "db-read-replicas": { minReplicas: 2 } };

describe("database policies at their edges", () => {
    describe("only PostgreSQL databases are judged", () => {
        const mysql = () => [
            resource(TYPES.dbInstance, "orders-mysql", { identifier: "orders-mysql", engine: "mysql" }),
            resource(TYPES.dbCluster, "sessions-aurora-mysql", {
                clusterIdentifier: "sessions-aurora-mysql",
                engine: "aurora-mysql",
            }),
        ];

        it("db-read-replicas asks no replica of a MySQL instance or an Aurora MySQL cluster", async () => {
            await passes(dbReadReplicas, mysql());
            // The PostgreSQL primary beside them is still judged, and alone.
            const v = await verdicts(dbReadReplicas, [...mysql(), ...rdsDatabase(0).all]);
            assert.deepEqual(v.found, ["db-read-replicas mandatory db-primary"]);
            assert.match(v.messages, /db-primary has 0 read replica\(s\); this event needs 1\./);
        });
    });

    describe("linking replicas and Aurora instances to their primary", () => {
        it("counts a replica that names its source by ARN, with no dependency recorded", async () => {
            const db = rdsDatabase(2);
            const arn = "arn:aws:rds:us-east-1:123456789012:db:db-primary";
            set(db.primary, "arn", arn);
            for (const replica of db.readers) {
                set(replica, "replicateSourceDb", arn);
                replica.propertyDependencies = {};
            }
            await passes(dbReadReplicas, db.all, TWO_REPLICAS);
        });

        it("counts each Aurora cluster's own instances, not those of a cluster beside it", async () => {
            const big = auroraDatabase(2);
            const cluster = resource(TYPES.dbCluster, "aurora-small", {
                clusterIdentifier: "aurora-small",
                engine: "aurora-postgresql",
                storageEncrypted: true,
            });
            const writer = resource(
                TYPES.dbClusterInstance,
                "aurora-small-1",
                { clusterIdentifier: "aurora-small", engine: "aurora-postgresql", endpoint: "small-1.internal" },
                { clusterIdentifier: [cluster] },
            );
            const v = await verdicts(dbReadReplicas, [...big.all, cluster, writer], TWO_REPLICAS);
            assert.deepEqual(v.found, ["db-read-replicas mandatory aurora-small"]);
            assert.match(v.messages, /aurora-small has 0 reader instance\(s\); this event needs 2\. Add 2/);
        });
    });

    describe("db-read-replicas tells a blocked user what to add and where the number comes from", () => {
        it("names the resource to add and the settings that size it", async () => {
            const rds = await verdicts(dbReadReplicas, rdsDatabase(1).all, TWO_REPLICAS);
            assert.match(
                rds.messages,
                /Add 1 RDS instance\(s\) with replicateSourceDb: db-primary\.identifier \(warmstack: database\.readQps \/ database\.readQpsPerReplica set how many\)\./,
            );
        });
    });

    describe("which parameter group sets an instance's parameters (connection-budget)", () => {
        /** The app group without its planned replica count, so only the endpoints' budgets are judged. */
        const app = () => {
            const asg = group();
            for (const p of [asg.inputs, asg.outputs]) {
                p.tags = p.tags.filter((t: { key: string }) => t.key !== "warmstack:replicas");
            }
            return asg;
        };

        it("finds an RDS instance's parameter group by the literal name it gives", async () => {
            const db = rdsDatabase(0);
            db.primary.propertyDependencies = {};
            await passes(connectionBudget, [app(), ...db.all]);
        });

        it("takes a max_connections given as a number, not only as a string", async () => {
            const db = rdsDatabase(0);
            for (const p of [db.params.inputs, db.params.outputs]) p.parameters[0].value = 1000;
            await passes(connectionBudget, [app(), ...db.all]);
            for (const p of [db.params.inputs, db.params.outputs]) p.parameters[0].value = 100;
            assert.match(
                (await verdicts(connectionBudget, [app(), ...db.all])).messages,
                /over its budget of 90 \(max_connections 100/,
            );
        });

        /** An Aurora cluster whose first instance has its own parameter group (dbParameterGroupName). */
        const auroraWithOwnGroup = (parameters: unknown[]) => {
            const db = auroraDatabase(2);
            const own = paramGroup("aurora-instance-params", "aurora-postgresql16", parameters);
            set(db.instances[0], "dbParameterGroupName", "aurora-instance-params");
            db.instances[0].propertyDependencies.dbParameterGroupName = [own.urn];
            return [group(), ...db.all, own];
        };

        it("lets an Aurora instance's own group (dbParameterGroupName) override its cluster's group", async () => {
            const v = await verdicts(connectionBudget, auroraWithOwnGroup([{ name: "max_connections", value: "100" }]));
            assert.deepEqual(v.found, [
                "connection-budget mandatory aurora-cluster",
                "connection-budget mandatory aurora-1",
            ]);
            assert.match(v.messages, /writer aurora-cluster: .* over its budget of 90 \(max_connections 100/);
        });

        it("falls back to the cluster's group for a parameter the instance's own group leaves out", async () => {
            await passes(
                connectionBudget,
                auroraWithOwnGroup([{ name: "shared_preload_libraries", value: "pg_prewarm" }]),
            );
        });
    });

    describe("db-buffer-prewarm: pg_prewarm preloaded, autoprewarm on", () => {
        const withParameter = (name: string, value: unknown, family = "postgres16") => {
            const params = dbParams("db-params", family);
            for (const p of [params.inputs, params.outputs]) {
                p.parameters = p.parameters.map((q: { name: string }) => (q.name === name ? { ...q, value } : q));
            }
            return [params];
        };

        it("finds pg_prewarm among several preloaded libraries, with or without a space after the comma", async () => {
            for (const libraries of ["pg_stat_statements,pg_prewarm", "pg_stat_statements, pg_prewarm ,auto_explain"]) {
                await passes(dbBufferPrewarm, withParameter("shared_preload_libraries", libraries));
            }
            const v = await verdicts(
                dbBufferPrewarm,
                withParameter("shared_preload_libraries", "pg_stat_statements,pg_prewarm_extra"),
            );
            assert.match(v.messages, /shared_preload_libraries does not load pg_prewarm/);
        });

        it("reads autoprewarm as on in every spelling PostgreSQL accepts, in any case", async () => {
            for (const on of ["1", "on", "true", "yes", "ON", "True"]) {
                await passes(dbBufferPrewarm, withParameter("pg_prewarm.autoprewarm", on));
            }
            for (const off of ["0", "off", "false"]) {
                const v = await verdicts(dbBufferPrewarm, withParameter("pg_prewarm.autoprewarm", off));
                assert.deepEqual(v.found, ["db-buffer-prewarm advisory db-params"]);
                assert.match(v.messages, new RegExp(`\\(pg_prewarm\\.autoprewarm is ${off}\\)`));
            }
        });

        it("says how to fix a cold group: the libraries, autoprewarm 1, and a reboot to apply them", async () => {
            const v = await verdicts(dbBufferPrewarm, withParameter("shared_preload_libraries", "auto_explain"));
            assert.match(
                v.messages,
                /db-params brings the buffer cache back cold after a restart or failover \(shared_preload_libraries does not load pg_prewarm\)\. Set shared_preload_libraries to include pg_prewarm and pg_prewarm\.autoprewarm to 1 \(applyMethod pending-reboot\)\./,
            );
        });

        it("skips malformed entries in a group's parameters instead of failing", async () => {
            const params = dbParams();
            for (const p of [params.inputs, params.outputs]) p.parameters = [null, "max_connections", ...p.parameters];
            await passes(dbBufferPrewarm, [params]);
        });

        it("judges only PostgreSQL parameter groups: not an ECS task family named after postgres, not a family-less group", async () => {
            await passes(dbBufferPrewarm, [
                resource("aws:ecs/taskDefinition:TaskDefinition", "backup-task", { family: "postgres-backup" }),
                resource(TYPES.dbParameterGroup, "no-family", { name: "no-family", parameters: [] }),
            ]);
        });

        it("leaves an Aurora instance's group that sets neither parameter to its cluster's group", async () => {
            const own = paramGroup("aurora-instance-params", "aurora-postgresql16", [
                { name: "max_connections", value: "500" },
            ]);
            await passes(dbBufferPrewarm, [own]);
            // A cluster group has no group behind it: the same parameters there are cold.
            const cluster = paramGroup(
                "aurora-cluster-params",
                "aurora-postgresql16",
                [{ name: "max_connections", value: "500" }],
                TYPES.dbClusterParameterGroup,
            );
            assert.deepEqual((await verdicts(dbBufferPrewarm, [cluster])).found, [
                "db-buffer-prewarm advisory aurora-cluster-params",
            ]);
        });

        it("judges an Aurora instance's group that sets either parameter itself", async () => {
            const preloadOnly = paramGroup("aurora-instance-params", "aurora-postgresql16", [
                { name: "shared_preload_libraries", value: "auto_explain" },
            ]);
            assert.match(
                (await verdicts(dbBufferPrewarm, [preloadOnly])).messages,
                /aurora-instance-params brings the buffer cache back cold .*\(shared_preload_libraries does not load pg_prewarm\)/,
            );
            const autoprewarmOnly = paramGroup("aurora-instance-params", "aurora-postgresql16", [
                { name: "pg_prewarm.autoprewarm", value: "0" },
            ]);
            assert.match(
                (await verdicts(dbBufferPrewarm, [autoprewarmOnly])).messages,
                /\(shared_preload_libraries does not load pg_prewarm; pg_prewarm\.autoprewarm is 0\)/,
            );
        });

        it("whole-chain-warm counts a database whose autoprewarm is off as a cold link", async () => {
            const v = await verdicts(
                wholeChainWarm,
                edited(warmStack(), TYPES.dbParameterGroup, (p) => {
                    p.parameters = p.parameters.map((q: { name: string }) =>
                        q.name === "pg_prewarm.autoprewarm" ? { ...q, value: "off" } : q,
                    );
                }),
            );
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack"]);
            assert.match(
                v.messages,
                /database db-primary: its buffer cache comes back cold after a restart or failover \(pg_prewarm\.autoprewarm is off\)/,
            );
        });
    });

    describe("db-private-encrypted", () => {
        it("lets a replica with storageEncrypted null inherit its source's encryption, but not one set to false", async () => {
            const db = rdsDatabase(1);
            set(db.readers[0], "storageEncrypted", null);
            await passes(dbPrivateEncrypted, db.all);
            set(db.readers[0], "storageEncrypted", false);
            const v = await verdicts(dbPrivateEncrypted, db.all);
            assert.deepEqual(v.found, ["db-private-encrypted mandatory db-replica-1"]);
            assert.match(v.messages, /db-replica-1:\n {2}- storage is unencrypted — set storageEncrypted to true/);
        });

        it("leaves publiclyAccessible on anything but an RDS or Aurora instance to other policies", async () => {
            await passes(dbPrivateEncrypted, [
                resource("aws:redshift/cluster:Cluster", "warehouse", { publiclyAccessible: true, encrypted: true }),
            ]);
        });
    });

    describe("replica-buffers-warm: which warm covers a replica, and with what", () => {
        const cache = replicationGroup();
        const rdsStack = (relations: unknown[]) => {
            const db = rdsDatabase(1);
            return [...db.all, cache, prewarm(cache, db.readers, { relations })];
        };

        it("counts only non-empty relation names: an empty string, a null or a number loads nothing", async () => {
            for (const relations of [[""], [null, 7]]) {
                const v = await verdicts(replicaBuffersWarm, rdsStack(relations));
                assert.deepEqual(v.found, ["replica-buffers-warm advisory db-replica-1"]);
                assert.match(
                    v.messages,
                    /db-replica-1: cache-prewarm names it but loads no relation \(relations is empty\): its buffers stay cold/,
                );
            }
            await passes(replicaBuffersWarm, rdsStack(["", "catalog.products"]));
        });

        it("covers a replica linked by dependency while the warm's replicaHosts are unknown at preview", async () => {
            const db = rdsDatabase(1);
            const warm = prewarm(cache, db.readers, { replicaHosts: UNKNOWN });
            await passes(replicaBuffersWarm, [...db.all, cache, warm]);
        });

        it("covers an Aurora instance whose endpoint the warm names, with no dependency recorded", async () => {
            const db = auroraDatabase(1);
            const warm = prewarm(cache, db.instances);
            delete warm.propertyDependencies.replicaHosts;
            await passes(replicaBuffersWarm, [...db.all, cache, warm]);
        });

        it("matches no replica to an empty host entry, not even a replica with no address", async () => {
            const db = rdsDatabase(1);
            delete db.readers[0].inputs.address;
            delete db.readers[0].outputs.address;
            const warm = prewarm(cache, [], { replicaHosts: [undefined] });
            const v = await verdicts(replicaBuffersWarm, [...db.all, cache, warm]);
            assert.deepEqual(v.found, ["replica-buffers-warm advisory db-replica-1"]);
            assert.match(
                v.messages,
                /db-replica-1: no warm names it in its replicaHosts: it opens the event with cold buffers, and RDS loads a new replica's blocks from storage lazily, the first read of each slow\. Add its address to a CachePrewarm's replicaHosts and name the hot tables and indexes in its relations \(warmstack: database\.prewarm\.relations, e\.g\. catalog\.products, catalog\.products_pkey\)\./,
            );
        });

        it("is warm when one of the warms naming a replica loads relations, though another loads none", async () => {
            const db = rdsDatabase(1);
            const empty = prewarm(cache, db.readers, { relations: [] }, "empty-prewarm");
            await passes(replicaBuffersWarm, [...db.all, cache, prewarm(cache, db.readers), empty]);
        });

        it("names every warm that covers a replica with no relation", async () => {
            const db = rdsDatabase(1);
            const first = prewarm(cache, db.readers, { relations: [] }, "warm-a");
            const second = prewarm(cache, db.readers, { relations: [] }, "warm-b");
            const v = await verdicts(replicaBuffersWarm, [...db.all, cache, first, second]);
            assert.match(v.messages, /db-replica-1: warm-a, warm-b names it but loads no relation/);
        });
    });
});
