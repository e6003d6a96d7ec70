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
import {
    BUILT_EVENT,
    BUILT_HIBERNATED_EVENT,
    editedConfig,
    NOW as STACK_NOW,
    plannedStack,
    stackConfig,
} from "../support/pulumi";
import { PRICES_AS_OF } from "../../model/prices";
import { planStack } from "../../model/stack-plan";

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
    // In beforeEach, not the describe body: per-test coverage (docs/mutation.md) sees only what runs in a test.
    let planned: ReadinessPlan;
    let report: string;
    beforeEach(() => {
        const config = parseConfig({ ...validRaw(), event: EVENT, functions: FUNCTIONS });
        planned = plan(config, { now: NOW });
        report = planReport(planned, config, "test", NOW);
    });

    it("shows N per alias, its baseline, the ramp's instant and its cost per hour and over the event", () => {
        const [checkout, search] = planned.functions.functions;
        assert.match(report, /Functions: provisioned concurrency 328 of 1,000 \(100 stay unreserved\)/);
        const [title, header, first] = paragraph(report, "Functions:").split("\n");
        assert.equal(title, "Functions: provisioned concurrency 328 of 1,000 (100 stay unreserved)");
        assert.deepEqual(header.split(/ {2,}/), ["alias", "N at peak", "baseline", "ramp", "per hour", "event"]);
        // The figures align right, under the end of their header; the ramp's instant aligns left.
        for (const label of ["N at peak", "baseline", "per hour", "event"])
            assert.match(first[header.indexOf(label) + label.length - 1], /\d/, `${label} in ${first}`);
        assert.equal(first.indexOf("at 20"), header.indexOf("ramp"));
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

/** A row of a report's table: its cells, split where two or more spaces stand between them (the table's gutter). */
const rowOf = (text: string, label: string): string[] => {
    const found = text.split("\n").find((l) => l.startsWith(`${label}  `) || l === label);
    assert.ok(found !== undefined, `no row "${label}" in\n${text}`);
    return found.split(/ {2,}/);
};

/** The report's paragraph (a table, or the lines under it) whose first line starts with `title`. */
const paragraph = (text: string, title: string): string => {
    const found = text.split("\n\n").find((p) => p.startsWith(title));
    assert.ok(found !== undefined, `no paragraph "${title}" in\n${text}`);
    return found;
};

/** An amount as a cell prints it: two decimals, thousands separated. */
const MONEY = /^\d{1,3}(,\d{3})*\.\d\d$/;
/** A printed amount against the plan's own figure: to the cent it was rounded to. */
function sameAmount(printed: string, usd: number | null, what: string) {
    if (usd === null) return assert.equal(printed, "unpriced", what);
    assert.match(printed, MONEY, what);
    assert.ok(Math.abs(figure(printed) - usd) <= 0.005 + 1e-9, `${what}: ${printed} for ${usd}`);
}

/** The stacks the program tests build: an everyday one, an event on Stopped and one on Hibernated. */
const STACKS = ["baseline", BUILT_EVENT, BUILT_HIBERNATED_EVENT];

describe("warmstack plan: the report's paragraphs", () => {
    let stacks: Array<{ stack: string; config: WarmstackConfig; plan: ReadinessPlan; report: string }>;
    beforeEach(() => {
        stacks = STACKS.map((stack) => {
            const { config, plan } = plannedStack(stack);
            return { stack, config, plan, report: planReport(plan, config, stack, STACK_NOW) };
        });
    });

    it("are the heading and warnings, timeline, capacity, data tier and cost, in that order, and a blank line ends the report", () => {
        for (const { stack, report, plan } of stacks) {
            const paragraphs = report.split("\n\n");
            assert.equal(paragraphs[0], `warmstack plan of ${stack}, as of 2026-12-01T12:00:00Z`);
            assert.deepEqual(
                paragraphs.slice(1, 5).map((p) => p.split("\n")[0].replace(/[ :(].*/, "")),
                ["Timeline", "Capacity", "Data", "Cost"],
                stack,
            );
            // Nothing after the cost table's last assumption but a blank line: no ECS, no Functions table.
            assert.equal(paragraphs.length, 6, stack);
            assert.ok(report.endsWith(`\n  - ${plan.cost.assumptions.at(-1)}\n\n`), stack);
        }
    });

    it("puts each of the plan's warnings under the heading, one line each", () => {
        const { config, plan } = plannedStack(BUILT_EVENT);
        const warned = { ...plan, warnings: ["first thing", "second thing"] };
        assert.equal(
            planReport(warned, config, "x", STACK_NOW).split("\n\n")[0],
            "warmstack plan of x, as of 2026-12-01T12:00:00Z\nwarning: first thing\nwarning: second thing",
        );
    });
});

describe("warmstack plan: the timeline", () => {
    let config: WarmstackConfig;
    let planned: ReadinessPlan;
    beforeEach(() => ({ config, plan: planned } = plannedStack(BUILT_EVENT)));

    it("says an everyday stack has nothing scheduled, in one line", () => {
        const { config, plan } = plannedStack("baseline");
        assert.equal(
            paragraph(planReport(plan, config, "b", STACK_NOW), "Timeline"),
            "Timeline: no event (warmstack:event), so nothing is scheduled",
        );
    });

    it("names the event and its phase, and gives each instant in UTC, at the event's offset and from the start", () => {
        const table = paragraph(planReport(planned, config, "x", STACK_NOW), "Timeline").split("\n");
        assert.equal(table[0], `Timeline (event blackfriday, upcoming)`);
        assert.deepEqual(table[1].split(/ {2,}/), ["", "UTC", "event time (+00:00)", "from start"]);
        assert.deepEqual(rowOf(table.join("\n"), "deploy by"), [
            "deploy by",
            "2027-11-26 03:15",
            "2027-11-26 03:15 +00:00",
            "-1 h 45 min",
        ]);
        assert.deepEqual(rowOf(table.join("\n"), "scale-down"), [
            "scale-down",
            "2027-11-30 06:00",
            "2027-11-30 06:00 +00:00",
            "+4 d 1 h",
        ]);
        // Every instant of the plan's timeline, each once, none marked past at a deploy a year ahead.
        for (const [name, at] of Object.entries(planned.timeline!)) {
            const label = name === "scaleDown" ? "scale-down" : name.replace(/[A-Z]/, (c) => ` ${c.toLowerCase()}`);
            const row = rowOf(table.join("\n"), label);
            assert.equal(row[1], `${at.slice(0, 10)} ${at.slice(11, 16)}`, label);
            assert.equal(row.length, 4, label);
        }
    });

    it('marks "past" every instant at or before the report\'s clock, and none after it', () => {
        // The report's clock exactly at the ramp: the deploy-by and the ramp are past, the data warm is not.
        const ramp = Date.parse(planned.timeline!.ramp);
        const table = paragraph(planReport(planned, config, "x", ramp), "Timeline");
        assert.equal(rowOf(table, "deploy by")[4], "past");
        assert.equal(rowOf(table, "ramp")[4], "past");
        for (const label of ["database warm", "cache warm", "start", "end", "scale-down"])
            assert.equal(rowOf(table, label).length, 4, label);
        const before = paragraph(planReport(planned, config, "x", ramp - 1000), "Timeline");
        assert.equal(rowOf(before, "deploy by")[4], "past");
        assert.equal(rowOf(before, "ramp").length, 4);
    });
});

describe("warmstack plan: the formatters at their edges", () => {
    let config: WarmstackConfig;
    let planned: ReadinessPlan;
    beforeEach(() => ({ config, plan: planned } = plannedStack(BUILT_EVENT)));

    /** The hot set's size as the data tier prints it, for a hot set of `bytes`. */
    const hotSet = (bytes: number) => {
        const p = { ...planned, cache: { ...planned.cache, hotSetBytes: bytes } };
        return /= (.+) in \d+ shard/.exec(line(planReport(p, config, "x", STACK_NOW), "hot set:"))?.[1];
    };

    it("steps bytes up a unit at exactly 1024, one decimal past bytes, no unit past TiB", () => {
        assert.equal(hotSet(0), "0 B");
        assert.equal(hotSet(1023), "1023 B");
        assert.equal(hotSet(1024), "1.0 KiB");
        assert.equal(hotSet(1536), "1.5 KiB");
        assert.equal(hotSet(1024 ** 2), "1.0 MiB");
        assert.equal(hotSet(1024 ** 2 * 660.4), "660.4 MiB");
        assert.equal(hotSet(1024 ** 3 * 2.5), "2.5 GiB");
        assert.equal(hotSet(1024 ** 4), "1.0 TiB");
        assert.equal(hotSet(1024 ** 5), "1024.0 TiB");
    });

    /** The instances row's note for these rates. */
    const rates = (baselineRps: number, peakRps: number, rpsPerInstance: number) => {
        const edited = { ...config, traffic: { ...config.traffic, baselineRps, peakRps, rpsPerInstance } };
        return rowOf(planReport(planned, edited, "x", STACK_NOW), "instances")[2];
    };

    it("prints a rate of one or more to two decimals with separators, one below one to three significant digits", () => {
        assert.equal(rates(1, 1234.5, 1.0625), "1 / 1,234.5 rps at 1.06 per instance, 25% headroom");
        assert.equal(rates(0.4, 0.12345, 0.999), "0.4 / 0.123 rps at 0.999 per instance, 25% headroom");
        assert.equal(rates(12_345.678, 18_000, 400), "12,345.68 / 18,000 rps at 400 per instance, 25% headroom");
    });

    it("prints an amount with two decimals and separators, and unpriced where the plan has none", () => {
        const { cost } = planned;
        const priced = (perHour: number | null, perDay: number | null, perMonth: number | null) => ({
            ...planned,
            cost: {
                ...cost,
                warmPool: {
                    ...cost.warmPool,
                    byState: { ...cost.warmPool.byState, Stopped: { perHour, perDay, perMonth } },
                },
            },
        });
        const stopped = (p: ReadinessPlan) => rowOf(planReport(p, config, "x", STACK_NOW), "this stack's warm pool");
        assert.deepEqual(stopped(priced(0.1, 1234.567, 0)).slice(2), ["Stopped *", "0.10", "1,234.57", "0.00"]);
        // An unpriced state sorts last: Hibernated, Running, then the Stopped it would have been.
        const unpriced = planReport(priced(null, null, null), config, "x", STACK_NOW);
        const rows = paragraph(unpriced, "Cost")
            .split("\n")
            .slice(2, 5)
            .map((r) => r.split(/ {2,}/).slice(-4));
        assert.deepEqual(
            rows.map((r) => r[0]),
            ["Hibernated", "Running", "Stopped *"],
        );
        assert.deepEqual(rows[2].slice(1), ["unpriced", "unpriced", "unpriced"]);
        for (const [i, state] of (["Hibernated", "Running"] as const).entries()) {
            const byState = cost.warmPool.byState[state];
            sameAmount(rows[i][1], byState.perHour, `${state} per hour`);
            sameAmount(rows[i][3], byState.perMonth, `${state} per month`);
        }
    });
});

describe("warmstack plan: the capacity table", () => {
    let stacks: Array<{ stack: string; config: WarmstackConfig; plan: ReadinessPlan; table: string }>;
    beforeEach(() => {
        stacks = STACKS.map((stack) => {
            const { config, plan } = plannedStack(stack);
            return { stack, config, plan, table: paragraph(planReport(plan, config, stack, STACK_NOW), "Capacity") };
        });
    });
    const capacity = (values: Record<string, string>, now = STACK_NOW, aws = {}) => {
        const { config, plan } = planStack(values, now, aws);
        return { plan, table: paragraph(planReport(plan, config, "x", now), "Capacity") };
    };

    it("gives each row's figures as the plan and config have them, for each built stack", () => {
        for (const { stack, config, plan, table } of stacks) {
            const { instances, group, warmPool } = plan;
            const ramp = instances.peak - instances.baseline;
            const [head, ...rows] = table.split("\n");
            assert.equal(head, "Capacity", stack);
            assert.deepEqual(
                rows.map((r) => r.split(/ {2,}/)[0]),
                [
                    "instances",
                    "auto scaling group",
                    "warm pool",
                    "instance memory",
                    "root volume",
                    "ramp",
                    "to peak, cold",
                    "to peak, from the pool",
                ],
                stack,
            );
            assert.equal(rowOf(table, "instances")[1], `${instances.baseline} baseline, ${instances.peak} peak`);
            assert.deepEqual(rowOf(table, "auto scaling group").slice(1), [
                `min ${group.minSize}, max ${group.maxSize}`,
                `desired ${group.desiredCapacity} as deployed now`,
            ]);
            const pool = rowOf(table, "warm pool");
            assert.equal(pool[1], `${warmPool.minSize} ${warmPool.state}`, stack);
            // Every built stack reuses its pool on scale-in (the ec2 default).
            assert.equal(warmPool.reuseOnScaleIn, true, stack);
            assert.equal(pool[2], `prepared capacity ${warmPool.maxGroupPreparedCapacity}, reused on scale-in`, stack);
            const { bootSeconds, warmupSeconds } = config.compute;
            const cold = rowOf(table, "to peak, cold");
            assert.equal(figure(cold[1].replace(/ s$/, "")), bootSeconds + warmupSeconds, stack);
            assert.equal(
                cold[2],
                `compute.bootSeconds ${bootSeconds} + warmupSeconds ${warmupSeconds}, for each of ${ramp} instances`,
            );
            const fromPool = rowOf(table, "to peak, from the pool");
            assert.equal(fromPool[1], `${warmupSeconds} s + resume`);
            const m = /^(\d+) of the (\d+) skip the boot \(leave the (\w+) pool, warm up\); (\d+) boot cold$/.exec(
                fromPool[2],
            );
            assert.ok(m, fromPool[2]);
            // Each built stack's pool is smaller than its ramp: the pool's instances skip the boot, the rest boot cold.
            assert.deepEqual(
                m.slice(1).map((x) => (/^\d+$/.test(x) ? Number(x) : x)),
                [warmPool.minSize, ramp, warmPool.state, ramp - warmPool.minSize],
                stack,
            );
        }
    });

    it("the everyday stack: 2 of its 5 skip the boot and 3 boot cold, and no ramp is scheduled", () => {
        const table = stacks[0].table;
        assert.deepEqual(rowOf(table, "to peak, from the pool"), [
            "to peak, from the pool",
            "60 s + resume",
            "2 of the 5 skip the boot (leave the Stopped pool, warm up); 3 boot cold",
        ]);
        assert.deepEqual(rowOf(table, "ramp"), ["ramp", "none scheduled"]);
        assert.deepEqual(rowOf(table, "warm pool"), [
            "warm pool",
            "2 Stopped",
            "prepared capacity 5, reused on scale-in",
        ]);
    });

    it("a pool as large as the ramp: every instance skips the boot, and none is said to boot cold", () => {
        const { plan, table } = capacity(
            editedConfig(BUILT_EVENT, { compute: (c) => ({ ...c, warmPool: { ...c.warmPool, fractionOfPeak: 1 } }) }),
        );
        const ramp = plan.instances.peak - plan.instances.baseline;
        assert.equal(plan.warmPool.minSize, ramp);
        assert.equal(
            rowOf(table, "to peak, from the pool")[2],
            `${ramp} of the ${ramp} skip the boot (leave the Stopped pool, warm up)`,
        );
    });

    it("a pool left off: its reason stands in the note, and scale-in reuse is said only when the plan reuses", () => {
        const off = capacity(
            editedConfig(BUILT_EVENT, {
                compute: (c) => ({ ...c, warmPool: { ...c.warmPool, fractionOfPeak: 0, reuseOnScaleIn: false } }),
            }),
        );
        assert.deepEqual(rowOf(off.table, "warm pool"), [
            "warm pool",
            "0 Stopped",
            "compute.warmPool.fractionOfPeak is 0",
        ]);
        assert.equal(
            rowOf(off.table, "to peak, from the pool")[2],
            "0 of the 53 skip the boot (leave the Stopped pool, warm up); 53 boot cold",
        );
        const noReuse = capacity(
            editedConfig(BUILT_EVENT, {
                compute: (c) => ({ ...c, warmPool: { ...c.warmPool, reuseOnScaleIn: false } }),
            }),
        );
        assert.equal(rowOf(noReuse.table, "warm pool")[2], "prepared capacity 33");
    });

    it("the ramp: to the peak at the ramp-up's instant and back at the ramp-down's; past the ramp, only the way back", () => {
        const event = stacks[1];
        const [up, down] = event.plan.schedule;
        assert.deepEqual(
            [up.desiredCapacity, down.desiredCapacity],
            [event.plan.instances.peak, event.plan.instances.baseline],
        );
        assert.deepEqual(rowOf(event.table, "ramp"), [
            "ramp",
            `to 57 at ${up.startTime}`,
            `back to 4 at ${down.startTime}`,
        ]);
        assert.equal(up.startTime, "2027-11-26T04:15:00Z");
        // Deployed between the ramp and the start: the group is at its peak already, and only the ramp-down is left.
        const during = capacity(stackConfig(BUILT_EVENT), Date.parse("2027-11-26T04:30:00Z"));
        assert.deepEqual(
            during.plan.schedule.map((s) => s.desiredCapacity),
            [4],
        );
        assert.deepEqual(rowOf(during.table, "ramp"), ["ramp", "none scheduled", "back to 4 at 2027-11-30T06:00:00Z"]);
        assert.deepEqual(rowOf(during.table, "auto scaling group").slice(1), [
            "min 57, max 57",
            "desired 57 as deployed now",
        ]);
    });

    it("the instance memory and root volume: where the memory came from, the image when AWS gave it, the RAM a Hibernated pool adds", () => {
        const [everyday, stopped, hibernated] = stacks;
        assert.deepEqual(rowOf(everyday.table, "instance memory"), [
            "instance memory",
            "4 GiB",
            `c7i.large: from the fallback table (model/prices.ts, ${PRICES_AS_OF}); the deploy reads it from AWS`,
        ]);
        assert.deepEqual(rowOf(stopped.table, "root volume"), ["root volume", "30 GiB", "compute.rootVolumeGb 30"]);
        assert.equal(hibernated.plan.rootVolume.gb, 34);
        assert.deepEqual(rowOf(hibernated.table, "root volume"), [
            "root volume",
            "34 GiB",
            "compute.rootVolumeGb 30, + the RAM a Hibernated pool writes there",
        ]);
        // At preview AWS gives the type's memory and the image's size: the volume is sized on both.
        const atPreview = capacity(stackConfig(BUILT_HIBERNATED_EVENT), STACK_NOW, {
            instance: { memoryMiB: 6144, hibernationSupported: true, imageGiB: 40 },
        });
        assert.equal(atPreview.plan.rootVolume.imageGiB, 40);
        assert.deepEqual(rowOf(atPreview.table, "instance memory"), [
            "instance memory",
            "6 GiB",
            "c7i.large: from AWS (aws.ec2.getInstanceType)",
        ]);
        assert.deepEqual(rowOf(atPreview.table, "root volume"), [
            "root volume",
            `${atPreview.plan.rootVolume.gb} GiB`,
            "compute.rootVolumeGb 30, the image 40, + the RAM a Hibernated pool writes there",
        ]);
        assert.ok(atPreview.plan.rootVolume.gb >= 40 + 6, String(atPreview.plan.rootVolume.gb));
        // A type the table lacks, offline: the memory is unknown, and the row says how to give it.
        const unknown = capacity(
            editedConfig(BUILT_HIBERNATED_EVENT, { compute: (c) => ({ ...c, instanceType: "m7i.large" }) }),
        );
        assert.equal(unknown.plan.rootVolume.memoryGiB, undefined);
        assert.deepEqual(rowOf(unknown.table, "instance memory"), [
            "instance memory",
            "unknown",
            "m7i.large: unknown offline (set warmstack:cost.instanceMemoryGiB); the deploy reads it from AWS",
        ]);
        const fractional = capacity(editedConfig(BUILT_EVENT, { cost: (c) => ({ ...c, instanceMemoryGiB: 1.5 }) }));
        assert.deepEqual(rowOf(fractional.table, "instance memory").slice(1), [
            "1.5 GiB",
            "c7i.xlarge: from warmstack:cost.instanceMemoryGiB",
        ]);
    });
});

describe("warmstack plan: the data tier", () => {
    let config: WarmstackConfig;
    let planned: ReadinessPlan;
    let tier: string;
    beforeEach(() => {
        ({ config, plan: planned } = plannedStack(BUILT_EVENT));
        tier = paragraph(planReport(planned, config, "x", STACK_NOW), "Data tier");
    });
    const tierOf = (values: Record<string, string>, now = STACK_NOW) => {
        const { config, plan } = planStack(values, now);
        return { plan, tier: paragraph(planReport(plan, config, "x", now), "Data tier") };
    };

    it("titles the table with the replicas, the read load and the connections per endpoint, as the config has them", () => {
        const { database } = planned;
        assert.equal(database.replicas, 4);
        assert.equal(
            tier.split("\n")[0],
            "Data tier: 4 replica(s) (readQps 60,000 at 15,000 each), maxConnections 2,000 per endpoint",
        );
        assert.deepEqual([config.database.readQps, database.maxConnections], [60_000, 2000]);
        assert.deepEqual(tier.split("\n")[1].split(/ {2,}/), [
            "endpoint",
            "pool per instance",
            "at peak (57 instances)",
            "budget",
            "share",
        ]);
    });

    it("aligns every figure right, under the end of its header", () => {
        const [, header, ...rows] = tier.split("\n");
        for (const row of rows.slice(0, 2))
            for (const label of ["pool per instance", "at peak (57 instances)", "budget", "share"]) {
                const end = header.indexOf(label) + label.length;
                assert.match(row[end - 1], /[\d%]/, `${label} in ${row}`);
                assert.ok(end === row.length || row[end] === " ", `${label} in ${row}`);
            }
    });

    it("sizes the hot set and the shards in binary units, and says the cluster mode", () => {
        const { cache } = planned;
        assert.deepEqual([cache.prewarmKeys, cache.bytesPerKey, cache.shards, cache.nodes], [500_000, 1385, 1, 3]);
        assert.equal(
            line(tier, "hot set:"),
            "hot set: 500,000 keys × 1,385 B = 660.4 MiB in 1 shard(s) of 15.8 GiB usable (3 nodes, 2 replica(s) per shard, cluster mode off)",
        );
        assert.ok(Math.abs(cache.hotSetBytes / 1024 ** 2 - 660.4) < 0.05);
        assert.ok(Math.abs(cache.usableBytesPerShard / 1024 ** 3 - 15.8) < 0.05);
    });

    it("a hot set past one run: its partitions, how many at once and why, and the fan-out's estimate", () => {
        const big = tierOf(
            editedConfig(BUILT_EVENT, {
                cache: (c) => ({ ...c, prewarm: { ...c.prewarm, topKeys: 50_000_000, avgEntryBytes: 600 } }),
            }),
        );
        const { dataPrewarm, cache } = big.plan;
        assert.ok(dataPrewarm.fanOut);
        assert.deepEqual(
            [dataPrewarm.partitions, dataPrewarm.fanOut.maxConcurrency, dataPrewarm.fanOut.waves, cache.clusterMode],
            [6, 3, 2, true],
        );
        assert.match(
            line(big.tier, "hot set:"),
            /^hot set: 50,000,000 keys × .* B = [\d.]+ GiB in 3 shard\(s\) of .*cluster mode on\)$/,
        );
        assert.match(
            line(big.tier, "data warm:"),
            /; cache warm about 2530 s at 20,000 keys\/s as one run, so 6 partitions of at most 8,333,334 keys \(about 447 s each\), 3 at once \(bounded by 3 shard\(s\) and 660 connection\(s\) left per replica at the warm\): 2 round\(s\), about 894 s$/,
        );
        assert.deepEqual(
            [dataPrewarm.estimatedSeconds, dataPrewarm.keysPerPartition, dataPrewarm.partitionSeconds],
            [2530, 8_333_334, 447],
        );
        assert.deepEqual(
            [dataPrewarm.fanOut.bounds, dataPrewarm.fanOut.estimatedSeconds],
            [{ shards: 3, connectionsLeft: 660 }, 894],
        );
    });

    it("the data warm: the relations, the lead before the start and its instant, then the cache warm's estimate", () => {
        const { dataPrewarm } = planned;
        assert.equal(
            line(tier, "data warm:"),
            "data warm: replica buffers (catalog.products, catalog.products_pkey) then the cache, 30 min before the start " +
                `(${dataPrewarm.scheduleAt}); cache warm about ${dataPrewarm.estimatedSeconds} s at 20,000 keys/s`,
        );
        assert.equal(dataPrewarm.scheduleAt, "2027-11-26T04:30:00Z");
        assert.equal(dataPrewarm.fanOut, undefined);
        const none = tierOf(editedConfig(BUILT_EVENT, { database: (d) => ({ ...d, prewarm: { relations: [] } }) }));
        assert.match(line(none.tier, "data warm:"), /^data warm: replica buffers \(none configured\) then the cache, /);
        // Deployed past the data warm's instant: none is scheduled, and the line gives the lead alone.
        const late = tierOf(stackConfig(BUILT_EVENT), Date.parse("2027-11-26T04:40:00Z"));
        assert.equal(late.plan.dataPrewarm.scheduleAt, undefined);
        assert.match(line(late.tier, "data warm:"), /then the cache, 30 min before the start; cache warm about /);
    });
});

describe("warmstack plan: the cost table", () => {
    let stacks: Array<{ stack: string; plan: ReadinessPlan; cost: string }>;
    beforeEach(() => {
        stacks = STACKS.map((stack) => {
            const { config, plan } = plannedStack(stack);
            return { stack, plan, cost: paragraph(planReport(plan, config, stack, STACK_NOW), "Cost") };
        });
    });
    const costOf = (values: Record<string, string>) => {
        const { config, plan } = planStack(values, STACK_NOW);
        return { plan, cost: paragraph(planReport(plan, config, "x", STACK_NOW), "Cost") };
    };
    /** Types the price table lacks: the instance and the replicas cannot be priced offline. */
    const unpricedTypes = () =>
        costOf(
            editedConfig(BUILT_EVENT, {
                compute: (c) => ({ ...c, instanceType: "m7i.large" }),
                database: (d) => ({ ...d, instanceClass: "db.r7g.xlarge" }),
            }),
        );

    it("lists each pool's states cheapest first, its label and size once, the * on the state this stack uses", () => {
        for (const { stack, plan, cost } of stacks) {
            const [title, header, ...rest] = cost.split("\n");
            assert.equal(title, "Cost (USD; * the state this stack uses)");
            assert.deepEqual(header.split(/ {2,}/), [
                "idle warm pool",
                "size",
                "state",
                "per hour",
                "per day",
                "per month",
            ]);
            const rows = rest.slice(0, 6).map((r) => r.split(/ {2,}/));
            const pools = [
                { label: "this stack's warm pool", ...plan.cost.warmPool, used: plan.cost.warmPool.state },
                { label: "always warm, 24/7", ...plan.cost.alwaysWarm, used: undefined },
            ];
            pools.forEach(({ label, size, byState, used }, p) => {
                const mine = rows.slice(3 * p, 3 * p + 3);
                assert.deepEqual(mine[0].slice(0, 2), [label, String(size)], stack);
                // The label and the size stand on the first row only: the others start in the state column.
                for (const r of mine.slice(1)) {
                    assert.equal(r[0], "", `${stack}: ${r.join("|")}`);
                    assert.equal(r.length, 5, `${stack}: ${r.join("|")}`);
                }
                const states = mine.map((r) => r.at(-4)!);
                // Priced from the table, every state has a price: Stopped, then Hibernated, then Running.
                assert.deepEqual(
                    states.map((s) => s.replace(" *", "")),
                    ["Stopped", "Hibernated", "Running"],
                    stack,
                );
                assert.deepEqual(
                    states.filter((s) => s.endsWith(" *")),
                    used ? [`${used} *`] : [],
                    stack,
                );
                for (const r of mine) {
                    const state = r.at(-4)!.replace(" *", "") as keyof typeof byState;
                    const [perHour, perDay, perMonth] = r.slice(-3);
                    sameAmount(perHour, byState[state].perHour, `${stack} ${label} ${state} per hour`);
                    sameAmount(perDay, byState[state].perDay, `${stack} ${label} ${state} per day`);
                    sameAmount(perMonth, byState[state].perMonth, `${stack} ${label} ${state} per month`);
                }
            });
        }
    });

    it("aligns the size and the amounts right", () => {
        const [, header, first] = stacks[1].cost.split("\n");
        for (const label of ["size", "per hour", "per day", "per month"]) {
            const end = header.indexOf(label) + label.length;
            assert.match(first[end - 1], /\d/, `${label} in ${first}`);
        }
        assert.equal(first.indexOf("Stopped *"), header.indexOf("state"));
    });

    it("the everyday stack's figures, word for word: a day's readiness, an unpriced cold spike, the prices and assumptions", () => {
        const { plan, cost } = stacks[0];
        const lines = cost.split("\n");
        assert.deepEqual(rowOf(cost, "this stack's warm pool"), [
            "this stack's warm pool",
            "2",
            "Stopped *",
            "0.01",
            "0.16",
            "4.80",
        ]);
        assert.equal(plan.cost.event, undefined);
        assert.ok(!lines.some((l) => l.startsWith("event extra")));
        assert.equal(
            line(cost, "cold spike:"),
            "cold spike: 20 missing instance-minutes = 2.50 min of full outage (set warmstack:cost.revenuePerMinute to price it)",
        );
        assert.equal(line(cost, "readiness:"), "readiness: 0.16 for the warm pool (2 Stopped) for one day");
        assert.ok(!lines.some((l) => l.startsWith("break-even")));
        assert.equal(
            line(cost, "prices:"),
            "prices: instanceHourly 0.08925, instanceMemoryGiB 4, ebsGbMonth 0.08, replicaHourly 0.225, cacheNodeHourly 0.219",
        );
        assert.deepEqual(
            Object.entries(plan.cost.prices).map(([k, p]) => [k, p.value]),
            [
                ["instanceHourly", 0.08925],
                ["instanceMemoryGiB", 4],
                ["ebsGbMonth", 0.08],
                ["replicaHourly", 0.225],
                ["cacheNodeHourly", 0.219],
            ],
        );
        const at = lines.indexOf("assumptions:");
        assert.ok(at > 0);
        assert.deepEqual(
            lines.slice(at + 1),
            plan.cost.assumptions.map((a) => `  - ${a}`),
        );
        assert.equal(plan.cost.assumptions.length, 4);
    });

    it("the event's extra: its hours, the ramp instances, replicas and cache nodes, and their sum, as the plan prices them", () => {
        const { plan, cost } = stacks[1];
        const e = plan.cost.event!;
        const m =
            /^event extra, ([\d.]+) h from ramp to scale-down: (\d+) ramp instances ([\d,.]+) \+ (\d+) replicas ([\d,.]+) \+ (\d+) cache nodes ([\d,.]+) = ([\d,.]+)$/.exec(
                line(cost, "event extra,"),
            );
        assert.ok(m, line(cost, "event extra,"));
        assert.deepEqual([m[1], m[2], m[4], m[6]].map(Number), [
            e.hours,
            e.rampInstances,
            plan.database.replicas,
            plan.cache.nodes,
        ]);
        assert.deepEqual([e.hours, e.rampInstances, plan.database.replicas, plan.cache.nodes], [97.75, 53, 4, 3]);
        sameAmount(m[3], e.instances, "instances");
        sameAmount(m[5], e.replicas, "replicas");
        sameAmount(m[7], e.cacheNodes, "cache nodes");
        sameAmount(m[8], e.total, "total");
        assert.equal(
            line(cost, "readiness:"),
            "readiness: 16.64 for the warm pool (29 Stopped) from the deploy-by instant to the scale-down, and 53 ramped instances running 45 min before the start",
        );
        sameAmount("16.64", plan.cost.readiness.cost, "readiness");
    });

    it("a price the stack lacks: the line that names its key, and each amount it leaves unpriced names the keys that would price it", () => {
        const { plan, cost } = unpricedTypes();
        const keys = plan.cost.unpriced.map((u) => u.key);
        assert.deepEqual(keys, [
            "warmstack:cost.instanceHourly",
            "warmstack:cost.instanceMemoryGiB",
            "warmstack:cost.replicaHourly",
        ]);
        for (const u of plan.cost.unpriced)
            assert.ok(cost.split("\n").includes(`cannot price ${u.what} (set ${u.key})`), u.key);
        assert.ok(
            cost
                .split("\n")
                .includes(
                    'cannot price database.instanceClass "db.r7g.xlarge" replicas (their hourly price, USD) (set warmstack:cost.replicaHourly)',
                ),
        );
        const extra = line(cost, "event extra,");
        assert.match(
            extra,
            /^event extra, 97\.75 h from ramp to scale-down: 53 ramp instances cannot price \(set warmstack:cost\.instanceHourly\) \+ 4 replicas cannot price \(set warmstack:cost\.replicaHourly\) \+ 3 cache nodes [\d.]+ = cannot price \(set warmstack:cost\.instanceHourly, warmstack:cost\.replicaHourly\)$/,
        );
        assert.match(
            line(cost, "readiness:"),
            /^readiness: cannot price \(set warmstack:cost\.instanceHourly\) for the warm pool/,
        );
        // The Stopped pool needs EBS alone: priced. Running needs the instance and Hibernated its memory: unpriced,
        // and after every priced state.
        const states = cost
            .split("\n")
            .slice(2, 5)
            .map((r) => r.split(/ {2,}/).slice(-4));
        assert.deepEqual(
            states.map((r) => r.join("|")),
            [
                `Stopped *|${states[0].slice(1).join("|")}`,
                "Running|unpriced|unpriced|unpriced",
                "Hibernated|unpriced|unpriced|unpriced",
            ],
        );
        states[0].slice(1).forEach((cell, i) => assert.match(cell, MONEY, `Stopped, column ${i}`));
        assert.match(line(cost, "prices:"), /^prices: instanceHourly unpriced, /);
        assert.equal(plan.cost.prices.instanceHourly.value, null);
    });

    it("a cache node type the table lacks: the cache nodes and the event's total name its key alone", () => {
        const { plan, cost } = costOf(
            editedConfig(BUILT_EVENT, { cache: (c) => ({ ...c, nodeType: "cache.m7g.large" }) }),
        );
        assert.deepEqual(
            plan.cost.unpriced.map((u) => u.key),
            ["warmstack:cost.cacheNodeHourly"],
        );
        assert.match(
            line(cost, "event extra,"),
            /^event extra, 97\.75 h from ramp to scale-down: 53 ramp instances [\d,.]+ \+ 4 replicas [\d,.]+ \+ 3 cache nodes cannot price \(set warmstack:cost\.cacheNodeHourly\) = cannot price \(set warmstack:cost\.cacheNodeHourly\)$/,
        );
        // The idle pool needs no cache node: readiness is priced.
        assert.match(line(cost, "readiness:"), /^readiness: [\d,]+\.\d\d for the warm pool/);
    });

    it("with revenuePerMinute: the cold spike priced, and the break-even against readiness", () => {
        const { plan, cost } = costOf(editedConfig(BUILT_EVENT, { cost: (c) => ({ ...c, revenuePerMinute: 1250.5 }) }));
        const { coldSpike, breakEvenOutageMinutes, revenuePerMinute } = plan.cost;
        assert.equal(revenuePerMinute, 1250.5);
        const m =
            /^cold spike: (\d+) missing instance-minutes = ([\d.]+) min of full outage × ([\d,.]+) per minute = ([\d,.]+) at risk$/.exec(
                line(cost, "cold spike:"),
            );
        assert.ok(m, line(cost, "cold spike:"));
        assert.equal(Number(m[1]), coldSpike.missingInstanceMinutes);
        assert.ok(Math.abs(Number(m[2]) - coldSpike.outageMinutes) <= 0.005);
        assert.equal(m[3], "1,250.50");
        sameAmount(m[4], coldSpike.cost!, "at risk");
        assert.ok(breakEvenOutageMinutes !== undefined && breakEvenOutageMinutes > 0);
        const be = /^break-even: readiness costs as much as ([\d.]+) min of full outage$/.exec(
            line(cost, "break-even:"),
        );
        assert.ok(be, cost);
        assert.match(be[1], /^\d+\.\d\d$/);
        assert.ok(Math.abs(Number(be[1]) - breakEvenOutageMinutes) <= 0.005);
        // In the order a person reads them: the spike, readiness, then what it breaks even with.
        const order = ["cold spike:", "readiness:", "break-even:", "prices:", "assumptions:"].map((l) =>
            cost.split("\n").findIndex((x) => x.startsWith(l)),
        );
        assert.deepEqual(
            [...order].sort((a, b) => a - b),
            order,
        );
    });
});

describe("warmstack plan: the Functions table's ramp column", () => {
    const functionsRow = (raw: Record<string, any>, now: number, alias: string) => {
        const config = parseConfig(raw);
        const planned = plan(config, { now });
        return { planned, row: rowOf(paragraph(planReport(planned, config, "x", now), "Functions:"), alias) };
    };

    it("no event: no ramp is scheduled, and the baseline is what the alias holds", () => {
        const { planned, row } = functionsRow({ ...validRaw(), functions: FUNCTIONS }, NOW, "search:7");
        const search = planned.functions.functions[1];
        assert.deepEqual([search.provisioned, search.baseline, search.capacity.minCapacity], [125, 10, 10]);
        assert.deepEqual(search.schedule, []);
        assert.deepEqual(row, ["search:7", "125", "10", "none scheduled", "unpriced"]);
    });

    it("a baseline as high as N: held from this deploy on, and so no ramp to schedule, not 'at peak'", () => {
        const flat = [{ ...FUNCTIONS[0], baseline: 203 }];
        const { planned, row } = functionsRow({ ...validRaw(), event: EVENT, functions: flat }, NOW, "checkout:live");
        const checkout = planned.functions.functions[0];
        assert.deepEqual(
            [checkout.provisioned, checkout.capacity.minCapacity, checkout.schedule.length],
            [203, 203, 0],
        );
        assert.deepEqual(row.slice(0, 4), ["checkout:live", "203", "203", "none scheduled"]);
    });

    it("deployed inside the event's window: at peak from this deploy, with no ramp left to fire", () => {
        const { planned, row } = functionsRow(
            { ...validRaw(), event: EVENT, functions: FUNCTIONS },
            Date.parse("2027-11-26T06:00:00Z"),
            "checkout:live",
        );
        const checkout = planned.functions.functions[0];
        assert.equal(checkout.capacity.minCapacity, checkout.provisioned);
        assert.deepEqual(row.slice(0, 4), ["checkout:live", "203", "0", "at peak from this deploy"]);
    });
});

describe("warmstack plan: the ECS table without a service, images or a ramp to come", () => {
    const ecsReport = (ecs: Record<string, any>, event: object | undefined, now = NOW) => {
        const raw = validRaw();
        if (event) raw.event = event;
        raw.compute = { ...raw.compute, platform: "ecs", ecs };
        const config = parseConfig(raw);
        const planned = plan(config, { now });
        return { planned, report: planReport(planned, config, "x", now) };
    };

    it("stands between the capacity and the data tier", () => {
        const { report } = ecsReport({ service: "web" }, EVENT);
        assert.deepEqual(
            report.split("\n\n").map((p) => p.split("\n")[0].replace(/[ :(].*/, "")),
            ["warmstack", "Timeline", "Capacity", "ECS", "Data", "Cost", ""],
        );
    });

    it("no service: no task ramp, and no pull note without images", () => {
        const { report } = ecsReport({}, EVENT);
        const table = paragraph(report, "ECS");
        assert.deepEqual(rowOf(table, "task ramp"), ["task ramp", "none (no compute.ecs.service)"]);
        assert.deepEqual(rowOf(table, "images"), ["images", "0 pulled before the hook"]);
    });

    it("a service past its ramp: the tasks as deployed now, and the way back; without an event, the tasks alone", () => {
        const during = ecsReport({ service: "web", tasksPerInstance: 2 }, EVENT, Date.parse("2027-11-26T06:00:00Z"));
        const { service, tasks } = during.planned.ecs!;
        assert.deepEqual(
            service!.schedule.map((s) => s.name),
            ["sale-ramp-down"],
        );
        assert.deepEqual(rowOf(paragraph(during.report, "ECS"), "task ramp"), [
            "task ramp",
            `web: ${tasks.peak} as deployed now`,
            `back to ${tasks.baseline} at ${service!.schedule[0].startTime}`,
        ]);
        assert.equal(service!.capacity.minCapacity, tasks.peak);
        const everyday = ecsReport({ service: "web", tasksPerInstance: 2 }, undefined);
        const t = everyday.planned.ecs!.tasks;
        assert.deepEqual(rowOf(paragraph(everyday.report, "ECS"), "task ramp"), [
            "task ramp",
            `web: ${t.baseline} as deployed now`,
        ]);
    });
});
