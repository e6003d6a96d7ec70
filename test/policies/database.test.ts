// The database policies (policies/database.ts), one describe per policy: on the shapes the program registers,
// then on stacks built by hand — other engines, links by value (ARN, literal names, endpoints), parameter groups
// split between an Aurora instance and its cluster, replicas outside the stack or the region — and the wording a
// blocked user reads.
import { strict as assert } from "node:assert";
import { connectionBudget, wholeChainWarm } from "../../policies/chain";
import {
    dbBufferPrewarm,
    dbPrivateEncrypted,
    dbReadReplicas,
    replicaBuffersWarm,
    dbAlwaysOn,
    readersOf,
    regionOf,
} from "../../policies/database";
import { policies } from "../../policies/pack";
import { TYPES } from "../../policies/shared/contract";
import { unjudgedResources } from "../../policies/unjudged";
import {
    auroraStack,
    auroraDatabase,
    dbParams,
    group,
    prewarm,
    rdsDatabase,
    replicationGroup,
    resource,
    warmStack,
    ramp,
    warmSchedule,
} from "./fixtures";
import { edited, EngineResource, stackResources, UNKNOWN } from "./harness";
import { programShapes, shapePasses, shapeVerdicts, withConfig } from "./shapes";
import { passes, verdicts } from "./verdicts";
import type { PolicyResource } from "@pulumi/policy";

/** Sets `key` on a resource's inputs and outputs alike, as the program does. */
const setProp = (r: EngineResource, key: string, value: unknown) => {
    r.inputs[key] = structuredClone(value);
    r.outputs[key] = structuredClone(value);
};

/** A parameter group of `type` named `name` with exactly these parameters. */
const paramGroup = (name: string, family: string, parameters: unknown[], type: string = TYPES.dbParameterGroup) =>
    resource(type, name, { name, family, parameters });

const TWO_REPLICAS = { "db-read-replicas": { minReplicas: 2 } };

// The committed blackfriday and launch stacks' resources under mocks, the cache left cold (see shapes.ts).
let bf: EngineResource[];
before(async function () {
    this.timeout(180_000); // two runs of the program under mocks, slow on a busy machine
    ({ bf } = await programShapes());
});

describe("the databases the policies judge", () => {
    describe("only PostgreSQL databases", () => {
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

    describe("replicas and Aurora instances linked to their primary", () => {
        it("counts a replica that names its source by ARN, with no dependency recorded", async () => {
            const db = rdsDatabase(2);
            const arn = "arn:aws:rds:us-east-1:123456789012:db:db-primary";
            setProp(db.primary, "arn", arn);
            for (const replica of db.readers) {
                setProp(replica, "replicateSourceDb", arn);
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

    describe("a replica whose primary is outside the stack", () => {
        const SOURCE = "arn:aws:rds:us-east-1:123456789012:db:legacy-orders";
        /** The issue's replica: replicateSourceDb an ARN, no parameter group of its own (it runs its source's), in no warm. */
        /** Named by its identifier, so each orphan of a stack is a resource of its own. */
        const orphan = (props: Record<string, any> = {}) =>
            resource(TYPES.dbInstance, props.identifier ?? "orders-replica", {
                identifier: "orders-replica",
                replicateSourceDb: SOURCE,
                publiclyAccessible: false,
                address: "orders-replica.example.internal",
                region: "us-east-1",
                ...props,
            });
        it("is named by unjudged-resources, and judged as a reader by the policies that can judge it", async () => {
            const v = await verdicts(policies, [...warmStack(), orphan()]);
            assert.deepEqual(v.found.sort(), [
                "replica-buffers-warm advisory orders-replica",
                "unjudged-resources advisory orders-replica",
                "whole-chain-warm mandatory stack",
            ]);
            assert.match(
                v.messages,
                /orders-replica replicates arn:aws:rds:us-east-1:123456789012:db:legacy-orders, which is not in this stack: the pack cannot hold the writer to its connection budget, nor see the parameter group a replica without one of this stack inherits from its source \(its max_connections for connection-budget, pg_prewarm for db-buffer-prewarm\), and counts its replicas \(db-read-replicas\) only on a stack with no database of its own, by this stack's alone\. Check the primary by hand/,
            );
            // With no parameter group of the stack it runs its source's (RDS's CreateDBInstanceReadReplica): its
            // max_connections is unseen, not the RDS default.
            assert.doesNotMatch(v.messages, /reader orders-replica: max_connections/);
            // With no parameter group of the stack it runs its source's (RDS's CreateDBInstanceReadReplica): unseen.
            assert.doesNotMatch(v.messages, /database orders-replica: its buffer cache comes back cold/);
            assert.match(v.messages, /database orders-replica: its buffers are cold at the event/);
        });
        it("still only advises once it has its parameters and its warm, as its primary is out of reach", async () => {
            const stack = warmStack();
            const cache = stack.find((r) => r.type === TYPES.replicationGroup)!;
            const params = stack.find((r) => r.type === TYPES.dbParameterGroup)!;
            const replica = orphan({ parameterGroupName: "db-params" });
            const warm = prewarm(cache, [replica], {}, "orders-warm");
            const v = await verdicts(
                policies,
                [...stack, replica, warm, params].filter((r, i, all) => all.indexOf(r) === i),
            );
            assert.deepEqual(v.found, ["unjudged-resources advisory orders-replica"]);
        });
        it("with a parameter group of the stack, is held to it: its budget and its pg_prewarm", async () => {
            const stack = warmStack();
            const cache = stack.find((r) => r.type === TYPES.replicationGroup)!;
            const small = dbParams("orders-params", "postgres16", "20");
            small.inputs.parameters = small.outputs.parameters = small.inputs.parameters.filter(
                (p: { name: string }) => p.name === "max_connections",
            );
            const replica = orphan({ parameterGroupName: "orders-params" });
            const warm = prewarm(cache, [replica], {}, "orders-warm");
            const v = await verdicts(policies, [...stack, replica, warm, small]);
            assert.ok(v.found.includes("connection-budget mandatory orders-replica"), v.found.join("\n"));
            assert.match(v.messages, /reader orders-replica: .* over its budget of 18/);
            assert.match(
                v.messages,
                /database orders-replica: its buffer cache comes back cold .*shared_preload_libraries does not load pg_prewarm/,
            );
        });
        it("serves this region's reads only where its source's ARN names this region", () => {
            const here = orphan();
            const there = orphan({ identifier: "orders-replica-west", region: "us-west-2" });
            const mysql = orphan({ identifier: "orders-mysql-replica", engine: "mysql" });
            assert.deepEqual(
                readersOf(stackResources([here, there, mysql])).map((r) => r.name),
                ["orders-replica"],
            );
        });
        it("counts toward production's database on a stack with no database of its own, in its source's region", async () => {
            const replicas = [
                orphan(),
                orphan({ identifier: "orders-replica-2" }),
                orphan({ identifier: "orders-replica-west", region: "us-west-2" }),
            ];
            const v = await verdicts(dbReadReplicas, replicas, { "db-read-replicas": { minReplicas: 3 } });
            assert.deepEqual(v.found, ["db-read-replicas mandatory orders-replica"]);
            assert.equal(
                v.messages.split("\n").pop(),
                `production's database ${SOURCE} gets 2 read replica(s) in its region from this stack; this event ` +
                    `needs 3. Add RDS instance(s) with replicateSourceDb: "${SOURCE}" (warmstack: database.readQps / ` +
                    "database.readQpsPerReplica set how many).",
            );
            await passes(dbReadReplicas, replicas, { "db-read-replicas": { minReplicas: 2 } });
            // A source unknown at preview names no database to count for.
            await passes(dbReadReplicas, [orphan({ replicateSourceDb: UNKNOWN })], {
                "db-read-replicas": { minReplicas: 2 },
            });
            // Beside a database of the stack, the outside one is not this stack's to count: only the stack's is judged.
            const own = rdsDatabase(2).all;
            await passes(dbReadReplicas, [...own, replicas[0]], { "db-read-replicas": { minReplicas: 2 } });
        });
        it("a replica of the stack's own primary, linked by its ARN, is no outsider", async () => {
            const db = rdsDatabase(1);
            for (const p of [db.primary.inputs, db.primary.outputs])
                p.arn = "arn:aws:rds:us-east-1:123456789012:db:db-primary";
            for (const p of [db.readers[0].inputs, db.readers[0].outputs]) p.replicateSourceDb = db.primary.outputs.arn;
            db.readers[0].propertyDependencies = {};
            await passes(unjudgedResources, db.all);
            await passes(dbReadReplicas, db.all);
        });
    });
});

describe("db-private-encrypted", () => {
    describe("on the program's resource shapes", () => {
        it("passes the primary and the replicas", () => shapePasses(dbPrivateEncrypted, bf));
        it("blocks a public or unencrypted primary", async () => {
            const v = await shapeVerdicts(
                dbPrivateEncrypted,
                edited(
                    bf,
                    TYPES.dbInstance,
                    (p) => {
                        p.publiclyAccessible = true;
                        p.storageEncrypted = false;
                    },
                    "db-primary",
                ),
            );
            assert.match(
                v.messages,
                /db-primary:\n {2}- storage is unencrypted[^\n]*\n {2}- it is reachable from the internet/,
            );
        });
        it("lets a replica inherit its source's encryption, but not turn it off", async () => {
            const inherit = edited(bf, TYPES.dbInstance, (p) => delete p.storageEncrypted, "db-replica-1");
            await shapePasses(dbPrivateEncrypted, inherit);
            const off = edited(
                bf,
                TYPES.dbInstance,
                (p) => {
                    p.storageEncrypted = false;
                },
                "db-replica-1",
            );
            assert.match(
                (await shapeVerdicts(dbPrivateEncrypted, off)).messages,
                /db-replica-1:\n {2}- storage is unencrypted/,
            );
        });
    });

    describe("at its edges", () => {
        it("lets a replica with storageEncrypted null inherit its source's encryption, but not one set to false", async () => {
            const db = rdsDatabase(1);
            setProp(db.readers[0], "storageEncrypted", null);
            await passes(dbPrivateEncrypted, db.all);
            setProp(db.readers[0], "storageEncrypted", false);
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

    describe("on Aurora", () => {
        it("db-private-encrypted reads an Aurora instance's publiclyAccessible but not its (absent) encryption", async () => {
            await passes(dbPrivateEncrypted, auroraStack());
        });
    });
});

describe("db-buffer-prewarm", () => {
    describe("on the program's resource shapes", () => {
        const parameters = (edit: (params: Array<{ name: string; value: string }>) => void) =>
            edited(bf, TYPES.dbParameterGroup, (p) => edit(p.parameters));
        it("passes pg_prewarm preloaded, with autoprewarm on or left at PostgreSQL's default", async () => {
            await shapePasses(dbBufferPrewarm, bf);
            await shapePasses(
                dbBufferPrewarm,
                parameters((ps) =>
                    ps.splice(
                        ps.findIndex((x) => x.name === "pg_prewarm.autoprewarm"),
                        1,
                    ),
                ),
            );
        });
        it("advises when pg_prewarm is not preloaded or autoprewarm is off", async () => {
            const v = await shapeVerdicts(
                dbBufferPrewarm,
                parameters((ps) => {
                    ps.find((x) => x.name === "shared_preload_libraries")!.value = "pg_stat_statements";
                    ps.find((x) => x.name === "pg_prewarm.autoprewarm")!.value = "0";
                }),
            );
            assert.deepEqual(v.found, ["db-buffer-prewarm advisory db-params"]);
            assert.match(
                v.messages,
                /db-params brings the buffer cache back cold after a restart or failover \(shared_preload_libraries does not load pg_prewarm; pg_prewarm\.autoprewarm is 0\)/,
            );
        });
        it("leaves non-PostgreSQL parameter groups alone", async () => {
            await shapePasses(
                dbBufferPrewarm,
                edited(bf, TYPES.dbParameterGroup, (p) => {
                    p.family = "mysql8.0";
                    p.parameters = [];
                }),
            );
        });
    });

    describe("at its edges: pg_prewarm preloaded, autoprewarm on", () => {
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
});

describe("db-read-replicas", () => {
    describe("on the program's resource shapes", () => {
        it("passes 4 replicas against the event's 4", () => shapePasses(dbReadReplicas, bf));
        it("blocks a primary with fewer replicas than the event needs", async () => {
            const v = await shapeVerdicts(dbReadReplicas, bf, withConfig("db-read-replicas", { minReplicas: 6 }));
            assert.deepEqual(v.found, ["db-read-replicas mandatory db-primary"]);
            assert.match(
                v.messages,
                /db-primary has 4 read replica\(s\); this event needs 6\. Add 2 RDS instance\(s\) with replicateSourceDb: db-primary\.identifier/,
            );
        });
        it("links a replica by its replicateSourceDb value when there is no dependency", async () => {
            await shapePasses(
                dbReadReplicas,
                edited(
                    bf,
                    TYPES.dbInstance,
                    (_p, r) => {
                        r.propertyDependencies = {};
                    },
                    "db-replica-1",
                ),
            );
            const elsewhere = edited(
                bf,
                TYPES.dbInstance,
                (p, r) => {
                    r.propertyDependencies = {};
                    p.replicateSourceDb = "another-primary";
                },
                "db-replica-1",
            );
            assert.match(
                (await shapeVerdicts(dbReadReplicas, elsewhere)).messages,
                /db-primary has 3 read replica\(s\); this event needs 4/,
            );
        });
    });

    describe("what a blocked user is told", () => {
        it("names the resource to add and the settings that size it", async () => {
            const rds = await verdicts(dbReadReplicas, rdsDatabase(1).all, TWO_REPLICAS);
            assert.match(
                rds.messages,
                /Add 1 RDS instance\(s\) with replicateSourceDb: db-primary\.identifier \(warmstack: database\.readQps \/ database\.readQpsPerReplica set how many\)\./,
            );
        });
    });

    describe("at its boundaries", () => {
        const stack = (replicas: number): EngineResource[] => rdsDatabase(replicas).all;
        it("passes exactly minReplicas and blocks one fewer", async () => {
            const config = { "db-read-replicas": { minReplicas: 2 } };
            await passes(dbReadReplicas, stack(2), config);
            assert.match(
                (await verdicts(dbReadReplicas, stack(1), config)).messages,
                /db-primary has 1 read replica\(s\); this event needs 2\. Add 1 RDS instance/,
            );
        });
    });

    describe("a cross-region replica is not this region's read capacity", () => {
        /** The fixture RDS database in us-east-1, its second replica in us-west-2 by the ARN it names. */
        const twoRegions = () => {
            const db = rdsDatabase(2);
            for (const r of [db.primary, db.readers[0]]) for (const p of [r.inputs, r.outputs]) p.region = "us-east-1";
            for (const p of [db.readers[1].inputs, db.readers[1].outputs]) {
                p.region = "us-west-2";
                p.replicateSourceDb = "arn:aws:rds:us-east-1:123456789012:db:db-primary";
            }
            return db;
        };
        it("db-read-replicas counts only the replicas in the primary's region, and says why", async () => {
            const db = twoRegions();
            await passes(dbReadReplicas, db.all, { "db-read-replicas": { minReplicas: 1 } });
            const v = await verdicts(dbReadReplicas, db.all, { "db-read-replicas": { minReplicas: 2 } });
            assert.deepEqual(v.found, ["db-read-replicas mandatory db-primary"]);
            assert.match(
                v.messages,
                /db-primary has 1 read replica\(s\) in its region; this event needs 2\. db-replica-2 \(us-west-2\) serves another region's readers, not this one's\. Add 1 RDS instance/,
            );
        });
        it("is no reader for the budget, and unjudged-resources says so", async () => {
            const db = twoRegions();
            const asg = group();
            // The group sized its reader pool for 2 replicas; only 1 serves this region.
            const v = await verdicts([connectionBudget, unjudgedResources], [asg, ...db.all]);
            assert.deepEqual(v.found, [
                "connection-budget mandatory app-group",
                "unjudged-resources advisory db-replica-2",
            ]);
            assert.match(v.messages, /app-group sized its reader pool for 2 replicas of db-primary, but 1 exist/);
            assert.match(
                v.messages,
                /db-replica-2 is a read replica of db-primary in another region \(us-west-2\): it serves that region's readers, so db-read-replicas and connection-budget do not count it as read capacity here\. Check its warm, capacity and connections in its own region's stack\./,
            );
        });
        it("reads the region from the provider when the resource carries none", async () => {
            const db = twoRegions();
            const remote = db.readers[1];
            delete remote.inputs.region;
            delete remote.outputs.region;
            remote.provider = {
                type: "pulumi:providers:aws",
                name: "west",
                urn: "urn:west",
                props: { region: "us-west-2" },
            };
            const v = await verdicts(dbReadReplicas, db.all, { "db-read-replicas": { minReplicas: 2 } });
            assert.match(v.messages, /db-replica-2 \(us-west-2\) serves another region's readers/);
        });
        it("names every replica in another region, and takes the source's region from it when it is in the stack", async () => {
            const db = rdsDatabase(3);
            for (const p of [db.primary.inputs, db.primary.outputs]) p.region = "us-east-1";
            // Named by identifier, not ARN: the source's region is the primary's own.
            for (const [r, region] of [
                [db.readers[1], "us-west-2"],
                [db.readers[2], "eu-west-1"],
            ] as const)
                for (const p of [r.inputs, r.outputs]) p.region = region;
            const v = await verdicts(dbReadReplicas, db.all, { "db-read-replicas": { minReplicas: 2 } });
            assert.match(
                v.messages,
                /db-primary has 1 read replica\(s\) in its region; this event needs 2\. db-replica-2 \(us-west-2\), db-replica-3 \(eu-west-1\) serve another region's readers, not this one's\. Add 1 RDS instance/,
            );
            // A primary that carries no region: its ARN says it.
            for (const p of [db.primary.inputs, db.primary.outputs]) {
                delete p.region;
                p.arn = "arn:aws:rds:us-west-2:123456789012:db:db-primary";
            }
            const west = await verdicts(dbReadReplicas, db.all, { "db-read-replicas": { minReplicas: 3 } });
            assert.match(
                west.messages,
                /db-primary has 2 read replica\(s\) in its region; this event needs 3\. db-replica-3 \(eu-west-1\) serves another/,
            );
        });
        it("reads a region from the resource, its provider, else its RDS ARN", () => {
            const r = (props: Record<string, unknown>, providerRegion?: string) =>
                ({
                    props,
                    provider: providerRegion && { props: { region: providerRegion } },
                }) as unknown as PolicyResource;
            const arn = (partition: string, region: string) => `arn:${partition}:rds:${region}:123456789012:db:shop-db`;
            const cases: [PolicyResource, string | undefined][] = [
                [r({ region: "us-east-1", arn: arn("aws", "eu-west-1") }, "us-west-2"), "us-east-1"],
                [r({ arn: arn("aws", "eu-west-1") }, "us-west-2"), "us-west-2"],
                [r({ arn: arn("aws", "eu-west-1") }), "eu-west-1"],
                [r({ arn: arn("aws-us-gov", "us-gov-west-1") }), "us-gov-west-1"],
                [r({ arn: arn("aws-cn", "cn-north-1") }), "cn-north-1"],
                [r({ arn: `see ${arn("aws", "eu-west-1")}` }), undefined],
                [r({ arn: "arn:aws:s3:::shop-assets" }), undefined],
                [r({ arn: 42 }), undefined],
                [r({}), undefined],
            ];
            assert.deepEqual(
                cases.map(([resource]) => regionOf(resource)),
                cases.map(([, region]) => region),
            );
        });
        it("counts replicas whose region is not known as this region's, as before", async () => {
            await passes(dbReadReplicas, rdsDatabase(2).all, { "db-read-replicas": { minReplicas: 2 } });
            await passes(replicaBuffersWarm, warmStack());
        });
    });
});

describe("db-always-on", () => {
    describe("Aurora Serverless v2 that pauses", () => {
        const serverless = (scaling: Record<string, any>) => {
            const asg = group();
            const cache = replicationGroup();
            const db = auroraDatabase(2, { serverlessv2ScalingConfiguration: scaling });
            return [asg, ramp(asg), cache, prewarm(cache, db.instances), warmSchedule(cache), ...db.all];
        };
        it("blocks minCapacity 0, with or without secondsUntilAutoPause, in its policy and in the whole chain", async () => {
            const v = await verdicts(
                policies,
                serverless({ minCapacity: 0, maxCapacity: 16, secondsUntilAutoPause: 600 }),
                {
                    "db-read-replicas": { minReplicas: 2 },
                },
            );
            assert.deepEqual(v.found, ["db-always-on mandatory aurora-cluster", "whole-chain-warm mandatory stack"]);
            assert.match(
                v.messages,
                /aurora-cluster: Aurora Serverless v2 with minCapacity 0 pauses after 600 s without connections: a paused cluster takes seconds to resume on the first connection and resumes with an empty buffer cache\. Set serverlessv2ScalingConfiguration\.minCapacity to 0\.5 or more/,
            );
            assert.match(v.messages, /database aurora-cluster: Aurora Serverless v2 .* \(db-always-on\)/);
            const byDefault = await verdicts(dbAlwaysOn, serverless({ minCapacity: 0, maxCapacity: 16 }));
            assert.match(byDefault.messages, /pauses after 300 s without connections/);
        });
        it("judges only Aurora PostgreSQL clusters, and says how to keep one on", async () => {
            const pausing = { serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 16 } };
            const mysql = resource(TYPES.dbCluster, "sessions", { engine: "aurora-mysql", ...pausing });
            const notACluster = resource(TYPES.dbClusterInstance, "sessions-1", {
                engine: "aurora-postgresql",
                ...pausing,
            });
            await passes(dbAlwaysOn, [mysql, notACluster]);
            const v = await verdicts(dbAlwaysOn, serverless({ minCapacity: 0, maxCapacity: 16 }));
            assert.match(
                v.messages,
                /Set serverlessv2ScalingConfiguration\.minCapacity to 0\.5 or more \(enough ACUs to hold the hot set in memory\) and drop secondsUntilAutoPause\.$/,
            );
        });
        it("passes a cluster that never pauses", async () => {
            await passes([dbAlwaysOn, wholeChainWarm], serverless({ minCapacity: 0.5, maxCapacity: 16 }));
            await passes(dbAlwaysOn, serverless({ minCapacity: "0.5", maxCapacity: 16 }));
        });
    });
});

describe("replica-buffers-warm", () => {
    describe("which warm covers a replica, and with what", () => {
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

    describe("in a whole stack", () => {
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
});
