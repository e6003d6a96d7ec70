// `warmstack plan`'s data-tier table states its own formula: each endpoint's connections at peak are the pool per
// instance times the peak instances, and the share is that over the endpoint's budget. A share computed from one
// instance's pool would show a budget at 1 % that is really at 63 % (issue 27).
//
// `warmstack plan`'s report, laid out from a plan computed here (no process spawned): the lines a person reads
// say what the plan holds — seconds under a minute, rates below one, no lead without an event, each instant on
// the clock of the end or start it comes from.
//
// `warmstack plan`'s Functions table: each alias's N, its baseline, when the ramp fires and its cost by the hour
// and over the event, as the plan has them; no table on a stack without functions.
import fc from "fast-check";
import assert from "node:assert/strict";
import { type WarmstackConfig, parseConfig } from "../../model/config";
import { type ReadinessPlan, plan } from "../../model/plan";
import { planReport, fromStart } from "../../warmers/cli/plan-report";
import { arbConfig, attempt, NOW, runs, configWith, EVENT, validRaw } from "../model/fixtures";

const figure = (text: string) => Number(text.replace(/,/g, ""));

/** The data-tier table's rows as printed: pool per instance, at peak, budget, share (%), and the peak it names. */
function connectionRows(report: string) {
    const peak = /at peak \(([\d,]+) instances\)/.exec(report);
    assert.ok(peak, "no 'at peak (N instances)' header");
    const rows = [...report.matchAll(/^(writer|each replica \(×\d+\)) +([\d,]+) +([\d,]+) +([\d,]+) +(\d+)%$/gm)];
    assert.equal(rows.length, 2, report);
    return {
        peak: figure(peak[1]),
        rows: rows.map(([, name, pool, atPeak, budget, share]) => ({
            name,
            pool: figure(pool),
            atPeak: figure(atPeak),
            budget: figure(budget),
            share: Number(share),
        })),
    };
}

const report = (patch: (raw: Record<string, any>) => void) => {
    const config = configWith(patch);
    return planReport(plan(config, { now: NOW }), config, "a test stack", NOW);
};

/** The first line that starts with `label` and a space: a row of a table, or a line of the report. */
const line = (text: string, label: string) => text.split("\n").find((l) => l.startsWith(`${label} `)) ?? "";

const FUNCTIONS = [
    { name: "checkout", alias: "live", peakRps: 900, durationMs: 180, memoryMb: 1024 },
    { name: "search", alias: "7", peakRps: 2500, durationMs: 40, baseline: 10 },
];

describe("warmstack plan: the data tier's connection share", () => {
    it("is each endpoint's pool × peak instances over its budget, as the table's own columns say", () => {
        // Only configs that plan (about one in seven of arbConfig's) have a report.
        const planned = arbConfig
            .map((config) => ({ config, plan: attempt(config) }))
            .filter((c): c is { config: WarmstackConfig; plan: ReadinessPlan } => !(c.plan instanceof Error));
        fc.assert(
            fc.property(planned, ({ config, plan }) => {
                const { peak, rows } = connectionRows(planReport(plan, config, "test", NOW));
                assert.equal(peak, plan.instances.peak);
                const pools = [plan.database.writerPoolPerInstance, plan.database.readerPoolPerReplica];
                rows.forEach((row, i) => {
                    assert.equal(row.pool, pools[i], row.name);
                    assert.equal(row.atPeak, row.pool * peak, row.name);
                    assert.equal(row.budget, plan.database.budgetPerEndpoint, row.name);
                    assert.equal(row.share, Math.round((100 * row.atPeak) / row.budget), row.name);
                });
            }),
            { numRuns: runs(50) },
        );
    });
});

describe("warmstack plan's report lines", () => {
    it("says how far an instant under a minute is from the start in seconds, not a bare sign", () => {
        assert.equal(fromStart(1000), "+1 s");
        assert.equal(fromStart(-59_000), "-59 s");
        assert.equal(fromStart(60_000), "+1 min");
        const oneSecond = report((r) => (r.event = { ...EVENT, end: "2027-11-26T05:00:01Z", cooldownMinutes: 0 }));
        assert.match(line(oneSecond, "end"), /\+1 s/);
    });

    it("prints a rate far below one as it is (0.0002), not 0", () => {
        const slow = report((r) =>
            Object.assign(r.traffic, { baselineRps: 0.0002, peakRps: 0.0004, rpsPerInstance: 0.0001 }),
        );
        assert.match(line(slow, "instances"), /0\.0002 \/ 0\.0004 rps at 0\.0001 per instance/);
        assert.match(
            line(
                report(() => undefined),
                "instances",
            ),
            /100 \/ 1,000 rps at 100 per instance/,
        );
    });

    it("gives an everyday stack's data warm no lead before a start it does not have", () => {
        const everyday = line(
            report(() => undefined),
            "data warm:",
        );
        assert.match(everyday, /then the cache, at each deploy \(no event, so none is scheduled\); cache warm about/);
        assert.doesNotMatch(everyday, /before the start/);
        assert.match(
            line(
                report((r) => (r.event = EVENT)),
                "data warm:",
            ),
            /then the cache, 30 min before the start \(/,
        );
    });

    it("shows the end and the scale-down at the end's offset when the event crosses a DST change", () => {
        const dst = report(
            (r) =>
                (r.event = {
                    ...EVENT,
                    start: "2027-03-13T12:00:00-05:00",
                    end: "2027-03-15T12:00:00-04:00",
                    cooldownMinutes: 60,
                }),
        );
        assert.match(dst, /event time \(-05:00, end -04:00\)/);
        assert.match(line(dst, "start"), /2027-03-13 12:00 -05:00/);
        assert.match(line(dst, "end"), /2027-03-15 12:00 -04:00/);
        assert.match(line(dst, "scale-down"), /2027-03-15 13:00 -04:00/);
        assert.match(line(dst, "ramp"), /-05:00/);
        assert.match(
            report((r) => (r.event = EVENT)),
            /event time \(\+00:00\)/,
        );
    });
});

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

describe("warmstack plan: the ECS table", () => {
    it("shows the capacity provider's target, the tasks, the service's ramp and the images", () => {
        const raw = validRaw();
        raw.event = EVENT;
        raw.compute = {
            ...raw.compute,
            platform: "ecs",
            ecs: {
                service: "web",
                tasksPerInstance: 2,
                targetCapacity: 90,
                images: ["123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:1", "redis:7"],
            },
        };
        const config = parseConfig(raw);
        const planned = plan(config, { now: NOW });
        const report = planReport(planned, config, "test", NOW);
        const row = (name: string) => new RegExp(`^${name} .*$`, "m").exec(report)?.[0].split(/ {2,}/);
        const { tasks, service } = planned.ecs!;
        assert.match(report, /^ECS$/m);
        assert.deepEqual(row("capacity provider"), [
            "capacity provider",
            "target 90 %",
            "managed scaling and termination protection on",
        ]);
        assert.deepEqual(row("tasks"), ["tasks", `${tasks.baseline} baseline, ${tasks.peak} peak`, "2 per instance"]);
        assert.deepEqual(row("task ramp"), [
            "task ramp",
            `web to ${tasks.peak} at ${service!.schedule[0].startTime}`,
            `back to ${tasks.baseline} at ${service!.schedule[1].startTime}`,
        ]);
        assert.deepEqual(row("images"), [
            "images",
            "2 pulled before the hook",
            "each within 60 s; 1 from ECR (logged in with the instance role)",
        ]);
    });

    it("prints no ECS table on ec2", () => {
        const bare = parseConfig({ ...validRaw(), event: EVENT });
        assert.doesNotMatch(planReport(plan(bare, { now: NOW }), bare, "test", NOW), /^ECS$/m);
    });
});
