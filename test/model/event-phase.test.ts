// The plan at any moment of an event's life: what is deployed and scheduled depends on `now`, and nothing is
// ever scheduled in the past (AWS rejects it at apply).
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError } from "../../model/config";
import { plan } from "../../model/plan";
import { orderedTimeline } from "../../model/timeline";
import { arbConfig, attempt, configWith, EVENT, NOW, runs } from "./fixtures";

// EVENT: start 2027-11-26T05:00Z, ramp lead 45 min, data warm lead 30 min (the default), cooldown 60 min.
const at = (iso: string) => Date.parse(iso);
const eventConfig = () => configWith((r) => (r.event = EVENT));
const rampDown = {
    name: "sale-ramp-down",
    startTime: "2027-11-27T06:00:00Z",
    minSize: 2,
    maxSize: 13,
    desiredCapacity: 2,
};
const atPeak = { minSize: 13, maxSize: 13, desiredCapacity: 13 };

describe("plan over an event's life", () => {
    it("a deploy well before the event: both ramps, the data warm scheduled, the whole timeline, no warning", () => {
        const p = plan(eventConfig(), { now: NOW });
        assert.equal(p.event?.phase, "upcoming");
        assert.deepEqual(p.timeline, {
            deployBy: "2027-11-26T03:15:00Z",
            databaseWarm: "2027-11-26T04:30:00Z",
            cacheWarm: "2027-11-26T04:30:00Z",
            ramp: "2027-11-26T04:15:00Z",
            start: "2027-11-26T05:00:00Z",
            end: "2027-11-27T05:00:00Z",
            scaleDown: "2027-11-27T06:00:00Z",
        });
        assert.deepEqual(
            orderedTimeline(p.timeline!).map((row) => row.name),
            ["deployBy", "ramp", "databaseWarm", "cacheWarm", "start", "end", "scaleDown"],
        );
        assert.deepEqual(p.group, { minSize: 2, maxSize: 13, desiredCapacity: 2 });
        assert.deepEqual(
            p.schedule.map((s) => s.name),
            ["sale-ramp-up", "sale-ramp-down"],
        );
        assert.equal(p.dataPrewarm.scheduleAt, "2027-11-26T04:30:00Z");
        assert.deepEqual(p.warnings, []);
    });

    it("after the deploy-by instant: still scheduled, with a warning that the deploy may finish too late", () => {
        const p = plan(eventConfig(), { now: at("2027-11-26T03:30:00Z") });
        assert.equal(p.schedule.length, 2);
        assert.equal(p.dataPrewarm.scheduleAt, "2027-11-26T04:30:00Z");
        assert.equal(p.warnings.length, 1);
        assert.match(
            p.warnings[0],
            /^deploy by 2027-11-26T03:15:00Z: .*next scheduled instant \(2027-11-26T04:15:00Z\)/,
        );
    });

    it("after the ramp instant, before the start: peak capacity at once and only the ramp-down", () => {
        const p = plan(eventConfig(), { now: at("2027-11-26T04:20:00Z") });
        assert.equal(p.event?.phase, "upcoming");
        assert.deepEqual(p.group, atPeak);
        assert.deepEqual(p.schedule, [rampDown]);
        assert.equal(p.dataPrewarm.scheduleAt, "2027-11-26T04:30:00Z", "the data warm is still ahead");
        assert.equal(p.warnings.length, 2);
        assert.match(
            p.warnings[0],
            /event sale starts at 2027-11-26T05:00:00Z and its ramp \(2027-11-26T04:15:00Z\) has passed: the group runs at its peak of 13 instances/,
        );
        // The passed ramp is not named as the deadline: the data warm still ahead is.
        assert.match(
            p.warnings[1],
            /^deploy by .*: a deploy now may still be running at the next scheduled instant \(2027-11-26T04:30:00Z\)/,
        );
    });

    it("after the data warm instant: no data schedule, and the deploy's own warm stands in for it", () => {
        const p = plan(eventConfig(), { now: at("2027-11-26T04:40:00Z") });
        assert.equal(p.dataPrewarm.scheduleAt, undefined);
        assert.match(
            p.warnings.join("\n"),
            /the scheduled data warm \(2027-11-26T04:30:00Z\) has passed: none is scheduled/,
        );
    });

    it("a deploy during the event (an emergency fix at the peak): event capacity directly, only the future ramp-down", () => {
        const p = plan(eventConfig(), { now: at("2027-11-26T12:00:00Z") });
        assert.equal(p.event?.phase, "started");
        assert.deepEqual(p.group, atPeak);
        assert.deepEqual(p.schedule, [rampDown]);
        assert.equal(p.dataPrewarm.scheduleAt, undefined);
        assert.match(
            p.warnings.join("\n"),
            /event sale started at 2027-11-26T05:00:00Z and runs until 2027-11-27T05:00:00Z: the group runs at its peak of 13 instances from this deploy on, and only the ramp-down at 2027-11-27T06:00:00Z is scheduled/,
        );
    });

    it("during the cooldown: ended, but the peak holds until the scheduled scale-down", () => {
        const p = plan(eventConfig(), { now: at("2027-11-27T05:30:00Z") });
        assert.equal(p.event?.phase, "ended");
        assert.deepEqual(p.group, atPeak);
        assert.deepEqual(p.schedule, [rampDown]);
        assert.deepEqual(p.warnings, [
            "event sale ended at 2027-11-27T05:00:00Z; its cooldown runs until 2027-11-27T06:00:00Z: the group runs at its peak of 13 instances from this deploy on, and only the ramp-down at 2027-11-27T06:00:00Z is scheduled",
        ]);
    });

    it("after the scale-down: ended, nothing scheduled, the baseline", () => {
        const p = plan(eventConfig(), { now: at("2027-11-27T06:00:00Z") });
        assert.equal(p.event?.phase, "ended");
        assert.deepEqual(p.group, { minSize: 2, maxSize: 13, desiredCapacity: 2 });
        assert.deepEqual(p.schedule, []);
        assert.equal(p.dataPrewarm.scheduleAt, undefined);
        assert.deepEqual(p.warnings, [
            "event sale ended at 2027-11-27T05:00:00Z (scale-down 2027-11-27T06:00:00Z): nothing is scheduled and the group runs at its baseline of 2 instances",
        ]);
    });

    it("a flat event (peak = baseline): no ramp, no warm pool, and the plan says why", () => {
        const p = plan(
            configWith((r) => {
                r.event = EVENT;
                r.traffic.peakRps = r.traffic.baselineRps;
            }),
            { now: NOW },
        );
        assert.deepEqual(p.instances, { baseline: 2, peak: 2 });
        assert.deepEqual(p.group, { minSize: 2, maxSize: 2, desiredCapacity: 2 });
        assert.deepEqual(p.schedule, []);
        assert.equal(p.warmPool.minSize, 0);
        assert.equal(p.warmPool.maxGroupPreparedCapacity, 2);
        assert.match(p.warmPool.reason ?? "", /^flat: the peak needs no more instances than the baseline \(2\)/);
        assert.match(p.warnings.join("\n"), /event sale: flat: .*no ramp is scheduled and no warm pool is kept/);
        // The data tier is still warmed before the start.
        assert.equal(p.dataPrewarm.scheduleAt, "2027-11-26T04:30:00Z");
    });

    it("a flat event under way stays at its one size, with nothing scheduled", () => {
        const p = plan(
            configWith((r) => {
                r.event = EVENT;
                r.traffic.peakRps = r.traffic.baselineRps;
            }),
            { now: at("2027-11-26T12:00:00Z") },
        );
        assert.deepEqual(p.group, { minSize: 2, maxSize: 2, desiredCapacity: 2 });
        assert.deepEqual(p.schedule, []);
        assert.ok(
            p.warnings.includes(
                "event sale started at 2027-11-26T05:00:00Z and runs until 2027-11-27T05:00:00Z: the group runs at " +
                    "its peak of 2 instances from this deploy on",
            ),
            p.warnings.join("\n"),
        );
    });

    it("a flat event's late deploy is late for the data warm, the one thing scheduled, not for a ramp it has not", () => {
        // 03:40: within an hour of the data warm (04:30) and of the ramp instant (04:15) a non-flat event would have
        const p = plan(
            configWith((r) => {
                r.event = EVENT;
                r.traffic.peakRps = r.traffic.baselineRps;
            }),
            { now: at("2027-11-26T03:40:00Z") },
        );
        assert.match(
            p.warnings.join("\n"),
            /a deploy now may still be running at the next scheduled instant \(2027-11-26T04:30:00Z\)/,
        );
    });

    describe("at exactly each instant: an instant that has come is past", () => {
        const warningsAt = (iso: string) => plan(eventConfig(), { now: at(iso) }).warnings.join("\n");

        it("deploy-by (03:15): the deploy is already late for the ramp", () => {
            assert.match(
                warningsAt("2027-11-26T03:15:00Z"),
                /^deploy by 2027-11-26T03:15:00Z: .*\(2027-11-26T04:15:00Z\)/,
            );
            assert.equal(warningsAt("2027-11-26T03:14:59Z"), "");
        });

        it("the ramp (04:15): peak capacity now, no ramp-up scheduled, the data warm is the next deadline", () => {
            const p = plan(eventConfig(), { now: at("2027-11-26T04:15:00Z") });
            assert.deepEqual(p.group, atPeak);
            assert.deepEqual(p.schedule, [rampDown]);
            assert.match(p.warnings.join("\n"), /next scheduled instant \(2027-11-26T04:30:00Z\)/);
        });

        it("the data warm (04:30): not scheduled, and the deploy's own warm stands in", () => {
            const p = plan(eventConfig(), { now: at("2027-11-26T04:30:00Z") });
            assert.equal(p.dataPrewarm.scheduleAt, undefined);
            assert.ok(
                p.warnings.includes(
                    "the scheduled data warm (2027-11-26T04:30:00Z) has passed: none is scheduled; this deploy's own " +
                        "warm of the replicas and the cache stands in for it",
                ),
                p.warnings.join("\n"),
            );
        });

        it("the start (05:00) is started; the end (05:00 the next day) is ended, with no data warm to stand in for", () => {
            assert.equal(plan(eventConfig(), { now: at("2027-11-26T04:59:59Z") }).event?.phase, "upcoming");
            assert.equal(plan(eventConfig(), { now: at("2027-11-26T05:00:00Z") }).event?.phase, "started");
            const ended = plan(eventConfig(), { now: at("2027-11-27T05:00:00Z") });
            assert.equal(ended.event?.phase, "ended");
            assert.doesNotMatch(ended.warnings.join("\n"), /data warm/);
        });
    });

    describe("invariants (property tests)", () => {
        /** A config with an event, and a deploy clock anywhere from a day before its timeline to a day after. */
        const arbDeploy = arbConfig
            .filter((config) => config.event !== undefined)
            .chain((config) => {
                const start = Date.parse(config.event!.start);
                const end = Date.parse(config.event!.end);
                return fc.tuple(
                    fc.constant(config),
                    fc.integer({ min: start - 6 * 86_400_000, max: end + 2 * 86_400_000 }),
                );
            });

        it("nothing is ever scheduled at or before now; inside the capacity window the group is at its peak", () => {
            fc.assert(
                fc.property(arbDeploy, ([config, now]) => {
                    const p = attempt(config, now);
                    if (p instanceof ConfigError) return;
                    for (const action of p.schedule) assert.ok(Date.parse(action.startTime) > now, action.startTime);
                    if (p.dataPrewarm.scheduleAt) assert.ok(Date.parse(p.dataPrewarm.scheduleAt) > now);
                    const t = p.timeline!;
                    const open = now >= Date.parse(t.ramp) && now < Date.parse(t.scaleDown);
                    assert.equal(p.group.minSize, open ? p.instances.peak : p.instances.baseline);
                    assert.equal(p.group.desiredCapacity, p.group.minSize);
                    assert.equal(p.group.maxSize, p.instances.peak);
                    const phase =
                        now < Date.parse(config.event!.start)
                            ? "upcoming"
                            : now < Date.parse(config.event!.end)
                              ? "started"
                              : "ended";
                    assert.equal(p.event?.phase, phase);
                    if (phase !== "upcoming") assert.equal(p.dataPrewarm.scheduleAt, undefined);
                    if (open || phase !== "upcoming") assert.ok(p.warnings.length > 0, "an event under way is said");
                }),
                { numRuns: runs(1000) },
            );
        });

        it("the timeline is ordered: deploy-by, then the data warm and the ramp, the start, the end, the scale-down", () => {
            fc.assert(
                fc.property(arbConfig, (config) => {
                    const p = attempt(config);
                    if (p instanceof ConfigError || !p.timeline) return;
                    const t = Object.fromEntries(Object.entries(p.timeline).map(([k, v]) => [k, Date.parse(v)]));
                    assert.ok(t.deployBy < t.databaseWarm && t.deployBy < t.ramp);
                    assert.ok(t.databaseWarm <= t.cacheWarm && t.cacheWarm < t.start);
                    assert.ok(t.ramp < t.start && t.start < t.end && t.end <= t.scaleDown);
                    const rows = orderedTimeline(p.timeline).map((r) => Date.parse(r.at));
                    assert.deepEqual(
                        rows,
                        [...rows].sort((a, b) => a - b),
                    );
                }),
                { numRuns: runs(1000) },
            );
        });
    });
});
