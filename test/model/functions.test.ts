// Lambda provisioned concurrency (model/plan/functions.ts): N from the peak's rate and duration, the refusals
// ($LATEST, a repeated alias, the Region's unreserved 100), the ramp on the event's schedule by phase, the cost.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError, parseConfig } from "../../model/config";
import { plan } from "../../model/plan";
import { concurrencyFor, planFunctions, UNRESERVED_CONCURRENCY } from "../../model/plan/functions";
import { PROVISIONED_CONCURRENCY_GB_SECOND } from "../../model/prices";
import { eventInstants } from "../../model/timeline";
import { EVENT, NOW, runs, validRaw } from "./fixtures";

const fn = (over: Record<string, unknown> = {}) => ({
    name: "checkout",
    alias: "live",
    peakRps: 200,
    durationMs: 150,
    ...over,
});
const configOf = (functions: unknown[], extra: Record<string, unknown> = {}) =>
    parseConfig({ ...validRaw(), event: EVENT, functions, ...extra });
const instantsOf = (config: ReturnType<typeof configOf>) => eventInstants(config.event!, 30);

function refusal(functions: unknown[], extra: Record<string, unknown> = {}): ConfigError {
    try {
        plan(configOf(functions, extra), { now: NOW });
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
    assert.fail("planned a config it must refuse");
}

describe("functions: provisioned concurrency N", () => {
    it("is ⌈peakRps × durationMs / 1000 × (1 + headroom)⌉: enough, and one fewer is not", () => {
        fc.assert(
            fc.property(
                fc.double({ min: 0.01, max: 10_000, noNaN: true }),
                fc.double({ min: 1, max: 900_000, noNaN: true }),
                fc.double({ min: 0, max: 1, noNaN: true }),
                (rps, ms, headroom) => {
                    const n = concurrencyFor(rps, ms, headroom);
                    const need = ((rps * ms) / 1000) * (1 + headroom);
                    assert.ok(Number.isInteger(n) && n >= 1);
                    assert.ok(n >= need - 1e-6, `${n} < ${need}`);
                    assert.ok(n - 1 < need, `${n - 1} would do for ${need}`);
                },
            ),
            { numRuns: runs(200) },
        );
    });

    it("is exact where floating point is not: 200 rps × 150 ms × 1.25 is 37.5 → 38, 100 × 100 ms × 1.1 is 11", () => {
        assert.equal(concurrencyFor(200, 150, 0.25), 38);
        assert.equal(concurrencyFor(100, 100, 0.1), 11);
    });

    it("takes traffic.headroom and never falls below the function's baseline", () => {
        const config = configOf([fn(), fn({ name: "search", baseline: 50 })]);
        const planned = plan(config, { now: NOW }).functions;
        assert.deepEqual(
            planned.functions.map((f) => [f.resourceId, f.provisioned, f.baseline]),
            [
                ["function:checkout:live", 38, 0],
                ["function:search:live", 50, 50],
            ],
        );
        assert.equal(planned.provisionedTotal, 88);
        assert.equal(planned.accountConcurrency, 1000, "the documented default");
    });

    it("is nothing without warmstack:functions", () => {
        const planned = plan(parseConfig(validRaw()), { now: NOW }).functions;
        assert.deepEqual(planned.functions, []);
        assert.equal(planned.provisionedTotal, 0);
    });
});

describe("functions: refusals", () => {
    it("refuses $LATEST naming functions[i].alias", () => {
        const error = refusal([fn(), fn({ name: "search", alias: "$LATEST" })]);
        assert.equal(error.problems.length, 1, error.message);
        assert.equal(error.problems[0].key, "warmstack:functions[1].alias");
        assert.equal(error.problems[0].given, "$LATEST");
        assert.match(error.message, /no provisioned concurrency on \$LATEST/);
    });

    it("refuses the same function and alias twice, naming the first", () => {
        const error = refusal([fn(), fn({ peakRps: 5 })]);
        assert.equal(error.problems[0].key, "warmstack:functions[1]");
        assert.match(error.message, /functions\[0\] is checkout:live/);
    });

    it("refuses a sum that takes the unreserved 100, naming the function that crosses and the numbers", () => {
        // 38 + 38 = 76 fits 200 − 100 = 100; a third 38 makes 114.
        const three = [fn(), fn({ alias: "blue" }), fn({ alias: "green" })];
        assert.equal(
            plan(configOf(three.slice(0, 2), { accountConcurrency: 200 }), { now: NOW }).functions.provisionedTotal,
            76,
        );
        const error = refusal(three, { accountConcurrency: 200 });
        assert.equal(error.problems.length, 1, error.message);
        assert.equal(error.problems[0].key, "warmstack:functions[2]");
        assert.equal(error.problems[0].given, "checkout:green needs 38");
        assert.equal(
            error.problems[0].allowed,
            "provisioned concurrency that leaves the account's unreserved 100 free: with checkout:green the functions " +
                "need 114 of the 100 that warmstack:accountConcurrency 200 leaves (raise the Region's limit and " +
                "accountConcurrency, or lower peakRps or durationMs)",
        );
    });

    it("accepts a sum of exactly accountConcurrency − 100", () => {
        const limit = 100 + 38;
        const planned = plan(configOf([fn()], { accountConcurrency: limit }), { now: NOW }).functions;
        assert.equal(planned.provisionedTotal, limit - UNRESERVED_CONCURRENCY);
        refusal([fn()], { accountConcurrency: limit - 1 });
    });

    it("refuses a bad entry in the schema, naming the field", () => {
        for (const [bad, key] of [
            [{ ...fn(), alias: "" }, "warmstack:functions[0].alias"],
            [{ ...fn(), name: "has space" }, "warmstack:functions[0].name"],
            [{ ...fn(), peakRps: 0 }, "warmstack:functions[0].peakRps"],
            [{ ...fn(), durationMs: -1 }, "warmstack:functions[0].durationMs"],
            [{ ...fn(), baseline: 1.5 }, "warmstack:functions[0].baseline"],
            [{ ...fn(), memoryMb: 64 }, "warmstack:functions[0].memoryMb"],
            [{ ...fn(), aliass: "x" }, "warmstack:functions[0].aliass"],
        ] as const) {
            assert.throws(
                () => configOf([bad]),
                (err: ConfigError) => err.problems.length === 1 && err.problems[0].key === key,
                key,
            );
        }
        assert.throws(
            () => configOf([], { accountConcurrency: 50 }),
            (err: ConfigError) => err.problems[0].key === "warmstack:accountConcurrency",
        );
    });
});

describe("functions: the ramp on the event's schedule", () => {
    const config = configOf([fn({ baseline: 2 })]);
    const instants = instantsOf(config);
    const planAt = (now: number) => {
        const result = planFunctions(config, instants, now);
        assert.ok(result.planned);
        return result.value.functions[0];
    };

    it("before the ramp: the baseline now, N at start − rampLeadMinutes, the baseline after end + cooldown", () => {
        const f = planAt(NOW);
        assert.deepEqual(f.capacity, { minCapacity: 2, maxCapacity: 2 });
        assert.deepEqual(f.schedule, [
            {
                name: "sale-ramp-up",
                startTime: "2027-11-26T04:15:00Z",
                minCapacity: 38,
                maxCapacity: 38,
            },
            {
                name: "sale-ramp-down",
                startTime: "2027-11-27T06:00:00Z",
                minCapacity: 2,
                maxCapacity: 2,
            },
        ]);
    });

    it("inside the window: N from this deploy and only the ramp-down; after it: the baseline and nothing", () => {
        const inside = planAt(instants.ramp);
        assert.deepEqual(inside.capacity, { minCapacity: 38, maxCapacity: 38 });
        assert.deepEqual(
            inside.schedule.map((a) => a.name),
            ["sale-ramp-down"],
        );
        const after = planAt(instants.scaleDown);
        assert.deepEqual(after.capacity, { minCapacity: 2, maxCapacity: 2 });
        assert.deepEqual(after.schedule, []);
    });

    it("schedules nothing without an event, or when N is the baseline", () => {
        const none = planFunctions(parseConfig({ ...validRaw(), functions: [fn()] }), undefined, NOW);
        assert.ok(none.planned);
        assert.deepEqual(none.value.functions[0].schedule, []);
        assert.deepEqual(none.value.functions[0].capacity, { minCapacity: 0, maxCapacity: 0 });
        const flat = planFunctions(configOf([fn({ baseline: 38 })]), instants, NOW);
        assert.ok(flat.planned);
        assert.deepEqual(flat.value.functions[0].schedule, []);
    });
});

describe("functions: cost", () => {
    it("prices N × memory × the GB-second rate by the hour, and over the event's window", () => {
        const config = configOf([fn({ memoryMb: 2048 })]);
        const f = plan(config, { now: NOW }).functions.functions[0];
        const hourly = 38 * 2 * PROVISIONED_CONCURRENCY_GB_SECOND * 3600;
        assert.ok(Math.abs(f.hourlyAtPeak! - hourly) < 1e-4, `${f.hourlyAtPeak} vs ${hourly}`);
        const instants = instantsOf(config);
        const hours = (instants.scaleDown - instants.ramp) / 3_600_000;
        assert.ok(Math.abs(f.eventCost! - f.hourlyAtPeak! * hours) < 1e-3);
    });

    it("takes cost.provisionedConcurrencyGbSecond over the table, and names the source", () => {
        const planned = plan(
            configOf([fn({ memoryMb: 1024 })], { cost: { provisionedConcurrencyGbSecond: 0.00001 } }),
            {
                now: NOW,
            },
        ).functions;
        assert.equal(planned.price.source, "warmstack:cost.provisionedConcurrencyGbSecond");
        assert.equal(planned.functions[0].hourlyAtPeak, 1.368);
        const table = plan(configOf([fn({ memoryMb: 1024 })]), { now: NOW }).functions.price;
        assert.deepEqual(table, {
            value: PROVISIONED_CONCURRENCY_GB_SECOND,
            source: "model/prices.ts (us-east-1 on-demand, 2026-12-02)",
        });
    });

    it("warns only of a function without memoryMb, and gives no cost it cannot compute", () => {
        const { functions, warnings } = plan(configOf([fn({ memoryMb: 1024 }), fn({ alias: "blue" })]), { now: NOW });
        assert.deepEqual(
            warnings.filter((w) => w.includes("memoryMb")),
            ["functions[1] (checkout:blue): no memoryMb, so its provisioned concurrency of 38 is not priced"],
        );
        const [priced, unpriced] = functions.functions;
        assert.deepEqual(
            ["hourlyAtPeak" in priced, "eventCost" in priced, "hourlyAtPeak" in unpriced, "eventCost" in unpriced],
            [true, true, false, false],
        );
        // With no event there is no window to price: the hour only.
        const everyday = plan(parseConfig({ ...validRaw(), functions: [fn({ memoryMb: 1024 })] }), { now: NOW });
        const [alone] = everyday.functions.functions;
        assert.deepEqual(["hourlyAtPeak" in alone, "eventCost" in alone], [true, false]);
    });

    it("never blocks on a missing memoryMb: the function is planned, unpriced, with a warning", () => {
        const result = plan(configOf([fn()]), { now: NOW });
        assert.equal(result.functions.functions[0].hourlyAtPeak, undefined);
        assert.ok(
            result.warnings.some((w) => /functions\[0\] \(checkout:live\): no memoryMb/.test(w)),
            result.warnings.join("\n"),
        );
    });
});
