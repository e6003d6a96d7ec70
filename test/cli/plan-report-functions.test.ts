// `warmstack plan`'s Functions table: each alias's N, its baseline, when the ramp fires and its cost by the hour
// and over the event, as the plan has them; no table on a stack without functions.
import assert from "node:assert/strict";
import { parseConfig } from "../../model/config";
import { plan } from "../../model/plan";
import { planReport } from "../../warmers/cli/plan-report";
import { EVENT, NOW, validRaw } from "../model/fixtures";

const FUNCTIONS = [
    { name: "checkout", alias: "live", peakRps: 900, durationMs: 180, memoryMb: 1024 },
    { name: "search", alias: "7", peakRps: 2500, durationMs: 40, baseline: 10 },
];

describe("warmstack plan: the Functions table", () => {
    const config = parseConfig({ ...validRaw(), event: EVENT, functions: FUNCTIONS });
    const planned = plan(config, { now: NOW });
    const report = planReport(planned, config, "test", NOW);

    it("shows N per alias, its baseline, the ramp's instant and its cost per hour and over the event", () => {
        const [checkout, search] = planned.functions.functions;
        assert.match(report, /Functions: provisioned concurrency 328 of 1,000 \(100 stay unreserved\)/);
        const row = (alias: string) => new RegExp(`^${alias} .*$`, "m").exec(report)?.[0].split(/ {2,}/);
        assert.deepEqual(row("checkout:live"), [
            "checkout:live",
            "203",
            "0",
            `at ${checkout.schedule[0].startTime}`,
            "3.05",
            "78.41",
        ]);
        // 203 × 1 GB × 0.0000041667 × 3600 s, over the 25.75 h from the ramp to the scale-down.
        assert.equal(checkout.hourlyAtPeak, 3.045);
        assert.equal(checkout.eventCost, 78.4088);
        assert.deepEqual(row("search:7")?.slice(0, 5), [
            "search:7",
            "125",
            "10",
            `at ${search.schedule[0].startTime}`,
            "unpriced",
        ]);
        assert.match(report, /warning: functions\[1\] \(search:7\): no memoryMb/);
        assert.match(report, /price: 0.0000041667 USD per GB-second allocated, from model\/prices\.ts/);
    });

    it("prints no Functions table on a stack without functions", () => {
        const bare = parseConfig({ ...validRaw(), event: EVENT });
        assert.doesNotMatch(planReport(plan(bare, { now: NOW }), bare, "test", NOW), /Functions:/);
    });
});
