// The pack on event stacks attached to production (policies/attached.ts): production's group, cache and database
// are not resources of the stack, and the pack judges them through the event's own resources that name them. The
// committed attached stacks run under mocks against baseline's world, as `pulumi preview --policy-pack` sends them;
// each cold link the issue names (a smaller pool, no hook, no ramp, no scheduled warm, fewer replicas) still blocks.
import { strict as assert } from "node:assert";
import { attachedCachesOf, groupsOf } from "../../policies/attached";
import { TYPES } from "../../policies/shared/contract";
import { dbReadReplicas } from "../../policies/database";
import { asgFlatCapacity, rampBeforeEvent } from "../../policies/compute";
import { wholeChainWarm } from "../../policies/chain";
import { baseline } from "../support/baseline";
import { committedStacks, stackConfig, T } from "../support/pulumi";
import { START, resource } from "./fixtures";
import { analyze, committedPackConfig, edited, EngineResource, programResources, stackResources } from "./harness";
import { passes, verdicts } from "./verdicts";

const ATTACHED = committedStacks().filter((s) => stackConfig(s)["warmstack:production"] !== undefined);

const messagesOf = (diagnostics: { policyName: string; message: string }[], policy: string) =>
    diagnostics
        .filter((d) => d.policyName === policy)
        .map((d) => d.message)
        .join("\n");

for (const stack of ATTACHED) {
    describe(`the pack on the committed ${stack} stack, attached to baseline`, () => {
        const config = committedPackConfig(stack);
        let resources: EngineResource[];
        let group: string;
        let cache: string;
        let primary: string;
        before(async function () {
            this.timeout(180_000); // two programs under mocks, slow on a busy machine
            const base = await baseline();
            group = base.run.one(T.asg).inputs.name;
            cache = base.run.outputs.production.cacheReplicationGroup;
            primary = base.run.outputs.production.databaseInstance;
            resources = await programResources(stack, () => undefined, base.world);
        });
        const without = (type: string, name?: string) =>
            resources.filter((r) => !(r.type === type && (name === undefined || r.name === name)));

        it("raises no mandatory violation; the advisories name only production's unseen settings", async () => {
            const analysis = await analyze(resources, config);
            assert.deepEqual(analysis.blocking, []);
            const replicas = resources.filter((r) => r.type === TYPES.dbInstance).map((r) => r.name);
            assert.ok(replicas.length > 0);
            assert.deepEqual(
                analysis.diagnostics.map((d) => `${d.policyName} ${d.enforcementLevel} ${d.urn?.split("::").pop()}`),
                replicas.map((name) => `unjudged-resources advisory ${name}`),
            );
        });

        it("judges production's group through the EventWarmPool: a pool smaller than the event's blocks", async () => {
            const analysis = await analyze(
                edited(resources, TYPES.eventWarmPool, (p) => (p.minSize = 1)),
                config,
            );
            assert.deepEqual(analysis.blocking, ["asg-warm-pool-required"]);
            const needed = (config["asg-warm-pool-required"] as { minWarmPoolSize: number }).minWarmPoolSize;
            assert.equal(
                messagesOf(analysis.diagnostics, "asg-warm-pool-required").split("\n").pop(),
                `production's group ${group}'s warm pool keeps 1 instance(s) at least; this stack needs ${needed}. ` +
                    "Raise warmPool.minSize (warmstack: compute.warmPool.fractionOfPeak). Or, if this group may run " +
                    "cold, tag it warmstack:cold-ok=<why>.",
            );
        });

        it("without the launch hook, warm-pool-launch-hook and whole-chain-warm block", async () => {
            const analysis = await analyze(without(TYPES.lifecycleHook), config);
            assert.deepEqual(analysis.blocking, ["warm-pool-launch-hook", "whole-chain-warm"]);
            assert.match(
                messagesOf(analysis.diagnostics, "whole-chain-warm"),
                new RegExp(`compute production's group ${group}: no launch hook`),
            );
        });

        it("without the ramp, ramp-before-event blocks, against the group's own minSize", async () => {
            const rampUp = resources.find((r) => r.type === TYPES.schedule && r.name.endsWith("-ramp-up"))!;
            const own = resources.find((r) => r.type === TYPES.eventWarmPool)!.inputs.groupCapacity.minSize;
            const analysis = await analyze(without(TYPES.schedule, rampUp.name), config);
            assert.deepEqual(analysis.blocking, ["ramp-before-event"]);
            assert.match(
                messagesOf(analysis.diagnostics, "ramp-before-event"),
                new RegExp(
                    `no scheduled action raises production's group ${group}'s capacity above its minSize ${own} before the event ${stack}`,
                ),
            );
        });

        it("without the scheduled warm, prewarm-before-event and whole-chain-warm block, naming production's cache", async () => {
            const analysis = await analyze(without(TYPES.warmSchedule), config);
            assert.deepEqual(analysis.blocking, ["prewarm-before-event", "whole-chain-warm"]);
            assert.match(
                messagesOf(analysis.diagnostics, "prewarm-before-event"),
                new RegExp(`^production's cache ${cache}: no scheduled warm .* runs before the event ${stack}`, "m"),
            );
        });

        it("with fewer replicas than the event needs, db-read-replicas blocks, naming production's primary", async () => {
            const replicas = resources.filter((r) => r.type === TYPES.dbInstance);
            const analysis = await analyze(without(TYPES.dbInstance, replicas[replicas.length - 1].name), config);
            assert.deepEqual(analysis.blocking, ["db-read-replicas"]);
            const needed = (config["db-read-replicas"] as { minReplicas: number }).minReplicas;
            assert.match(
                messagesOf(analysis.diagnostics, "db-read-replicas"),
                new RegExp(
                    `production's database ${primary} gets ${replicas.length - 1} read replica\\(s\\) in its region from this stack; this event needs ${needed}\\.`,
                ),
            );
        });
    });
}

describe("db-read-replicas on an attached Aurora cluster", () => {
    /** Production's group, as an attached stack shows it: the event's tags, its own sizes. */
    const pool = resource(TYPES.eventWarmPool, "app-pool", {
        autoScalingGroupName: "shop-web",
        minSize: 8,
        maxGroupPreparedCapacity: -1,
        poolState: "Stopped",
        reuseOnScaleIn: false,
        groupCapacity: { minSize: 4, maxSize: 20, desiredCapacity: 5 },
        groupTags: { "warmstack:event": "blackfriday", "warmstack:event-start": START },
    });
    const target = resource(TYPES.scalableTarget, "db-readers", {
        serviceNamespace: "rds",
        scalableDimension: "rds:cluster:ReadReplicaCount",
        resourceId: "cluster:shop-aurora",
        minCapacity: 1,
        maxCapacity: 3,
    });
    const action = (name: string, at: string, minCapacity: number) =>
        resource(
            TYPES.scalingSchedule,
            name,
            {
                resourceId: "cluster:shop-aurora",
                schedule: `at(${at})`,
                timezone: "UTC",
                scalableTargetAction: { minCapacity, maxCapacity: 3 },
            },
            { resourceId: [target] },
        );
    const stack = [
        pool,
        target,
        action("db-readers-raise", "2027-11-26T03:00:00", 3),
        action("db-readers-give-back", "2027-11-26T12:00:00", 1),
    ];
    const needs = (minReplicas: number) => ({ "db-read-replicas": { minReplicas } });
    // The group's own ramp names it by its literal name, as the attached stack's schedules do.
    const groupRamp = resource(TYPES.schedule, "app-ramp-up", {
        autoscalingGroupName: "shop-web",
        startTime: "2027-11-26T04:15:00Z",
        minSize: 20,
        desiredCapacity: 20,
        maxSize: 20,
    });

    it("counts the readers the raise holds at the start, not the give-back after it", async () => {
        assert.deepEqual((await verdicts(dbReadReplicas, stack, needs(3))).found, []);
        const v = await verdicts(dbReadReplicas, stack, needs(4));
        assert.deepEqual(v.found, ["db-read-replicas mandatory db-readers"]);
        assert.match(
            v.messages,
            /production's Aurora cluster shop-aurora gets 3 reader\(s\) at the event from this stack; this event needs 4\. Raise the minimum of db-readers \(rds:cluster:ReadReplicaCount\) before the event/,
        );
    });

    it("counts only its own target's actions, one at the start itself, and every action when no start is known", async () => {
        const other = resource(TYPES.scalableTarget, "other-readers", {
            scalableDimension: "rds:cluster:ReadReplicaCount",
            resourceId: "cluster:other-aurora",
            minCapacity: 1,
            maxCapacity: 9,
        });
        const elsewhere = resource(
            TYPES.scalingSchedule,
            "other-raise",
            {
                resourceId: "cluster:other-aurora",
                schedule: "at(2027-11-26T03:00:00)",
                scalableTargetAction: { minCapacity: 9 },
            },
            { resourceId: [other] },
        );
        const v = await verdicts(dbReadReplicas, [...stack, other, elsewhere], needs(4));
        // other-aurora's raise to 9 is its own: shop-aurora still gets 3, and other-aurora passes with 9.
        assert.deepEqual(v.found, ["db-read-replicas mandatory db-readers"]);
        assert.match(v.messages, /shop-aurora gets 3 reader\(s\)/);
        const atStart = [pool, target, action("db-readers-raise", "2027-11-26T05:00:00", 3)];
        assert.deepEqual((await verdicts(dbReadReplicas, atStart, needs(3))).found, []);
        const untagged = resource(TYPES.eventWarmPool, "app-pool", { ...pool.inputs, groupTags: {} });
        const noStart = [untagged, target, action("db-readers-give-back", "2027-11-26T12:00:00", 3)];
        assert.deepEqual((await verdicts(dbReadReplicas, noStart, needs(3))).found, []);
    });

    it("the group's view holds its own sizes: the instances its pool keeps warm, and a group that never scales out", async () => {
        // AWS's rule: max(minSize 8, the group's maxSize 20 − its desired 5) wait warm.
        const v = await verdicts(wholeChainWarm, [pool]);
        assert.match(v.messages, /The compute is warm \(production's group shop-web keeps 15 instance\(s\) warm\)/);
        assert.match(v.messages, /compute production's group shop-web: no launch hook/);
        const flat = resource(TYPES.eventWarmPool, "app-pool", {
            ...pool.inputs,
            groupCapacity: { minSize: 6, maxSize: 6, desiredCapacity: 6 },
        });
        const f = await verdicts(asgFlatCapacity, [flat]);
        assert.deepEqual(f.found, ["asg-flat-capacity advisory app-pool"]);
        assert.match(f.messages, /production's group shop-web never scales out \(minSize = maxSize = 6\)/);
    });

    it("counts no raise scheduled after the start, however high", async () => {
        const late = [pool, target, action("db-readers-raise", "2027-11-26T05:30:00", 9)];
        const v = await verdicts(dbReadReplicas, late, needs(2));
        assert.match(v.messages, /shop-aurora gets 1 reader\(s\) at the event/);
    });

    it("judges only reader-count targets on clusters that are not the stack's", async () => {
        // A MySQL cluster of the stack is no database the policies judge, but its target is still its own.
        const mysql = resource(TYPES.dbCluster, "shop-aurora", {
            clusterIdentifier: "shop-aurora",
            engine: "aurora-mysql",
        });
        const service = resource(TYPES.scalableTarget, "tasks", {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: "service/shop/web",
            minCapacity: 1,
        });
        const notACluster = resource(TYPES.scalableTarget, "odd", {
            serviceNamespace: "rds",
            scalableDimension: "rds:cluster:ReadReplicaCount",
            resourceId: "db:cluster:shop-aurora",
            minCapacity: 0,
        });
        await passes(dbReadReplicas, [pool, mysql, target, service, notACluster], needs(4));
    });

    it("counts a raise linked to the target by its resourceId's value", async () => {
        const byValue = action("db-readers-raise", "2027-11-26T03:00:00", 3);
        // The action names the target's resourceId as a literal: no dependency recorded.
        byValue.propertyDependencies = {};
        byValue.dependencies = [];
        assert.deepEqual((await verdicts(dbReadReplicas, [pool, target, byValue], needs(3))).found, []);
    });

    it("without a raise, counts the target's own minimum", async () => {
        const v = await verdicts(dbReadReplicas, [pool, target], needs(2));
        assert.match(v.messages, /shop-aurora gets 1 reader\(s\) at the event/);
    });

    it("leaves a cluster of the stack to the cluster's own count", async () => {
        const own = resource(TYPES.dbCluster, "shop-aurora", {
            clusterIdentifier: "shop-aurora",
            engine: "aurora-postgresql",
        });
        const v = await verdicts(dbReadReplicas, [...stack, own], needs(4));
        assert.deepEqual(v.found, ["db-read-replicas mandatory shop-aurora"]);
    });

    it("ramp-before-event judges the raise as the target's ramp, by the attached group's event", async () => {
        const late = [pool, groupRamp, target, action("db-readers-raise", "2027-11-26T04:50:00", 3)];
        const v = await verdicts(rampBeforeEvent, late);
        assert.deepEqual(v.found, ["ramp-before-event mandatory db-readers"]);
        assert.match(v.messages, /by 2027-11-26T04:30:00Z, or the capacity beyond the warm pool are still booting/);
    });

    it("reads an action's at(…) in UTC only: Etc/UTC or no zone counts, another zone or expression does not", async () => {
        const raise = (props: Record<string, unknown>) => {
            const a = action("db-readers-raise", "2027-11-26T03:00:00", 3);
            Object.assign(a.inputs, props);
            Object.assign(a.outputs, props);
            return [pool, groupRamp, target, a];
        };
        await passes(rampBeforeEvent, raise({ timezone: "Etc/UTC" }));
        await passes(rampBeforeEvent, raise({ timezone: undefined }));
        for (const unread of [{ timezone: "America/New_York" }, { schedule: "cron(0 3 26 11 ? 2027)" }]) {
            const v = await verdicts(rampBeforeEvent, raise(unread));
            assert.match(
                v.messages,
                /no scheduled action raises db-readers's capacity above its minCapacity 1 before the event blackfriday/,
                JSON.stringify(unread),
            );
        }
    });
});

describe("production's parts as an attached stack shows them (groupsOf, attachedCachesOf)", () => {
    const poolOn = (groupName: string, more: Record<string, unknown> = {}) =>
        resource(TYPES.eventWarmPool, `${groupName}-pool`, {
            autoScalingGroupName: groupName,
            minSize: 8,
            maxGroupPreparedCapacity: -1,
            poolState: "Hibernated",
            reuseOnScaleIn: true,
            groupCapacity: { minSize: 4, maxSize: 20, desiredCapacity: 5 },
            groupTags: { "warmstack:event": "blackfriday" },
            ...more,
        });

    it("a group of the stack is itself; production's group is seen through its pool: sizes, pool and tags", () => {
        const asg = resource(TYPES.group, "app", { name: "app-asg", minSize: 2, maxSize: 2 });
        const byLink = resource(
            TYPES.eventWarmPool,
            "linked-pool",
            { autoScalingGroupName: "renamed" },
            { autoScalingGroupName: [asg] },
        );
        const [own, ...pools] = stackResources([asg, poolOn("app-asg"), byLink]);
        assert.deepEqual(groupsOf([own, ...pools]), [own], "a pool on a group of the stack adds no group");
        const [pool] = stackResources([poolOn("shop-web")]);
        const [view, ...more] = groupsOf([pool]);
        assert.equal(more.length, 0);
        assert.deepEqual(
            [view.type, view.name, view.urn, view.dependencies, view.propertyDependencies],
            [TYPES.group, "production's group shop-web", pool.urn, [], {}],
        );
        assert.deepEqual(
            { ...view.props },
            {
                name: "shop-web",
                minSize: 4,
                maxSize: 20,
                desiredCapacity: 5,
                warmPool: {
                    minSize: 8,
                    maxGroupPreparedCapacity: -1,
                    poolState: "Hibernated",
                    instanceReusePolicy: { reuseOnScaleIn: true },
                },
                tags: [{ key: "warmstack:event", value: "blackfriday" }],
            },
        );
        const bare = groupsOf(
            stackResources([poolOn("shop-web", { groupCapacity: undefined, groupTags: undefined })]),
        )[0].props;
        assert.deepEqual(
            [bare.minSize, bare.maxSize, bare.desiredCapacity, bare.tags],
            [undefined, undefined, undefined, []],
        );
    });

    it("production's cache is each id a CachePrewarm fills, once, on a stack with no cache of its own", () => {
        const prewarm = (name: string, id: unknown, links: Record<string, EngineResource[]> = {}) =>
            resource(TYPES.cachePrewarm, name, { replicationGroupId: id }, links);
        const other = resource("aws:ssm/parameter:Parameter", "name-of-the-cache", { value: "shop-redis" });
        const views = attachedCachesOf(
            stackResources([
                other,
                prewarm("deploy-warm", "shop-redis"),
                prewarm("again", "shop-redis"),
                prewarm("sessions", "shop-sessions"),
                prewarm("unknown", undefined),
                prewarm("from-a-resource", "computed", { replicationGroupId: [other] }),
            ]),
            [],
        );
        assert.deepEqual(
            views.map((v) => [v.type, v.name, v.urn.split("::").pop(), v.props]),
            [
                [
                    TYPES.replicationGroup,
                    "production's cache shop-redis",
                    "deploy-warm",
                    { replicationGroupId: "shop-redis" },
                ],
                [
                    TYPES.replicationGroup,
                    "production's cache shop-sessions",
                    "sessions",
                    { replicationGroupId: "shop-sessions" },
                ],
            ],
        );
        const stack = stackResources([
            resource(TYPES.replicationGroup, "cache", { replicationGroupId: "mine" }),
            prewarm("deploy-warm", "shop-redis"),
        ]);
        assert.deepEqual(attachedCachesOf(stack, [stack[0]]), []);
    });
});
