// Shed arrivals are shown, never left out: they count against the hit ratio, are reported per second and in
// total, and the chart draws them on top of the database load (the cold run of a default drill sheds hundreds in
// its first second, while its connections open).
import assert from "node:assert/strict";
import { chartSvg } from "../../warmers/drill/chart";
import { RunRecorder, type Outcome, type RunSummary } from "../../warmers/drill/metrics";
import { resolveDrillOptions } from "../../warmers/drill/options";
import { headline, markdown, type DrillResult } from "../../warmers/drill/report";

/** A 2-second run at 10 requests per second: the outcomes of each arrival, in order. */
function run(outcomes: Outcome[]): RunSummary {
    const recorder = new RunRecorder(outcomes.length, 10);
    outcomes.forEach((outcome, i) => recorder.record(i, outcome, 1));
    return { ...recorder.summarize(), loopLagP99Ms: 0 };
}

const repeat = (outcome: Outcome, n: number): Outcome[] => Array<Outcome>(n).fill(outcome);

// Cold: its first second serves 4 (1 hit, 3 misses) and sheds 6; its second serves all 10 (5 hits).
const cold = run([
    ...repeat("hit", 1),
    ...repeat("miss", 3),
    ...repeat("shed", 6),
    ...repeat("hit", 5),
    ...repeat("miss", 5),
]);
const warm = run([...repeat("hit", 9), "miss", ...repeat("hit", 10)]);
const warmReport = {
    rowsRead: 2,
    keysWritten: 2,
    durationMs: 10,
    keysPerSecond: 200,
    warmth: 1,
    verified: { sampled: 2, present: 2 },
};
const result: DrillResult = {
    options: resolveDrillOptions({ rows: 20, rps: 10, seconds: 2, warmKeys: 2 }),
    runs: { cold, early: cold, timed: warm },
    warms: { early: warmReport, timed: warmReport },
    timing: { jitter: 0.1, earlyWaitMs: 5400, liveSampled: 2, live: { early: 0, timed: 2 } },
    mass: 0.5,
    firstRequest: { coldPoolMs: 5, warmPoolMs: 1 },
};

describe("drill: shed arrivals in the report and the chart", () => {
    it("counts a shed arrival against the hit ratio: the cache did not answer it", () => {
        assert.equal(cold.perSecond[0].hitRatio, 1 / 10);
        assert.equal(cold.perSecond[0].shed, 6);
        assert.equal(cold.perSecond[1].hitRatio, 5 / 10);
    });

    it("reports shed arrivals per run, in the first second and over the spike, even when none were shed", () => {
        const lines = headline(result);
        const row = (label: string) => lines.find((line) => line.startsWith(label))?.split(/\s{2,}/);
        assert.deepEqual(row("shed, first second"), ["shed, first second", "6", "6", "0"]);
        assert.deepEqual(row("shed, whole spike"), ["shed, whole spike", "6", "6", "0"]);
        assert.deepEqual(row("hit ratio, first second"), ["hit ratio, first second", "10.0%", "10.0%", "90.0%"]);
        assert.deepEqual(row("database queries, first second"), ["database queries, first second", "3", "3", "1"]);
    });

    it("says how much database load the cold run shed when it counts the queries saved", () => {
        const saved = headline(result).find((line) => line.startsWith("database queries saved"));
        assert.match(saved ?? "", /of the cold run's 8; the cold run also shed 6, each up to one more$/);
        const noShed = headline({ ...result, runs: { cold: warm, early: warm, timed: warm } });
        assert.ok(!noShed.some((line) => line.includes("also shed")));
    });

    it("gives every second's shed count per run in the report's table", () => {
        const table = markdown(result).split("\n");
        assert.ok(table.some((line) => line.includes("| shed cold | shed early warm | shed event-timed warm |")));
        const first = table.find((line) => line.startsWith("| 1 |"))?.split(" | ");
        // second, 3 hit ratios, 3 DB query counts, then the 3 shed counts.
        assert.deepEqual(first?.slice(7, 10), ["6", "6", "0"]);
    });

    it("draws the database load with the shed arrivals added, dashed, for the runs that shed", async () => {
        const svg = await chartSvg(result.runs, result.mass);
        for (const label of ["database queries", "queries + shed arrivals", "cold", "early warm", "event-timed warm"])
            assert.ok(svg.includes(`>${label}<`), `chart lacks "${label}"`);
        assert.match(svg, /stroke-dasharray="3,2"/);
        const noShed = await chartSvg({ cold: warm, early: warm, timed: warm }, result.mass);
        assert.doesNotMatch(noShed, /stroke-dasharray="3,2"/, "no dashed line where nothing was shed");
        assert.ok(!noShed.includes(">queries + shed arrivals<"), "nor a legend entry for it");
    });
});
