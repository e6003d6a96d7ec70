// What readiness costs against what a cold spike would: priced from warmstack:cost or the dated table, never
// from a guess.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError } from "../../model/config";
import { ALWAYS_WARM_FRACTION_OF_MAX, eventCost, readinessCost } from "../../model/cost";
import { plan, type ReadinessPlan } from "../../model/plan";
import { POOL_STATES } from "../../policies/shared/contract";
import { arbConfig, attempt, configWith, EVENT, NOW, runs } from "./fixtures";

// Round prices so each figure can be checked by hand: a 30 GB root volume costs 0.003 an hour at 0.073 a GB-month.
const PRICES = {
    instanceHourly: 0.1,
    instanceMemoryGiB: 4,
    ebsGbMonth: 0.073,
    replicaHourly: 0.2,
    cacheNodeHourly: 0.3,
};

describe("cost", () => {
    // baseline 2, peak 13, a Stopped pool of 7; 2 replicas; 2 cache nodes.
    let p: ReadinessPlan;
    // Before each test, not once at load time or in before(): a mutation run (docs/mutation.md) only sees code
    // that runs inside a test or its beforeEach.
    beforeEach(() => {
        p = plan(
            configWith((r) => {
                r.event = EVENT;
                r.cost = { ...PRICES, revenuePerMinute: 100 };
            }),
            { now: NOW },
        );
    });

    it("prices the warm pool idle by state: Stopped the volume, Hibernated the volume and the RAM image, Running all", () => {
        assert.deepEqual(p.cost.warmPool, {
            size: 7,
            state: "Stopped",
            byState: {
                Stopped: { perHour: 0.021, perDay: 0.504, perMonth: 15.33 }, // 7 × 30 GB × 0.073 / 730
                Running: { perHour: 0.721, perDay: 17.304, perMonth: 526.33 }, // 7 × (0.1 + 0.003)
                Hibernated: { perHour: 0.0238, perDay: 0.5712, perMonth: 17.374 }, // 7 × (30 + 4) GB
            },
        });
        assert.equal(p.cost.alwaysWarm.size, Math.ceil(ALWAYS_WARM_FRACTION_OF_MAX * 13));
    });

    it("prices the pool on what AWS said of the type and image: its memory over warmstack:cost's, the image's volume", () => {
        // AWS: 8 GiB of RAM, a 40 GiB image above the config's 30 GiB root volume.
        const read = plan(
            configWith((r) => {
                r.event = EVENT;
                r.cost = { ...PRICES, revenuePerMinute: 100 };
            }),
            { now: NOW, instance: { memoryMiB: 8192, hibernationSupported: true, imageGiB: 40 } },
        );
        assert.deepEqual(read.cost.prices.instanceMemoryGiB, { value: 8, source: "AWS (aws.ec2.getInstanceType)" });
        assert.deepEqual(read.cost.warmPool.byState.Stopped, { perHour: 0.028, perDay: 0.672, perMonth: 20.44 }); // 7 × 40 GB
        assert.deepEqual(read.cost.warmPool.byState.Hibernated, { perHour: 0.0336, perDay: 0.8064, perMonth: 24.528 }); // 7 × (40 + 8) GB
        // A fact of the type, not a price: "prices from" names the four prices' sources only.
        assert.equal(
            read.cost.assumptions[0],
            "prices from warmstack:cost.instanceHourly and warmstack:cost.ebsGbMonth and warmstack:cost.replicaHourly " +
                "and warmstack:cost.cacheNodeHourly",
        );
    });

    it("says why the Price List gave no price: beside the table's fallback, or the type left unpriced", () => {
        const listed = {
            instanceHourly: { failed: "2 products match in us-east-1 where one was expected" },
            cacheNodeHourly: { failed: "no product matches in us-east-1" },
        };
        const { cost, warnings } = plan(
            configWith((r) => {
                r.event = EVENT;
                r.compute.instanceType = "m7i.large";
                r.cost = { instanceMemoryGiB: 8, revenuePerMinute: 100 };
            }),
            { now: NOW, prices: listed },
        );
        const table = "model/prices.ts (us-east-1 on-demand, 2026-12-02)";
        assert.deepEqual(cost.unpriced, [
            {
                key: "warmstack:cost.instanceHourly",
                what: 'compute.instanceType "m7i.large" (its hourly price, USD)',
                priceList: listed.instanceHourly.failed,
            },
        ]);
        assert.ok(
            warnings.includes(
                'cannot price compute.instanceType "m7i.large" (its hourly price, USD) (set warmstack:cost.instanceHourly): ' +
                    `the AWS Price List gave no price (${listed.instanceHourly.failed}) and ${table} does not list it, so ` +
                    "the cost figures that need it are left out",
            ),
            warnings.join("\n"),
        );
        assert.ok(
            warnings.includes(
                'the AWS Price List gave no price for cache.nodeType "cache.r7g.large" nodes (their hourly price, USD) ' +
                    `(no product matches in us-east-1): priced from ${table}, a fallback that may be out of date or of ` +
                    "another region (set warmstack:cost.cacheNodeHourly to give it)",
            ),
            warnings.join("\n"),
        );
        assert.equal(
            cost.assumptions[0],
            `prices from warmstack:cost.instanceMemoryGiB and ${table}; unpriced: warmstack:cost.instanceHourly`,
        );
        // The ramped instances' lead is unpriced: no readiness cost, so no break-even against the revenue.
        assert.equal(cost.readiness.cost, null);
        assert.equal("breakEvenOutageMinutes" in cost, false);
    });

    it("prices the event's extra capacity from the ramp to the scale-down", () => {
        // 04:15 on the 26th to 06:00 on the 27th: 25.75 h
        assert.deepEqual(p.cost.event, {
            hours: 25.75,
            rampInstances: 11,
            instances: 29.1748, // 11 × 25.75 × 0.103
            replicas: 10.3, // 2 × 25.75 × 0.2
            cacheNodes: 15.45, // 2 × 25.75 × 0.3
            total: 54.9248,
        });
    });

    it("weighs a cold spike against being ready: the break-even in minutes of outage", () => {
        // 11 instances × (180 + 60) s = 44 instance-minutes; over 13 instances, 3.38 minutes of full outage
        assert.deepEqual(p.cost.coldSpike, { missingInstanceMinutes: 44, outageMinutes: 3.384615385, cost: 338.4615 });
        // The pool from deploy-by (03:15) to the scale-down, 26.75 h × 0.021, plus 11 × 0.103 × 45 min
        assert.deepEqual(p.cost.readiness, {
            cost: 1.4115,
            covers:
                "the warm pool (7 Stopped) from the deploy-by instant to the scale-down, and 11 ramped instances " +
                "running 45 min before the start",
        });
        assert.equal(p.cost.breakEvenOutageMinutes, 0.014115);
        assert.equal(p.cost.revenuePerMinute, 100);
        assert.equal(p.cost.prices.instanceHourly.source, "warmstack:cost.instanceHourly");
    });

    it("without a revenue figure, says so and prices no outage", () => {
        const cold = plan(
            configWith(() => undefined),
            { now: NOW },
        ).cost;
        assert.equal(cold.coldSpike.cost, undefined);
        assert.equal(cold.breakEvenOutageMinutes, undefined);
        assert.equal(cold.revenuePerMinute, undefined);
        assert.ok(
            cold.assumptions.some((a) => /no warmstack:cost\.revenuePerMinute: the cold spike is not priced/.test(a)),
        );
        assert.match(cold.prices.instanceHourly.source, /^model\/prices\.ts \(us-east-1 on-demand, 2026-12-02\)$/);
        assert.equal("revenuePerMinute" in cold, false);
        // Without an event, readiness is the pool for a day: its Stopped per-day figure.
        assert.deepEqual(cold.readiness, { cost: 0.5523, covers: "the warm pool (7 Stopped) for one day" });
        assert.equal(cold.readiness.cost, cold.warmPool.byState.Stopped.perDay);
        assert.equal(cold.currency, "USD");
    });

    it("states its assumptions, the event's only with an event, and where each price came from", () => {
        const cold =
            "a cold spike: the 11 instances beyond the baseline boot cold (compute.bootSeconds + warmupSeconds = 240 s) while traffic waits";
        const ebs = "EBS billed per GB-month of 730 h; a Hibernated instance's root volume also holds its RAM";
        assert.deepEqual(p.cost.assumptions, [
            "prices from warmstack:cost.instanceHourly and warmstack:cost.instanceMemoryGiB and warmstack:cost.ebsGbMonth " +
                "and warmstack:cost.replicaHourly and warmstack:cost.cacheNodeHourly",
            ebs,
            "replicas and cache nodes counted from the ramp to the scale-down (they run as long as the stack does)",
            cold,
            "revenue at stake: 100 USD per minute of full outage",
        ]);
        const everyday = plan(
            configWith((r) => (r.cost = { replicaHourly: 0.2 })),
            { now: NOW },
        ).cost;
        assert.deepEqual(everyday.assumptions, [
            "prices from model/prices.ts (us-east-1 on-demand, 2026-12-02) and warmstack:cost.replicaHourly",
            ebs,
            cold,
            "no warmstack:cost.revenuePerMinute: the cold spike is not priced and there is no break-even",
        ]);
        assert.deepEqual(
            Object.entries(everyday.prices).map(([key, price]) => [
                key,
                price.source.startsWith("warmstack:") && price.source,
            ]),
            [
                ["instanceHourly", false],
                ["instanceMemoryGiB", false],
                ["ebsGbMonth", false],
                ["replicaHourly", "warmstack:cost.replicaHourly"],
                ["cacheNodeHourly", false],
            ],
        );
        // Offline, the memory is the table's: AWS's figure only when AWS gave it.
        assert.equal(everyday.prices.instanceMemoryGiB.source, "model/prices.ts (us-east-1 on-demand, 2026-12-02)");
    });

    it("leaves out a break-even too large to be a number (a revenue of almost nothing a minute)", () => {
        const tiny = plan(
            configWith((r) => {
                r.event = EVENT;
                r.cost = { revenuePerMinute: Number.MIN_VALUE };
            }),
            { now: NOW },
        ).cost;
        assert.ok(tiny.readiness.cost! > 0);
        assert.equal(tiny.coldSpike.cost, 0);
        assert.equal("breakEvenOutageMinutes" in tiny, false);
    });

    it("never refuses a type the table does not price: it warns once per price, naming the type and the key", () => {
        const unlisted = (r: Record<string, any>) => {
            r.event = EVENT;
            r.compute.instanceType = "m7i.large";
            r.database.instanceClass = "db.r7g.xlarge";
        };
        const p = plan(configWith(unlisted), { now: NOW });
        const table = "model/prices.ts (us-east-1 on-demand, 2026-12-02) does not list it";
        const left = "so the cost figures that need it are left out";
        assert.deepEqual(
            p.warnings.filter((w) => w.startsWith("cannot price")),
            [
                `cannot price compute.instanceType "m7i.large" (its hourly price, USD) (set warmstack:cost.instanceHourly): ${table}, ${left}`,
                `cannot price a Hibernated pool of compute.instanceType "m7i.large" (its memory, GiB, which the RAM image adds to the root volume) (set warmstack:cost.instanceMemoryGiB): ${table}, ${left}`,
                `cannot price database.instanceClass "db.r7g.xlarge" replicas (their hourly price, USD) (set warmstack:cost.replicaHourly): ${table}, ${left}`,
            ],
        );
        const { cost } = p;
        assert.deepEqual(
            cost.unpriced.map((u) => u.key),
            ["warmstack:cost.instanceHourly", "warmstack:cost.instanceMemoryGiB", "warmstack:cost.replicaHourly"],
        );
        assert.deepEqual(cost.prices.instanceHourly, { value: null, source: "unpriced" });
        // Never asked, the Price List gave no reason: the entry says none.
        assert.deepEqual(cost.unpriced[0], {
            key: "warmstack:cost.instanceHourly",
            what: 'compute.instanceType "m7i.large" (its hourly price, USD)',
        });
        // What needs only the priced ones is priced; what needs a missing one is null, never 0.
        assert.deepEqual(cost.warmPool.byState.Stopped, { perHour: 0.023, perDay: 0.5523, perMonth: 16.8 });
        assert.deepEqual(cost.warmPool.byState.Hibernated, { perHour: null, perDay: null, perMonth: null });
        assert.deepEqual(cost.warmPool.byState.Running, { perHour: null, perDay: null, perMonth: null });
        assert.equal(cost.event!.instances, null);
        assert.equal(cost.event!.replicas, null);
        assert.equal(cost.event!.cacheNodes, 11.2785); // 2 nodes × 25.75 h × 0.219, the table's cache.r7g.large
        assert.equal(cost.event!.total, null);
        assert.equal(cost.readiness.cost, null, "the ramped instances' lead is unpriced");
        assert.match(
            cost.assumptions[0],
            /; unpriced: warmstack:cost\.instanceHourly, warmstack:cost\.instanceMemoryGiB, warmstack:cost\.replicaHourly$/,
        );

        // Priced by warmstack:cost, the same stack warns of nothing and prices everything.
        const priced = plan(
            configWith((r) => {
                unlisted(r);
                r.cost = { instanceHourly: 0.1008, instanceMemoryGiB: 8, replicaHourly: 0.48 };
            }),
            { now: NOW },
        );
        assert.deepEqual(priced.cost.unpriced, []);
        assert.equal(priced.warnings.filter((w) => w.startsWith("cannot price")).length, 0);
        assert.ok(priced.cost.event!.total! > 0);
    });

    it("a pool or ramp of none costs nothing, priced or not", () => {
        const none = plan(
            configWith((r) => {
                r.compute.instanceType = "m7i.large";
                r.compute.warmPool = { fractionOfPeak: 0, state: "Running" };
            }),
            { now: NOW },
        ).cost;
        assert.deepEqual(none.warmPool.byState.Running, { perHour: 0, perDay: 0, perMonth: 0 });
        assert.equal(none.readiness.cost, 0);
    });

    it("the event's and readiness's figures are pure: an unpriced part leaves only what needs it out", () => {
        const instants = {
            deployBy: 0,
            databaseWarm: 0,
            cacheWarm: 0,
            ramp: 0,
            start: 0,
            end: 0,
            scaleDown: 7_200_000,
        };
        const prices = { ...p.cost.prices, replicaHourly: { value: null, source: "unpriced" } };
        // 2 h: 3 instances × 0.5, 2 replicas unpriced, 1 cache node × 0.3
        assert.deepEqual(eventCost(prices, instants, { rampInstances: 3, replicas: 2, cacheNodes: 1 }, 0.5), {
            hours: 2,
            rampInstances: 3,
            instances: 3,
            replicas: null,
            cacheNodes: 0.6,
            total: null,
        });
        // No event: the pool for one day. An event: the pool for 2 h and 3 instances × 0.5 for 30 min.
        const pool = { size: 4, state: "Stopped" as const, hourly: 0.01 };
        assert.deepEqual(readinessCost(pool, undefined), {
            cost: 0.24,
            covers: "the warm pool (4 Stopped) for one day",
        });
        assert.equal(readinessCost(pool, { instances: 3, instanceHourly: 0.5, leadMinutes: 30, instants }).cost, 0.77);
    });

    describe("invariants (property tests)", () => {
        it("Stopped ≤ Hibernated ≤ Running, for this pool and the always-warm one", () => {
            fc.assert(
                fc.property(arbConfig, (config) => {
                    const c = attempt(config);
                    if (c instanceof ConfigError) return;
                    for (const pool of [c.cost.warmPool, c.cost.alwaysWarm]) {
                        for (const period of ["perHour", "perDay", "perMonth"] as const) {
                            const { Stopped, Hibernated, Running } = pool.byState;
                            assert.ok(
                                Stopped[period]! <= Hibernated[period]! && Hibernated[period]! <= Running[period]!,
                            );
                        }
                    }
                }),
                { numRuns: runs(1000) },
            );
        });

        it("the cost grows with the pool", () => {
            fc.assert(
                fc.property(arbConfig, fc.double({ min: 0, max: 1, noNaN: true }), (config, more) => {
                    const small = attempt(config);
                    const { fractionOfPeak } = config.compute.warmPool;
                    const larger = {
                        ...config.compute.warmPool,
                        fractionOfPeak: fractionOfPeak + (1 - fractionOfPeak) * more,
                    };
                    const large = attempt({ ...config, compute: { ...config.compute, warmPool: larger } });
                    if (small instanceof ConfigError || large instanceof ConfigError) return;
                    assert.ok(large.cost.warmPool.size >= small.cost.warmPool.size);
                    for (const state of POOL_STATES) {
                        assert.ok(
                            large.cost.warmPool.byState[state].perDay! >= small.cost.warmPool.byState[state].perDay!,
                        );
                    }
                    assert.ok(large.cost.readiness.cost! >= small.cost.readiness.cost!);
                }),
                { numRuns: runs(1000) },
            );
        });

        it("the break-even is the readiness cost divided by the revenue a minute of outage loses", () => {
            fc.assert(
                fc.property(arbConfig, (config) => {
                    const c = attempt(config);
                    if (c instanceof ConfigError) return;
                    const { breakEvenOutageMinutes, revenuePerMinute, coldSpike } = c.cost;
                    // The arbitrary's types are all in the table: readiness is priced.
                    const readiness = { cost: c.cost.readiness.cost! };
                    if (!revenuePerMinute) return assert.equal(breakEvenOutageMinutes, undefined);
                    assert.ok(
                        Math.abs(breakEvenOutageMinutes! * revenuePerMinute - readiness.cost) <=
                            1e-6 * Math.max(1, readiness.cost),
                    );
                    // A cold spike costs more than readiness exactly when its outage outlasts the break-even
                    // (away from the tie, where rounding to 1/100 of a cent decides).
                    if (Math.abs(coldSpike.cost! - readiness.cost) > 1e-4) {
                        assert.equal(
                            coldSpike.cost! > readiness.cost,
                            coldSpike.outageMinutes > breakEvenOutageMinutes!,
                        );
                    }
                }),
                { numRuns: runs(1000) },
            );
        });
    });
});
