// The infra program and the pack together: each built stack (baseline, the tests' built events) runs under mocks and its resources go through
// every policy with the stack's committed policy config, as `pulumi preview --policy-pack` would send them.
import { strict as assert } from "node:assert";
import { CACHE_TAGS, TYPES } from "../../policies/shared/contract";
import { BUILT_EVENT, BUILT_STACKS } from "../support/pulumi";
import {
    analyze,
    Analysis,
    committedPackConfig,
    packConfigOf,
    edited,
    EngineResource,
    programResources,
    withoutPrewarm,
} from "./harness";

/** The messages of one policy's diagnostics. */
const messagesOf = (analysis: Analysis, policy: string) =>
    analysis.diagnostics
        .filter((d) => d.policyName === policy)
        .map((d) => d.message)
        .join("\n");

function editJson(config: Record<string, string>, key: string, edit: (value: any) => void) {
    const value = JSON.parse(config[key]);
    edit(value);
    config[key] = JSON.stringify(value);
}

for (const stack of BUILT_STACKS) {
    describe(`program + pack: stack ${stack}`, () => {
        const config = packConfigOf(stack);
        let resources: EngineResource[];
        before(async function () {
            this.timeout(120_000); // the program under mocks, slow on a busy machine
            resources = await programResources(stack);
        });

        it("registers its CachePrewarm and passes every policy, with no advisory", async () => {
            assert.equal(resources.filter((r) => r.type === TYPES.cachePrewarm).length, 1);
            assert.deepEqual((await analyze(resources, config)).diagnostics, []);
        });

        it("without a CachePrewarm fails cache-prewarmed and whole-chain-warm, which names the cache alone", async () => {
            const analysis = await analyze(withoutPrewarm(resources), config);
            assert.deepEqual(analysis.blocking, ["cache-prewarmed", "whole-chain-warm"]);
            assert.match(
                messagesOf(analysis, "whole-chain-warm"),
                /but 1 link\(s\) behind it are cold:\n {2}- cache cache-redis: no CachePrewarm/,
            );
        });
    });
}

describe("program + pack: broken variants fail with the expected policies", () => {
    let blackfriday: EngineResource[];
    const config = committedPackConfig("blackfriday");
    before(async function () {
        this.timeout(120_000);
        blackfriday = await programResources(BUILT_EVENT);
    });

    it("no warm pool (warmPool.fractionOfPeak 0) → asg-warm-pool-required", async () => {
        const resources = await programResources(BUILT_EVENT, (c) =>
            editJson(c, "warmstack:compute", (compute) => {
                compute.warmPool.fractionOfPeak = 0;
            }),
        );
        const analysis = await analyze(resources, config);
        assert.deepEqual(analysis.blocking, ["asg-warm-pool-required"]);
        assert.match(
            messagesOf(analysis, "asg-warm-pool-required"),
            /keeps 0 instance\(s\) at least; this stack needs 25/,
        );
    });

    it("a flat event (peakRps = baselineRps) passes: no warm pool, no ramp, and the pack says why", async () => {
        const resources = await programResources(BUILT_EVENT, (c) =>
            editJson(c, "warmstack:traffic", (traffic) => {
                traffic.peakRps = traffic.baselineRps;
            }),
        );
        const analysis = await analyze(resources, config);
        assert.deepEqual(
            analysis.diagnostics.map((d) => `${d.policyName} ${d.enforcementLevel}`),
            ["asg-flat-capacity advisory"],
        );
        assert.match(
            messagesOf(analysis, "asg-flat-capacity"),
            /app-group never scales out \(minSize = maxSize = \d+\)/,
        );
    });

    it("no launch hook → warm-pool-launch-hook, and the chain names the compute link", async () => {
        const analysis = await analyze(
            edited(blackfriday, TYPES.group, (p) => delete p.initialLifecycleHooks),
            config,
        );
        assert.deepEqual(analysis.blocking, ["warm-pool-launch-hook", "whole-chain-warm"]);
        assert.match(messagesOf(analysis, "whole-chain-warm"), /compute app-group: no launch hook/);
    });

    it("no read replicas → db-read-replicas, the reader pool sized for missing replicas, and the chain's database link", async () => {
        const analysis = await analyze(
            blackfriday.filter((r) => !r.name.startsWith("db-replica")),
            config,
        );
        assert.deepEqual(analysis.blocking, ["connection-budget", "db-read-replicas", "whole-chain-warm"]);
        assert.match(
            messagesOf(analysis, "db-read-replicas"),
            /db-primary has 0 read replica\(s\); this event needs 4/,
        );
        assert.match(
            messagesOf(analysis, "connection-budget"),
            /sized its reader pool for 4 replicas of db-primary, but 0 exist/,
        );
        assert.match(messagesOf(analysis, "whole-chain-warm"), /database db-primary: no read replica/);
    });

    it("budget exceeded (max_connections 1000 against 57 × 20) → connection-budget on the writer and every replica", async () => {
        const analysis = await analyze(
            edited(blackfriday, TYPES.dbParameterGroup, (p) => {
                p.parameters.find((x: { name: string }) => x.name === "max_connections").value = "1000";
            }),
            config,
        );
        assert.deepEqual(analysis.blocking, ["connection-budget"]);
        assert.equal(analysis.diagnostics.length, 5, "the writer and 4 replicas");
        assert.match(messagesOf(analysis, "connection-budget"), /1140 connections at the peak, over its budget of 900/);
    });

    it("Spot in the launch template of a warm group → warm-pool-compatible", async () => {
        const analysis = await analyze(
            edited(blackfriday, TYPES.launchTemplate, (p) => {
                p.instanceMarketOptions = { marketType: "spot", spotOptions: { maxPrice: "0.05" } };
            }),
            config,
        );
        assert.deepEqual(analysis.blocking, ["warm-pool-compatible"]);
    });

    it("ramp after the event start → ramp-before-event", async () => {
        const analysis = await analyze(
            edited(
                blackfriday,
                TYPES.schedule,
                (p) => {
                    p.startTime = "2027-11-26T06:00:00Z";
                },
                "app-blackfriday-ramp-up",
            ),
            config,
        );
        assert.deepEqual(analysis.blocking, ["ramp-before-event"]);
        assert.match(messagesOf(analysis, "ramp-before-event"), /60 min after the event blackfriday/);
    });

    it("the stack's ramp shorter than the event's policy config demands → ramp-before-event", async () => {
        const analysis = await analyze(blackfriday, {
            ...config,
            "ramp-before-event": { eventStart: "2027-11-26T05:00:00Z", rampLeadMinutes: 60 },
        });
        assert.deepEqual(analysis.blocking, ["ramp-before-event"]);
    });

    it("the scheduled warm moved a day early → prewarm-before-event, and the chain's event-time cache link", async () => {
        const analysis = await analyze(
            edited(blackfriday, TYPES.warmSchedule, (p) => {
                p.scheduleExpression = p.scheduleExpression.replace("2027-11-26", "2027-11-25");
            }),
            config,
        );
        assert.deepEqual(analysis.blocking, ["prewarm-before-event", "whole-chain-warm"]);
        assert.match(
            messagesOf(analysis, "prewarm-before-event"),
            /fires at 2027-11-25T\d\d:\d\d:\d\dZ, \d+ min before the start: too early/,
        );
        assert.match(messagesOf(analysis, "whole-chain-warm"), /cache cache-redis: no scheduled warm in time/);
    });

    it("a hot set larger than the cache's memory → cache-fits-hot-set", async () => {
        const analysis = await analyze(
            edited(blackfriday, TYPES.replicationGroup, (p) => {
                p.tags[CACHE_TAGS.hotSetBytes] = String(Number(p.tags[CACHE_TAGS.hotSetBytes]) * 1000);
            }),
            config,
        );
        assert.deepEqual(analysis.blocking, ["cache-fits-hot-set"]);
    });

    it("no relations for the replicas' buffers → replica-buffers-warm, and the chain lists each replica", async () => {
        const analysis = await analyze(
            edited(blackfriday, TYPES.cachePrewarm, (p) => {
                p.relations = [];
            }),
            config,
        );
        assert.deepEqual(analysis.blocking, ["whole-chain-warm"]);
        assert.equal(analysis.diagnostics.filter((d) => d.policyName === "replica-buffers-warm").length, 4);
        assert.match(
            messagesOf(analysis, "whole-chain-warm"),
            /database db-replica-4: its buffers are cold at the event/,
        );
    });

    it("warm compute in front of a cold cache and a cold database → whole-chain-warm lists every cold link", async () => {
        const cold = edited(withoutPrewarm(blackfriday), TYPES.dbParameterGroup, (p) => {
            p.parameters = p.parameters.filter((x: { name: string }) => x.name === "max_connections");
        });
        const analysis = await analyze(
            cold.filter((r) => !r.name.startsWith("db-replica")),
            config,
        );
        assert.deepEqual(analysis.blocking, [
            "cache-prewarmed",
            "connection-budget",
            "db-read-replicas",
            "whole-chain-warm",
        ]);
        const chain = analysis.diagnostics.filter((d) => d.policyName === "whole-chain-warm");
        assert.equal(chain.length, 1, "one message");
        assert.match(
            chain[0].message,
            /The compute is warm \(app-group keeps 29 instance\(s\) warm\), but 3 link\(s\) behind it are cold:\n {2}- cache cache-redis: [^\n]+\n {2}- database db-primary: its buffer cache comes back cold [^\n]+\n {2}- database db-primary: no read replica/,
        );
        assert.deepEqual(
            analysis.diagnostics.filter((d) => d.enforcementLevel === "advisory").map((d) => d.policyName),
            ["db-buffer-prewarm"],
        );
    });
});
