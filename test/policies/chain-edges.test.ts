// connection-budget and whole-chain-warm at their edges, on stacks built by hand: a group missing one pool tag,
// several groups and parameter groups, Aurora's smallest instance, a second cold group — and the exact words a
// blocked user reads, since those words are the only guide to the fix.
import { strict as assert } from "node:assert";
import { connectionBudget, wholeChainWarm } from "../../policies/chain";
import { TYPES } from "../../policies/shared/contract";
import { unjudgedResources } from "../../policies/unjudged";
import { auroraDatabase, dbParams, group, prewarm, ramp, rdsDatabase, replicationGroup, warmStack } from "./fixtures";
import { EngineResource, UNKNOWN } from "./harness";
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

describe("chain policies at their edges", () => {
    describe("connection-budget: which groups it can judge", () => {
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

    describe("connection-budget: which limit it holds the peak to", () => {
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

    describe("whole-chain-warm: the compute links", () => {
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

    describe("whole-chain-warm: the words of the verdict", () => {
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
});
