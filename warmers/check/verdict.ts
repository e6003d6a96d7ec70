// The go/no-go of a live stack, link by link: what the plan says should be there against what AWS says is
// there. Pure: read.ts gathers the live state as plain data, this turns it into one named line per link.
import type { ReadinessPlan } from "../../model/plan";
import { LAUNCHING } from "../../policies/shared/contract";
import type { StackOutputs } from "./outputs";

/** Every check, in the order they are printed: the chain from the instances to whoever gets the alarm. */
export const CHECK_NAMES = [
    "compute.capacity",
    "compute.warm-pool",
    "compute.launch-hook",
    "compute.ramp",
    "cache.group",
    "cache.scheduled-warm",
    "cache.last-warm",
    "database.replicas",
    "alerts.subscribed",
    "alerts.alarm",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckResult {
    name: CheckName;
    ok: boolean;
    /** What was found against what the plan says; on a failure, what to do. */
    detail: string;
}

/** How far a scheduled instant may be from the plan's and still count as it. */
export const INSTANT_TOLERANCE_MS = 60_000;
/** Warm pool states of an instance that is ready to join. */
export const WARMED_STATES = ["Warmed:Stopped", "Warmed:Hibernated", "Warmed:Running"] as const;
const PENDING_WAIT = "Warmed:Pending:Wait";

/** A datapoint: the latest one of a metric. */
export interface Datapoint {
    value: number;
    /** ms since the epoch. */
    at: number;
}

/** What AWS said, as plain data. `undefined` where AWS says the thing does not exist. */
export interface LiveState {
    group?: { minSize: number; maxSize: number; desiredCapacity: number };
    warmPool?: {
        state: string;
        minSize: number;
        /** Each instance AWS lists in the pool; `since`: when it entered its state, when known. */
        instances: Array<{ id: string; state: string; since?: number }>;
        /** The group metric AWS/AutoScaling WarmPoolWarmedCapacity, for when AWS lists no instances. */
        warmedCapacity?: Datapoint;
    };
    hooks: Array<{ name: string; transition: string; defaultResult: string; heartbeatSeconds: number }>;
    scheduledActions: Array<{
        name: string;
        startTime: number;
        minSize?: number;
        maxSize?: number;
        desiredCapacity?: number;
    }>;
    cache?: { status: string; shards: number; replicasPerShard: number };
    schedule?: { state: string; expression: string; timezone?: string; flexibleMode: string; targetArn: string };
    /** The warmer's report as the metrics warmstack/Warmth and KeysWritten give it. */
    lastWarm?: { warmth: Datapoint; keysWritten?: number };
    /** Per replica identifier in the outputs; absent: not found. */
    replicas: Record<string, { status: string; lag?: Datapoint } | undefined>;
    /** The topic's subscriptions; a pending one's ARN is `PendingConfirmation`. */
    subscriptions: string[];
    alarm?: { state: string };
}

export interface VerdictInput {
    /** The plan at --at. */
    plan: ReadinessPlan;
    maxReplicaLagSeconds: number;
    outputs: StackOutputs;
    live: LiveState;
    /** The live clock (not --at): how long an instance has been waiting. */
    now: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
const result = (name: CheckName, ok: boolean, detail: string): CheckResult => ({ name, ok, detail });

export function capacityCheck({ plan, outputs, live }: VerdictInput): CheckResult {
    const name = "compute.capacity";
    const { group } = live;
    if (!group) return result(name, false, `group ${outputs.autoScalingGroup} not found: run \`pulumi up\``);
    const planned = `planned min ${plan.group.minSize}, max ≥ peak ${plan.instances.peak}`;
    const found = `found min ${group.minSize}, max ${group.maxSize}, desired ${group.desiredCapacity}`;
    const problems = [
        ...(group.maxSize < plan.instances.peak ? [`max ${group.maxSize} is below the peak`] : []),
        ...(group.minSize !== plan.group.minSize
            ? [`min ${group.minSize} is not the planned ${plan.group.minSize}`]
            : []),
    ];
    return problems.length
        ? result(name, false, `${problems.join("; ")} (${found}; ${planned}): run \`pulumi up\` to restore the sizes`)
        : result(name, true, `${found}; ${planned}`);
}

export function warmPoolCheck({ plan, outputs, live, now }: VerdictInput): CheckResult {
    const name = "compute.warm-pool";
    const planned = plan.warmPool;
    if (planned.minSize === 0) return result(name, true, `no warm pool planned: ${planned.reason}`);
    const pool = live.warmPool;
    const wanted = `planned ${planned.state}, min ${planned.minSize}`;
    if (!pool) return result(name, false, `no warm pool on ${outputs.autoScalingGroup} (${wanted}): run \`pulumi up\``);
    const problems: string[] = [];
    if (pool.state !== planned.state) problems.push(`state ${pool.state}, not ${planned.state}`);
    if (pool.minSize < planned.minSize) problems.push(`min size ${pool.minSize} is below ${planned.minSize}`);

    // Counted from the instances AWS lists, else from the group metric; neither: not reported, not a failure.
    const warmed = pool.instances.length
        ? pool.instances.filter((i) => (WARMED_STATES as readonly string[]).includes(i.state)).length
        : pool.warmedCapacity?.value;
    if (warmed !== undefined && warmed < planned.minSize)
        problems.push(`${warmed} warmed instance(s), fewer than ${planned.minSize}`);
    const heartbeat = plan.scaling.launchHookTimeoutSeconds;
    const stuck = pool.instances.filter(
        (i) => i.state === PENDING_WAIT && i.since !== undefined && now - i.since > heartbeat * 1000,
    );
    if (stuck.length)
        problems.push(
            `${stuck.map((i) => i.id).join(", ")} held in ${PENDING_WAIT} longer than the hook's heartbeat ` +
                `(${heartbeat} s): see the agent's log on ${stuck.length === 1 ? "it" : "them"}`,
        );
    const count = warmed === undefined ? "warmed instances not reported" : `${warmed} warmed of min ${planned.minSize}`;
    const found = `found ${pool.state}, min ${pool.minSize}, ${count}`;
    return problems.length
        ? result(name, false, `${problems.join("; ")} (${found}; ${wanted})`)
        : result(name, true, `${found}; ${wanted}`);
}

export function launchHookCheck({ plan, outputs, live }: VerdictInput): CheckResult {
    const name = "compute.launch-hook";
    const launching = live.hooks.filter((h) => h.transition === LAUNCHING);
    const abandon = launching.find((h) => h.defaultResult === "ABANDON");
    if (abandon)
        return result(
            name,
            true,
            `${abandon.name}: EC2_INSTANCE_LAUNCHING, default ABANDON, heartbeat ${abandon.heartbeatSeconds} s ` +
                `(planned ${plan.scaling.launchHookTimeoutSeconds} s)`,
        );
    const found = launching.length
        ? `${launching.map((h) => `${h.name} defaults to ${h.defaultResult}`).join(", ")}: a cold instance would join`
        : `no EC2_INSTANCE_LAUNCHING hook on ${outputs.autoScalingGroup}: instances join before they are warm`;
    return result(name, false, `${found}; run \`pulumi up\` to restore the hook (default ABANDON)`);
}

export function rampCheck({ plan, outputs, live }: VerdictInput): CheckResult {
    const name = "compute.ramp";
    if (!plan.event) return result(name, true, "no event: nothing to ramp");
    if (plan.schedule.length === 0)
        return result(name, true, `nothing left to schedule for ${plan.event.name} at this time: ${plannedWhy(plan)}`);
    const problems: string[] = [];
    const found: string[] = [];
    for (const action of plan.schedule) {
        const at = Date.parse(action.startTime);
        const scheduled = live.scheduledActions.find((a) => a.name === action.name);
        if (!scheduled) {
            problems.push(`${action.name} (${action.startTime}) is not scheduled on ${outputs.autoScalingGroup}`);
            continue;
        }
        const rampDown = action.desiredCapacity < plan.instances.peak;
        const sizes = `desired ${scheduled.desiredCapacity ?? "unset"}`;
        found.push(`${action.name} at ${iso(scheduled.startTime)} ${sizes}`);
        if (Math.abs(scheduled.startTime - at) > INSTANT_TOLERANCE_MS)
            problems.push(`${action.name} at ${iso(scheduled.startTime)}, not ${action.startTime} (±60 s)`);
        if (!rampDown && (scheduled.desiredCapacity ?? 0) < plan.instances.peak)
            problems.push(`${action.name} ${sizes}, below the peak ${plan.instances.peak}`);
        if (rampDown && scheduled.startTime <= Date.parse(plan.event.end))
            problems.push(`${action.name} at ${iso(scheduled.startTime)} scales down before the end ${plan.event.end}`);
    }
    return problems.length
        ? result(name, false, `${problems.join("; ")}: run \`pulumi up\` to schedule the ramp again`)
        : result(name, true, found.join("; "));
}

function plannedWhy(plan: ReadinessPlan): string {
    return plan.warnings.find((w) => w.startsWith(`event ${plan.event?.name}`)) ?? "the plan schedules nothing";
}

export function cacheGroupCheck({ plan, outputs, live }: VerdictInput): CheckResult {
    const name = "cache.group";
    const { cache } = live;
    const wanted = `planned ${plan.cache.shards} shard(s) × ${plan.cache.replicasPerShard} replica(s)`;
    if (!cache) return result(name, false, `replication group ${outputs.cacheReplicationGroup} not found (${wanted})`);
    const found = `${cache.status}, ${cache.shards} shard(s) × ${cache.replicasPerShard} replica(s)`;
    const problems = [
        ...(cache.status !== "available" ? [`status ${cache.status}, not available`] : []),
        ...(cache.shards !== plan.cache.shards ? [`${cache.shards} shard(s)`] : []),
        ...(cache.replicasPerShard < plan.cache.replicasPerShard
            ? [`${cache.replicasPerShard} replica(s) per shard`]
            : []),
    ];
    return problems.length
        ? result(name, false, `${problems.join("; ")} (${wanted}): wait for it to be available, or run \`pulumi up\``)
        : result(name, true, `${found}; ${wanted}`);
}

/** A Scheduler `at(YYYY-MM-DDTHH:MM:SS)` expression's instant, read in `timezone` when that is UTC. */
export function atInstant(expression: string, timezone = "UTC"): number | undefined {
    const match = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/.exec(expression);
    if (!match || timezone !== "UTC") return undefined;
    return Date.parse(`${match[1]}Z`);
}

export function scheduledWarmCheck({ plan, outputs, live }: VerdictInput): CheckResult {
    const name = "cache.scheduled-warm";
    const scheduleAt = plan.dataPrewarm.scheduleAt;
    if (!scheduleAt) {
        const why = plan.event
            ? `the data warm's instant (${plan.timeline?.databaseWarm}) has passed at this time`
            : "no event: the data tier is warmed at each deploy only";
        return result(name, true, `none to check: ${why}`);
    }
    if (typeof outputs.dataWarm === "string")
        return result(
            name,
            false,
            `planned at ${scheduleAt}, but the stack made none: "${outputs.dataWarm}"; run \`pulumi up\``,
        );
    const { schedule } = live;
    const scheduleName = outputs.dataWarm.schedule;
    if (!schedule)
        return result(name, false, `schedule ${scheduleName} not found (planned at ${scheduleAt}): run \`pulumi up\``);
    const at = atInstant(schedule.expression, schedule.timezone);
    const problems = [
        ...(schedule.state !== "ENABLED" ? [`state ${schedule.state}, not ENABLED`] : []),
        ...(at === undefined || Math.abs(at - Date.parse(scheduleAt)) > INSTANT_TOLERANCE_MS
            ? [`fires ${schedule.expression} ${schedule.timezone ?? ""}`.trimEnd() + `, not at ${scheduleAt} (±60 s)`]
            : []),
        ...(schedule.flexibleMode !== "OFF" ? [`a flexible window (${schedule.flexibleMode}) may fire it late`] : []),
        ...(outputs.warmerFunction && !targets(schedule.targetArn, outputs.warmerFunction)
            ? [`targets ${schedule.targetArn}, not the warmer ${outputs.warmerFunction}`]
            : []),
    ];
    return problems.length
        ? result(name, false, `${scheduleName}: ${problems.join("; ")}: run \`pulumi up\` to restore it`)
        : result(name, true, `${scheduleName}: ENABLED, ${schedule.expression} UTC, no flexible window`);
}

/** A Lambda ARN (optionally with a version or alias) names the function; a partitioned warm's state machine maps it. */
function targets(arn: string, functionName: string): boolean {
    if (/^arn:aws[a-z-]*:states:[^:]+:\d+:stateMachine:/.test(arn)) return true;
    return new RegExp(`:function:${functionName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(:[^:]+)?$`).test(arn);
}

export function lastWarmCheck({ plan, outputs, live }: VerdictInput): CheckResult {
    const name = "cache.last-warm";
    const warm = live.lastWarm;
    const minWarmth = plan.cache.minWarmth;
    if (!warm)
        return result(
            name,
            false,
            `no warm has run: no warmstack Warmth datapoint for Stack=${outputs.stack}; run the warmer ` +
                `(\`pulumi up\` warms the data tier) before the event`,
        );
    const keys = warm.keysWritten === undefined ? "" : `, ${warm.keysWritten} keys written`;
    const found = `warmth ${warm.warmth.value} at ${iso(warm.warmth.at)}${keys}`;
    return warm.warmth.value >= minWarmth
        ? result(name, true, `${found}; minWarmth ${minWarmth}`)
        : result(name, false, `${found}, below minWarmth ${minWarmth}: see the warmer's log, then warm again`);
}

export function replicasCheck({ plan, maxReplicaLagSeconds, outputs, live }: VerdictInput): CheckResult {
    const name = "database.replicas";
    const problems: string[] = [];
    const found: string[] = [];
    if (outputs.databaseReplicas.length < plan.database.replicas)
        problems.push(
            `the stack outputs ${outputs.databaseReplicas.length} replica(s), planned ${plan.database.replicas}`,
        );
    for (const id of outputs.databaseReplicas) {
        const replica = live.replicas[id];
        if (!replica) {
            problems.push(`${id} not found`);
            continue;
        }
        if (replica.status !== "available") problems.push(`${id} is ${replica.status}, not available`);
        if (!replica.lag) problems.push(`${id} has no recent ReplicaLag datapoint`);
        else if (replica.lag.value >= maxReplicaLagSeconds)
            problems.push(`${id} lags ${replica.lag.value} s (under ${maxReplicaLagSeconds} s wanted)`);
        found.push(`${id} ${replica.status}${replica.lag ? `, lag ${replica.lag.value} s` : ""}`);
    }
    return problems.length
        ? result(name, false, `${problems.join("; ")}: run \`pulumi up\` for a missing replica, wait for a lagging one`)
        : result(
              name,
              true,
              `${found.join("; ")}; planned ${plan.database.replicas}, lag under ${maxReplicaLagSeconds} s`,
          );
}

export function subscribedCheck({ outputs, live }: VerdictInput): CheckResult {
    const name = "alerts.subscribed";
    const confirmed = live.subscriptions.filter((arn) => arn.startsWith("arn:"));
    const pending = live.subscriptions.length - confirmed.length;
    const also = pending ? ` (${pending} pending confirmation)` : "";
    return confirmed.length
        ? result(name, true, `${confirmed.length} confirmed subscription(s) on ${outputs.alertTopicArn}${also}`)
        : result(
              name,
              false,
              `no confirmed subscription on ${outputs.alertTopicArn}${also}: an alarm would reach nobody; ` +
                  `subscribe the on-call channel and confirm it`,
          );
}

export function alarmCheck({ plan, outputs, live }: VerdictInput): CheckResult {
    const name = "alerts.alarm";
    if (!outputs.warmAlarm)
        return plan.dataPrewarm.scheduleAt
            ? result(name, false, "the stack outputs no warmAlarm, though a warm is planned: run `pulumi up`")
            : result(name, true, "no scheduled warm, so no warm alarm");
    if (!live.alarm) return result(name, false, `alarm ${outputs.warmAlarm} not found: run \`pulumi up\``);
    return live.alarm.state === "ALARM"
        ? result(name, false, `${outputs.warmAlarm} is in ALARM: the warmer failed; see its log, then warm again`)
        : result(name, true, `${outputs.warmAlarm} is ${live.alarm.state}`);
}

const CHECKS: Record<CheckName, (input: VerdictInput) => CheckResult> = {
    "compute.capacity": capacityCheck,
    "compute.warm-pool": warmPoolCheck,
    "compute.launch-hook": launchHookCheck,
    "compute.ramp": rampCheck,
    "cache.group": cacheGroupCheck,
    "cache.scheduled-warm": scheduledWarmCheck,
    "cache.last-warm": lastWarmCheck,
    "database.replicas": replicasCheck,
    "alerts.subscribed": subscribedCheck,
    "alerts.alarm": alarmCheck,
};

/** Every check, in CHECK_NAMES order. */
export function verdict(input: VerdictInput): CheckResult[] {
    return CHECK_NAMES.map((name) => CHECKS[name](input));
}

/** The report `--json` prints. */
export interface CheckReport {
    ready: boolean;
    at: string;
    checks: CheckResult[];
}

export function reportOf(checks: CheckResult[], at: number): CheckReport {
    return { ready: checks.every((c) => c.ok), at: iso(at), checks };
}

/** The report as lines: ✔ or ✗, the name, the detail. */
export function reportText(report: CheckReport, dashboard?: string): string {
    const width = Math.max(...report.checks.map((c) => c.name.length));
    const lines = report.checks.map((c) => `${c.ok ? "✔" : "✗"} ${c.name.padEnd(width)}  ${c.detail}`);
    const failed = report.checks.filter((c) => !c.ok).length;
    const head = report.ready
        ? `ready for ${report.at}`
        : `NOT ready for ${report.at}: ${failed} of ${report.checks.length} checks failed`;
    return [head, ...lines, ...(dashboard ? [`dashboard: ${dashboard}`] : [])].join("\n") + "\n";
}
