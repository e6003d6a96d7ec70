// `warmstack plan`'s report, laid out from a plan computed here (no process spawned): the lines a person reads
// say what the plan holds — seconds under a minute, rates below one, no lead without an event, each instant on
// the clock of the end or start it comes from.
import assert from "node:assert/strict";
import { plan } from "../../model/plan";
import { fromStart, planReport } from "../../warmers/cli/plan-report";
import { configWith, EVENT, NOW } from "../model/fixtures";

const report = (patch: (raw: Record<string, any>) => void) => {
    const config = configWith(patch);
    return planReport(plan(config, { now: NOW }), config, "a test stack", NOW);
};
/** The first line that starts with `label` and a space: a row of a table, or a line of the report. */
const line = (text: string, label: string) => text.split("\n").find((l) => l.startsWith(`${label} `)) ?? "";

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
