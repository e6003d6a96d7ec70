// The verdict, pure: a live state exactly as the plan says passes every check; each departure from it fails
// exactly the check of that link, with a detail saying what was found and what the plan says.
import assert from "node:assert/strict";
import fc from "fast-check";
import { planStack } from "../../model/stack-plan";
import { parseOutputs, type StackOutputs } from "../../warmers/check/outputs";
import {
    atInstant,
    CHECK_NAMES,
    reportOf,
    reportText,
    verdict,
    warmPoolCheck,
    type LiveState,
    type VerdictInput,
} from "../../warmers/check/verdict";
import { WarmInputError } from "../../warmers/engine/errors";
import { atExpression } from "../../policies/shared/contract";
import { stackConfig, BUILT_EVENT } from "../support/pulumi";

const AT = Date.parse("2027-11-20T00:00:00Z");
const NOW = Date.parse("2026-12-06T12:00:00Z");
const { plan } = planStack(stackConfig(BUILT_EVENT), AT);
const FN = "warmer-fn";

function outputs(): StackOutputs {
    return {
        stack: "blackfriday",
        autoScalingGroup: "app",
        cacheReplicationGroup: "cache",
        databaseReplicas: Array.from({ length: plan.database.replicas }, (_, i) => `replica-${i + 1}`),
        dataWarm: { at: plan.dataPrewarm.scheduleAt!, schedule: "warm" },
        alertTopicArn: "arn:aws:sns:us-east-1:123456789012:alerts",
        warmAlarm: "warm-errors",
        warmerFunction: FN,
    };
}

/** What AWS would say of a stack deployed as the plan says. */
function ready(): LiveState {
    return {
        group: { ...plan.group },
        warmPool: {
            state: plan.warmPool.state,
            minSize: plan.warmPool.minSize,
            instances: [],
            warmedCapacity: { value: plan.warmPool.minSize, at: NOW - 60_000 },
        },
        hooks: [
            {
                name: "warmstack-launch",
                transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
                defaultResult: "ABANDON",
                heartbeatSeconds: plan.scaling.launchHookTimeoutSeconds,
            },
        ],
        scheduledActions: plan.schedule.map((a) => ({ ...a, startTime: Date.parse(a.startTime) })),
        cache: { status: "available", shards: plan.cache.shards, replicasPerShard: plan.cache.replicasPerShard },
        schedule: {
            state: "ENABLED",
            expression: atExpression(Date.parse(plan.dataPrewarm.scheduleAt!)),
            timezone: "UTC",
            flexibleMode: "OFF",
            targetArn: `arn:aws:lambda:us-east-1:123456789012:function:${FN}`,
        },
        lastWarm: { warmth: { value: 0.99, at: NOW - 3_600_000 }, keysWritten: plan.cache.prewarmKeys },
        replicas: Object.fromEntries(
            outputs().databaseReplicas.map((id) => [id, { status: "available", lag: { value: 1, at: NOW } }]),
        ),
        subscriptions: ["arn:aws:sns:us-east-1:123456789012:alerts:0123"],
        alarm: { state: "OK" },
    };
}

const input = (live: LiveState, out = outputs()): VerdictInput => ({
    plan,
    maxReplicaLagSeconds: 30,
    outputs: out,
    live,
    now: NOW,
});
const failing = (live: LiveState, out?: StackOutputs) =>
    verdict(input(live, out))
        .filter((c) => !c.ok)
        .map((c) => [c.name, c.detail]);

describe("warmstack check: the verdict", () => {
    it("a live stack as planned passes every check, in the documented order", () => {
        const checks = verdict(input(ready()));
        assert.deepEqual(
            checks.map((c) => c.name),
            [...CHECK_NAMES],
        );
        assert.deepEqual(
            checks.filter((c) => !c.ok),
            [],
        );
        assert.equal(reportOf(checks, AT).ready, true);
        assert.match(
            checks[3].detail,
            /^blackfriday-ramp-up at 2027-11-26T04:15:00Z desired 57; blackfriday-ramp-down/,
        );
    });

    const faults: Array<[string, (live: LiveState, out: StackOutputs) => void, string, RegExp]> = [
        ["group missing", (l) => delete l.group, "compute.capacity", /^group app not found/],
        ["max below the peak", (l) => (l.group!.maxSize = 56), "compute.capacity", /max 56 is below the peak/],
        ["min not as planned", (l) => (l.group!.minSize = 2), "compute.capacity", /min 2 is not the planned 4/],
        ["pool missing", (l) => delete l.warmPool, "compute.warm-pool", /^no warm pool on app/],
        ["pool state", (l) => (l.warmPool!.state = "Running"), "compute.warm-pool", /state Running, not Stopped/],
        ["pool min", (l) => (l.warmPool!.minSize = 3), "compute.warm-pool", /min size 3 is below 29/],
        [
            "too few warmed",
            (l) => (l.warmPool!.warmedCapacity = { value: 10, at: NOW }),
            "compute.warm-pool",
            /10 warmed instance\(s\), fewer than 29/,
        ],
        ["no hook", (l) => (l.hooks = []), "compute.launch-hook", /no EC2_INSTANCE_LAUNCHING hook on app/],
        [
            "hook CONTINUE",
            (l) => (l.hooks[0].defaultResult = "CONTINUE"),
            "compute.launch-hook",
            /warmstack-launch defaults to CONTINUE: a cold instance would join/,
        ],
        [
            "ramp deleted",
            (l) => l.scheduledActions.shift(),
            "compute.ramp",
            /^blackfriday-ramp-up \(2027-11-26T04:15:00Z\) is not scheduled on app/,
        ],
        [
            "ramp 61 s late",
            (l) => (l.scheduledActions[0].startTime += 61_000),
            "compute.ramp",
            /at 2027-11-26T04:16:01Z, not 2027-11-26T04:15:00Z \(±60 s\)/,
        ],
        [
            "ramp below peak",
            (l) => (l.scheduledActions[0].desiredCapacity = 56),
            "compute.ramp",
            /desired 56, below the peak 57/,
        ],
        [
            "ramp-down before the end",
            (l) => (l.scheduledActions[1].startTime = Date.parse(plan.event!.end)),
            "compute.ramp",
            /scales down before the end/,
        ],
        ["cache missing", (l) => delete l.cache, "cache.group", /^replication group cache not found/],
        ["cache modifying", (l) => (l.cache!.status = "modifying"), "cache.group", /status modifying, not available/],
        ["a replica short", (l) => (l.cache!.replicasPerShard -= 1), "cache.group", /1 replica\(s\) per shard/],
        ["schedule missing", (l) => delete l.schedule, "cache.scheduled-warm", /^schedule warm not found/],
        ["schedule disabled", (l) => (l.schedule!.state = "DISABLED"), "cache.scheduled-warm", /DISABLED, not ENABLED/],
        [
            "flexible window",
            (l) => (l.schedule!.flexibleMode = "FLEXIBLE"),
            "cache.scheduled-warm",
            /a flexible window \(FLEXIBLE\)/,
        ],
        [
            "another target",
            (l) => (l.schedule!.targetArn = "arn:aws:lambda:us-east-1:123456789012:function:warmer-fn-2"),
            "cache.scheduled-warm",
            /not the warmer warmer-fn/,
        ],
        [
            "another instant",
            (l) => (l.schedule!.expression = "at(2027-11-26T02:00:00)"),
            "cache.scheduled-warm",
            /fires at\(2027-11-26T02:00:00\) UTC, not at/,
        ],
        [
            "no schedule made",
            (_, o) => (o.dataWarm = "its data warm instant has passed"),
            "cache.scheduled-warm",
            /the stack made none: "its data warm instant has passed"/,
        ],
        [
            "no warm yet",
            (l) => delete l.lastWarm,
            "cache.last-warm",
            /^no warm has run: no warmstack Warmth datapoint for Stack=blackfriday/,
        ],
        [
            "a cold warm",
            (l) => (l.lastWarm!.warmth.value = 0.9),
            "cache.last-warm",
            /warmth 0.9 at .*, below minWarmth 0.95/,
        ],
        ["replica gone", (l) => delete l.replicas["replica-2"], "database.replicas", /^replica-2 not found/],
        [
            "replica lagging",
            (l) => (l.replicas["replica-1"]!.lag!.value = 30),
            "database.replicas",
            /replica-1 lags 30 s \(under 30 s wanted\)/,
        ],
        [
            "no lag datapoint",
            (l) => delete l.replicas["replica-3"]!.lag,
            "database.replicas",
            /replica-3 has no recent ReplicaLag datapoint/,
        ],
        [
            "fewer replicas output",
            (_, o) => o.databaseReplicas.pop(),
            "database.replicas",
            /the stack outputs 3 replica\(s\), planned 4/,
        ],
        [
            "pending only",
            (l) => (l.subscriptions = ["PendingConfirmation"]),
            "alerts.subscribed",
            /no confirmed subscription on .* \(1 pending confirmation\)/,
        ],
        ["alarm firing", (l) => (l.alarm!.state = "ALARM"), "alerts.alarm", /warm-errors is in ALARM/],
        ["alarm gone", (l) => delete l.alarm, "alerts.alarm", /alarm warm-errors not found/],
        [
            "no alarm output",
            (_, o) => delete o.warmAlarm,
            "alerts.alarm",
            /outputs no warmAlarm, though a warm is planned/,
        ],
    ];
    for (const [fault, make, name, detail] of faults) {
        it(`${fault}: only ${name} fails`, () => {
            const live = ready();
            const out = outputs();
            make(live, out);
            const failed = failing(live, out);
            assert.deepEqual(
                failed.map(([n]) => n),
                [name],
            );
            assert.match(failed[0][1], detail);
        });
    }

    it("names every instance held in Warmed:Pending:Wait beyond the hook's heartbeat, and no other", () => {
        const heartbeat = plan.scaling.launchHookTimeoutSeconds * 1000;
        fc.assert(
            fc.property(
                fc.array(
                    fc.record({
                        state: fc.constantFrom(
                            "Warmed:Stopped",
                            "Warmed:Running",
                            "Warmed:Pending:Wait",
                            "Warmed:Terminated",
                        ),
                        waited: fc.option(fc.integer({ min: 0, max: 3 * heartbeat }), { nil: undefined }),
                    }),
                    { maxLength: 40 },
                ),
                (pool) => {
                    const live = ready();
                    live.warmPool!.instances = pool.map((p, i) => ({
                        id: `i-${i.toString(16).padStart(8, "0")}`,
                        state: p.state,
                        since: p.waited === undefined ? undefined : NOW - p.waited,
                    }));
                    const result = warmPoolCheck(input(live));
                    const stuck = live.warmPool!.instances.filter(
                        (i) => i.state === "Warmed:Pending:Wait" && i.since !== undefined && NOW - i.since > heartbeat,
                    );
                    const warmed = pool.filter((p) => p.state === "Warmed:Stopped" || p.state === "Warmed:Running");
                    // An empty list is no report: the metric counts then.
                    const short = pool.length > 0 && warmed.length < plan.warmPool.minSize;
                    assert.equal(result.ok, !short && stuck.length === 0, result.detail);
                    for (const i of live.warmPool!.instances)
                        assert.equal(
                            result.detail.includes(`${i.id},`) || result.detail.includes(`${i.id} held`),
                            stuck.includes(i),
                        );
                },
            ),
        );
    });

    it("a stack without an event checks no ramp, schedule or alarm, and says why", () => {
        const flat = planStack(stackConfig("baseline"), AT).plan;
        const live = ready();
        const out = { ...outputs(), dataWarm: "no event", warmAlarm: undefined };
        const checks = verdict({ ...input(live, out), plan: flat });
        const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
        assert.deepEqual(byName["compute.ramp"], {
            name: "compute.ramp",
            ok: true,
            detail: "no event: nothing to ramp",
        });
        assert.equal(
            byName["cache.scheduled-warm"].detail,
            "none to check: no event: the data tier is warmed at each deploy only",
        );
        assert.equal(byName["alerts.alarm"].detail, "no scheduled warm, so no warm alarm");
    });

    it("reads a Scheduler at() expression in UTC only", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (s) => {
                assert.equal(atInstant(atExpression(s * 1000)), s * 1000);
            }),
        );
        assert.equal(atInstant("at(2027-01-01T00:00:00)", "Europe/Paris"), undefined);
        assert.equal(atInstant("rate(5 minutes)"), undefined);
    });

    it("reports ✔/✗ lines and the count of failures", () => {
        const live = ready();
        live.alarm!.state = "ALARM";
        const text = reportText(reportOf(verdict(input(live)), AT), "https://dash");
        assert.match(text, /^NOT ready for 2027-11-20T00:00:00Z: 1 of 10 checks failed\n/);
        assert.match(text, /^✗ alerts\.alarm {10}warm-errors is in ALARM/m);
        assert.match(text, /^✔ compute\.capacity {6}found min 4/m);
        assert.match(text, /\ndashboard: https:\/\/dash\n$/);
    });

    it("refuses outputs without what the check needs, naming the keys", () => {
        const out: Record<string, unknown> = { ...outputs() };
        delete out.stack;
        delete out.autoScalingGroup;
        assert.throws(
            () => parseOutputs(JSON.stringify(out), "o.json"),
            (err: WarmInputError) =>
                err.field === "outputs" && /^stack outputs with stack, autoScalingGroup as infra/.test(err.problem),
        );
        assert.throws(() => parseOutputs("{", "o.json"), /not JSON/);
        assert.deepEqual(parseOutputs(JSON.stringify(outputs()), "o.json"), outputs());
    });
});
