// The whole-chain policies (policies/chain.ts), one describe per policy: on the shapes the program registers,
// then on stacks built by hand — a group missing one pool tag, several groups and parameter groups, Aurora's
// smallest instance, a second cold group — and the exact words a blocked user reads.
import { strict as assert } from "node:assert";
import { connectionBudget, wholeChainWarm } from "../../policies/chain";
import { TYPES } from "../../policies/shared/contract";
import { unjudgedResources } from "../../policies/unjudged";
import {
    auroraDatabase,
    dbParams,
    group,
    prewarm,
    ramp,
    rdsDatabase,
    replicationGroup,
    warmStack,
    resource,
} from "./fixtures";
import { cachePrewarm, edited, EngineResource, one, UNKNOWN } from "./harness";
import { programShapes, shapePasses, shapeVerdicts, withConfig } from "./shapes";
import { passes, verdicts } from "./verdicts";

/** Asserts that the messages hold `text` word for word. */
function says(messages: string, text: string) {
    assert.ok(messages.includes(text), `expected the messages to say:\n${text}\n--- they say:\n${messages}`);
}

/** Sets `props` on a resource's inputs and outputs alike, as the program does. */
function set(resource: EngineResource, props: Record<string, any>) {
    Object.assign(resource.inputs, structuredClone(props));
    Object.assign(resource.outputs, structuredClone(props));
}

/** Edits both copies of a resource's props. */
function edit(resource: EngineResource, change: (props: Record<string, any>) => void) {
    change(resource.inputs);
    change(resource.outputs);
}

/** The fixture's group without the tags named. */
function groupWithout(...keys: string[]) {
    const asg = group();
    edit(asg, (p) => (p.tags = p.tags.filter((t: { key: string }) => !keys.includes(t.key))));
    return asg;
}

/** The fixture's group under another name (its `name` property, resource name and URN). */
function renamed(asg: EngineResource, name: string) {
    asg.name = name;
    asg.urn = asg.urn.replace(/::[^:]+$/, `::${name}`);
    set(asg, { name });
    return asg;
}

/** A parameter group holding `parameters`, linked by value from whoever names it. */
function paramsWith(name: string, family: string, parameters: { name: string; value: string }[]) {
    const params = dbParams(name, family);
    set(params, { parameters });
    return params;
}

/** An Aurora instance running its own parameter group besides the cluster's. */
function withOwnParams(instance: EngineResource, params: EngineResource) {
    set(instance, { dbParameterGroupName: params.inputs.name });
    instance.propertyDependencies.dbParameterGroupName = [params.urn];
}

const prewarmed = [
    { name: "shared_preload_libraries", value: "pg_prewarm" },
    { name: "pg_prewarm.autoprewarm", value: "1" },
];

/** Sets `key` on a resource's inputs and outputs alike, as the program does. */
const setProp = (r: EngineResource, key: string, value: unknown) => {
    r.inputs[key] = structuredClone(value);
    r.outputs[key] = structuredClone(value);
};

/** A parameter group of `type` named `name` with exactly these parameters. */
const paramGroup = (name: string, family: string, parameters: unknown[], type: string = TYPES.dbParameterGroup) =>
    resource(type, name, { name, family, parameters });

// The committed blackfriday and launch stacks' resources under mocks, the cache left cold (see shapes.ts).
let bf: EngineResource[];
before(async function () {
    this.timeout(180_000); // two runs of the program under mocks, slow on a busy machine
    ({ bf } = await programShapes());
});

describe("connection-budget", () => {
    describe("on the program's resource shapes", () => {
        const maxConnections = (value: string) =>
            edited(bf, TYPES.dbParameterGroup, (p) => {
                p.parameters.find((x: { name: string }) => x.name === "max_connections").value = value;
            });
        it("passes 57 instances × 20 against 1800 on the writer and each replica", () =>
            shapePasses(connectionBudget, bf));
        it("blocks the writer and every replica when max_connections cannot hold the peak", async () => {
            const v = await shapeVerdicts(connectionBudget, maxConnections("1200"));
            assert.deepEqual(v.found, [
                "connection-budget mandatory db-primary",
                ...[1, 2, 3, 4].map((i) => `connection-budget mandatory db-replica-${i}`),
            ]);
            assert.match(
                v.messages,
                /writer db-primary: app-group 57 instances × 20 = 1140 connections at the peak, over its budget of 1080 \(max_connections 1200 − 10% reserve\)/,
            );
            assert.match(v.messages, /reader db-replica-1: app-group 57 instances × 20 = 1140 .*or add replicas/);
        });
        it("takes the reserve from the policy config, not from the program", async () => {
            await shapePasses(
                connectionBudget,
                maxConnections("1200"),
                withConfig("connection-budget", { reserve: 0.05 }),
            );
        });
        it("blocks an endpoint whose max_connections is left to RDS's formula", async () => {
            const v = await shapeVerdicts(connectionBudget, maxConnections("{DBInstanceClassMemory/9531392}"));
            assert.match(
                v.messages,
                /writer db-primary: max_connections is not pinned to a number in its parameter group db-params/,
            );
        });
        it("leaves a group that does not publish its pool sizes to an advisory naming the tags", async () => {
            const untagged = edited(bf, TYPES.group, (p) => {
                p.tags = p.tags.filter((t: { key: string }) => !t.key.startsWith("warmstack:pool"));
            });
            await shapePasses(connectionBudget, untagged);
            const v = await shapeVerdicts(unjudgedResources, untagged);
            assert.deepEqual(v.found, ["unjudged-resources advisory app-group"]);
            assert.match(
                v.messages,
                /app-group does not publish the connections each instance opens \(tags warmstack:pool-writer and warmstack:pool-reader-per-replica\): connection-budget cannot count/,
            );
        });
        it("blocks a reader pool sized for more replicas than exist", async () => {
            const v = await shapeVerdicts(
                connectionBudget,
                bf.filter((r) => r.name !== "db-replica-4"),
            );
            assert.match(
                v.messages,
                /app-group sized its reader pool for 4 replicas of db-primary, but 3 exist: each instance holds 60 of its 80/,
            );
        });
        it("defers to apply when the group's maxSize is unknown", async () => {
            const v = await shapeVerdicts(
                connectionBudget,
                edited(bf, TYPES.group, (p) => {
                    p.maxSize = UNKNOWN;
                }),
            );
            assert.deepEqual(v.found, ["connection-budget advisory stack"]);
            assert.match(v.messages, /during preview: string value at \.app-group\.maxSize can't be known/);
        });
    });

    describe("which groups it can judge", () => {
        it("leaves a group that publishes its writer pool but not its reader pool, and the reverse, to unjudged-resources", async () => {
            for (const missing of ["warmstack:pool-reader-per-replica", "warmstack:pool-writer"]) {
                const stack = [groupWithout(missing), ...rdsDatabase(2).all];
                await passes(connectionBudget, stack);
                const v = await verdicts(unjudgedResources, stack);
                assert.deepEqual(v.found, ["unjudged-resources advisory app-group"], `without ${missing}`);
                says(
                    v.messages,
                    `app-group does not publish the connections each instance opens (tag ${missing}): ` +
                        "connection-budget cannot count its demand on the database at the peak. Tag the group with " +
                        "its per-instance pool sizes (warmstack:pool-writer: to the writer, " +
                        "warmstack:pool-reader-per-replica: to each replica) to be judged, or check by hand that " +
                        "maxSize × the pool fits every endpoint's max_connections.",
                );
            }
            const neither = await verdicts(unjudgedResources, [
                groupWithout("warmstack:pool-writer", "warmstack:pool-reader-per-replica"),
                ...rdsDatabase(2).all,
            ]);
            assert.match(
                neither.messages,
                new RegExp(`opens \\(tags warmstack:pool-writer and warmstack:pool-reader-per-replica\\):`),
            );
        });
        it("still counts a tagged group beside an untagged one", async () => {
            const untagged = groupWithout("warmstack:pool-writer", "warmstack:pool-reader-per-replica");
            const tagged = renamed(group({ maxSize: 200 }), "api-group");
            const v = await verdicts(connectionBudget, [untagged, tagged, ...rdsDatabase(2).all]);
            says(v.messages, "writer db-primary: api-group 200 instances × 10 = 2000 connections at the peak");
            assert.doesNotMatch(v.messages, /app-group/);
        });
        it("asks nothing of the groups when the stack has no PostgreSQL database", async () => {
            const untagged = groupWithout("warmstack:pool-writer", "warmstack:pool-reader-per-replica");
            await passes(connectionBudget, [untagged, replicationGroup()]);
            // Nor does unjudged-resources: without a database the pool sizes judge nothing.
            await passes(unjudgedResources, [untagged]);
        });
    });

    describe("which limit it holds the peak to", () => {
        it("blocks an Aurora cluster with no instance: there is no max_connections to hold the peak to", async () => {
            const { cluster } = auroraDatabase(0);
            edit(cluster, (p) => delete p.dbClusterParameterGroupName);
            cluster.propertyDependencies = {};
            const v = await verdicts(connectionBudget, [groupWithout("warmstack:replicas"), cluster]);
            assert.deepEqual(v.found, ["connection-budget mandatory aurora-cluster"]);
            says(
                v.messages,
                "writer aurora-cluster: max_connections is not pinned to a number in a parameter group of this " +
                    "stack (it runs the RDS default), so the connections it takes at the peak cannot be checked. " +
                    "Set max_connections in its parameter group.",
            );
        });
        it("names every parameter group an instance runs when none of them pins max_connections", async () => {
            const db = auroraDatabase(1);
            set(db.params, { parameters: [{ name: "max_connections", value: "{DBInstanceClassMemory/9531392}" }] });
            const own = paramsWith("aurora-instance-params", "aurora-postgresql16", prewarmed);
            withOwnParams(db.instances[0], own);
            const v = await verdicts(connectionBudget, [groupWithout("warmstack:replicas"), ...db.all, own]);
            assert.deepEqual(v.found, [
                "connection-budget mandatory aurora-cluster",
                "connection-budget mandatory aurora-1",
                "connection-budget mandatory aurora-2",
            ]);
            const unchecked =
                ", so the connections it takes at the peak cannot be checked. Set max_connections in its parameter group.";
            says(
                v.messages,
                "writer aurora-cluster: max_connections is not pinned to a number in its parameter groups " +
                    `aurora-instance-params, aurora-cluster-params${unchecked}`,
            );
            says(
                v.messages,
                `reader aurora-2: max_connections is not pinned to a number in its parameter group aurora-cluster-params${unchecked}`,
            );
        });
        it("holds an Aurora cluster's writer to its smallest instance's limit: any instance may become the writer", async () => {
            const db = auroraDatabase(2);
            const small = paramsWith("aurora-small-params", "aurora-postgresql16", [
                { name: "max_connections", value: "200" },
            ]);
            withOwnParams(db.instances[2], small);
            const v = await verdicts(connectionBudget, [group(), ...db.all, small]);
            assert.deepEqual(v.found, [
                "connection-budget mandatory aurora-cluster",
                "connection-budget mandatory aurora-3",
            ]);
            says(
                v.messages,
                "writer aurora-cluster: app-group 20 instances × 10 = 200 connections at the peak, over its budget of " +
                    "180 (max_connections 200 − 10% reserve). Raise max_connections (warmstack: database.maxConnections), " +
                    "lower the per-instance pool (database.pool.max) or the peak (maxSize).\n",
            );
            says(
                v.messages,
                "reader aurora-3: app-group 20 instances × 10 = 200 connections at the peak, over its budget of 180 " +
                    "(max_connections 200 − 10% reserve). Raise max_connections (warmstack: database.maxConnections), " +
                    "lower the per-instance pool (database.pool.max) or the peak (maxSize), or add replicas.",
            );
        });
        it("adds up every group's peak against the same endpoint, and shows the sum term by term", async () => {
            const db = rdsDatabase(0);
            set(db.params, { parameters: [{ name: "max_connections", value: "250" }, ...prewarmed] });
            const batch = renamed(groupWithout("warmstack:replicas"), "batch");
            set(batch, { maxSize: 5 });
            const v = await verdicts(connectionBudget, [groupWithout("warmstack:replicas"), batch, ...db.all]);
            assert.deepEqual(v.found, ["connection-budget mandatory db-primary"]);
            says(
                v.messages,
                "writer db-primary: app-group 20 instances × 10 + batch 5 instances × 10 = 250 connections at the " +
                    "peak, over its budget of 225 (max_connections 250 − 10% reserve).",
            );
        });
    });

    it("connection-budget tells a group whose reader pool counts on missing replicas how many connections it lacks", async () => {
        const v = await verdicts(connectionBudget, [group(), ...rdsDatabase(1).all]);
        assert.deepEqual(v.found, ["connection-budget mandatory app-group"]);
        says(
            v.messages,
            "app-group sized its reader pool for 2 replicas of db-primary, but 1 exist: each instance holds 10 of its " +
                "20 planned reader connections. Create the missing replicas.",
        );
    });

    describe("which parameter group sets an instance's parameters", () => {
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
            setProp(db.instances[0], "dbParameterGroupName", "aurora-instance-params");
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

    describe("on a stack whose only database is a replica of one outside it", () => {
        const outside = (region: string) =>
            resource(TYPES.dbInstance, "orders-replica", {
                identifier: "orders-replica",
                engine: "postgres",
                region,
                replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:orders",
                parameterGroupName: "small-params",
            });
        it("holds a same-region replica to its budget, and leaves one in another region to its region's stack", async () => {
            const small = dbParams("small-params", "postgres16", "20");
            const v = await verdicts(connectionBudget, [group(), small, outside("us-east-1")]);
            assert.deepEqual(v.found, ["connection-budget mandatory orders-replica"]);
            await passes(connectionBudget, [group(), small, outside("us-west-2")]);
            const chain = await verdicts(wholeChainWarm, [group(), small, outside("us-west-2")]);
            assert.doesNotMatch(chain.messages, /database orders-replica/);
        });
    });

    describe("at its boundaries (app-group: 20 instances × 10 connections = 200 on the writer)", () => {
        const budget = (maxConnections: string, reserve: number, maxSize = 20): Promise<string[]> => {
            const db = rdsDatabase(0);
            const params = dbParams("db-params", "postgres16", maxConnections);
            params.urn = db.params.urn;
            const asg = group({ maxSize });
            for (const p of [asg.inputs, asg.outputs]) {
                p.tags = p.tags.filter((t: { key: string }) => t.key !== "warmstack:replicas");
            }
            return verdicts(connectionBudget, [asg, params, db.primary], { "connection-budget": { reserve } }).then(
                (v) => v.found,
            );
        };
        it("passes a budget of exactly the demand and blocks one connection less", async () => {
            assert.deepEqual(await budget("250", 0.2), []);
            assert.deepEqual(await budget("249", 0.2), ["connection-budget mandatory db-primary"]);
        });
        it("rounds the budget down only after dropping float noise: 1000 × (1 − 0.9) holds 100", async () => {
            assert.deepEqual(await budget("1000", 0.9, 10), []);
            assert.deepEqual(await budget("1000", 0.9, 11), ["connection-budget mandatory db-primary"]);
        });
    });
});

describe("whole-chain-warm", () => {
    describe("on the program's resource shapes", () => {
        it("names the one cold link when only the cache lacks its pre-warm", async () => {
            const v = await shapeVerdicts(wholeChainWarm, bf);
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack"]);
            assert.match(
                v.messages,
                /The compute is warm \(app-group keeps 29 instance\(s\) warm\), but 1 link\(s\) behind it are cold:\n {2}- cache cache-redis: no CachePrewarm fills it/,
            );
        });
        it("passes once the cache is pre-warmed", () =>
            shapePasses(wholeChainWarm, [...bf, cachePrewarm(one(bf, TYPES.replicationGroup), "dependency")]));
        it("lists every cold link in one message", async () => {
            let cold = edited(bf, TYPES.group, (p) => delete p.initialLifecycleHooks);
            cold = edited(cold, TYPES.dbParameterGroup, (p) => {
                p.parameters = p.parameters.filter(
                    (x: { name: string }) => !x.name.startsWith("pg_prewarm") && x.name !== "shared_preload_libraries",
                );
            });
            cold = cold.filter((r) => !r.name.startsWith("db-replica"));
            const v = await shapeVerdicts(wholeChainWarm, cold);
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack"]);
            assert.match(v.messages, /but 4 link\(s\) behind it are cold:/);
            for (const link of [
                /compute app-group: no launch hook/,
                /cache cache-redis: no CachePrewarm/,
                /database db-primary: its buffer cache comes back cold .*shared_preload_libraries does not load pg_prewarm/,
                /database db-primary: no read replica/,
            ]) {
                assert.match(v.messages, link);
            }
        });
        it("reports what it proved and defers what is unknown", async () => {
            const v = await shapeVerdicts(
                wholeChainWarm,
                edited(bf, TYPES.dbParameterGroup, (p) => {
                    p.parameters = UNKNOWN;
                }),
            );
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack", "whole-chain-warm advisory stack"]);
            assert.match(v.messages, /cache cache-redis: no CachePrewarm/);
            assert.match(v.messages, /during preview: string value at \.db-params\.parameters can't be known/);
        });
        it("does not apply when no compute is warm", async () => {
            await shapePasses(
                wholeChainWarm,
                edited(bf, TYPES.group, (p) => delete p.warmPool),
            );
        });
    });

    describe("the compute links", () => {
        /** A second group, with its launch hook, that keeps no warm pool. */
        const batch = (sizes: Record<string, number>) => {
            const asg = renamed(group(), "batch");
            edit(asg, (p) => delete p.warmPool);
            set(asg, sizes);
            return asg;
        };
        it("finds a group that can scale out without a warm pool cold, behind a warm one", async () => {
            const v = await verdicts(wholeChainWarm, [
                ...warmStack(),
                batch({ minSize: 2, maxSize: 10, desiredCapacity: 2 }),
            ]);
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack"]);
            says(
                v.messages,
                "The compute is warm (app-group keeps 16 instance(s) warm), but 1 link(s) behind it are cold:\n" +
                    "  - compute batch: no warm pool — its scale-out boots cold (asg-warm-pool-required)\n" +
                    "Warm every link — the policy named on each line says how — before the event.",
            );
        });
        it("lets a group that never scales out (minSize = maxSize) run without a warm pool", async () => {
            await passes(wholeChainWarm, [...warmStack(), batch({ minSize: 3, maxSize: 3, desiredCapacity: 3 })]);
        });
        it("judges nothing, only defers, while the one group's warm pool is unknown", async () => {
            const asg = group({ warmPool: UNKNOWN });
            const v = await verdicts(wholeChainWarm, [asg, ramp(asg), replicationGroup(), ...rdsDatabase(2).all]);
            assert.deepEqual(v.found, ["whole-chain-warm advisory stack"]);
            assert.match(v.messages, /during preview: .* value at \.app-group\.warmPool can't be known/);
        });
    });

    describe("the words of the verdict", () => {
        it("names every warm group, and says why an unfilled cache is cold", async () => {
            const pooled = renamed(group({ minSize: 2, maxSize: 6, desiredCapacity: 2 }), "batch");
            set(pooled, { warmPool: { minSize: 2 } });
            // The CachePrewarm fills another cache; it still warms the replicas' buffers, so the cache is the cold link.
            const stack = [...warmStack(), pooled];
            const fill = stack.find((r) => r.type === TYPES.cachePrewarm)!;
            set(fill, { replicationGroupId: "no-cache" });
            delete fill.propertyDependencies.replicationGroupId;
            const v = await verdicts(wholeChainWarm, stack);
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack"]);
            says(
                v.messages,
                "The compute is warm (app-group keeps 16 instance(s) warm, batch keeps 4 instance(s) warm), but 1 " +
                    "link(s) behind it are cold:\n  - cache cache-redis: no CachePrewarm fills it — it opens empty " +
                    "and every miss goes to the database (cache-prewarmed)\n",
            );
        });
        it("lists every reason a database's buffer cache comes back cold", async () => {
            const cache = replicationGroup();
            const db = rdsDatabase(2);
            set(db.params, {
                parameters: [
                    { name: "max_connections", value: "1000" },
                    { name: "shared_preload_libraries", value: "pg_stat_statements" },
                    { name: "pg_prewarm.autoprewarm", value: "off" },
                ],
            });
            const asg = group();
            const v = await verdicts(wholeChainWarm, [asg, ramp(asg), cache, prewarm(cache, db.readers), ...db.all]);
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack"]);
            says(
                v.messages,
                "  - database db-primary: its buffer cache comes back cold after a restart or failover " +
                    "(shared_preload_libraries does not load pg_prewarm; pg_prewarm.autoprewarm is off) (db-buffer-prewarm)\n",
            );
        });
    });

    describe("at its boundaries", () => {
        it("whole-chain-warm counts an exempt group as warm enough, and a group with no waiting instance as not warm", async () => {
            const cold = group({ name: "batch" });
            delete cold.inputs.warmPool;
            delete cold.outputs.warmPool;
            cold.name = "batch";
            cold.urn += "-batch";
            for (const p of [cold.inputs, cold.outputs]) {
                p.tags = [{ key: "warmstack:cold-ok", value: "batch jobs", propagateAtLaunch: false }];
            }
            await passes(wholeChainWarm, [...warmStack(), cold]);
            // A pool that holds nobody (maxGroupPreparedCapacity at the desired capacity, minSize 0) is not warm.
            const empty = edited(warmStack(), TYPES.group, (p) => {
                p.warmPool = { minSize: 0, maxGroupPreparedCapacity: 4 };
            });
            await passes(
                wholeChainWarm,
                edited(empty, TYPES.cachePrewarm, (p) => (p.relations = [])),
            );
        });
    });
});
