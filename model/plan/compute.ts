// The app tier's plan: instances for the baseline and the peak, the warm pool, the launch hook and the agent's
// deadline, and the group's sizes and schedule at the deploy's instant.
import { isoSeconds, settle } from "../../policies/shared/numbers";
import type { ConfigProblem, WarmstackConfig } from "../config";
import { planned, refused, type Planned } from "../planned";
import { phaseAt, type Instants } from "../timeline";
import type { ReadinessPlan, ScheduledCapacity } from "./index";

const LAUNCH_HOOK_MIN_SECONDS = 300;
const LAUNCH_HOOK_MAX_SECONDS = 7200;
const ABANDON_MARGIN_SECONDS = 60;
/** The agent's least time after the boot: the hook timeout's clamp gives exactly this at bootSeconds 150 and 7050 (the most accepted). */
const AGENT_MIN_SECONDS = 90;

/** Instances that serve `rps` with `headroom` spare, never fewer than `floor`. */
export function instancesFor(rps: number, rpsPerInstance: number, headroom: number, floor: number): number {
    return Math.max(floor, Math.ceil(settle((rps * (1 + headroom)) / rpsPerInstance)));
}

export interface ComputePlan {
    warmPool: ReadinessPlan["warmPool"];
    scaling: ReadinessPlan["scaling"];
}

/** The instances for the baseline and the peak (never fewer than the baseline): every other tier is sized on them. */
export function planInstances(config: WarmstackConfig): ReadinessPlan["instances"] {
    const { traffic, compute } = config;
    const baseline = instancesFor(traffic.baselineRps, traffic.rpsPerInstance, traffic.headroom, compute.minInstances);
    const peak = Math.max(
        baseline,
        instancesFor(traffic.peakRps, traffic.rpsPerInstance, traffic.headroom, compute.minInstances),
    );
    return { baseline, peak };
}

/** The pool and the hook for `instances`, or the problems of a ramp too short or a boot too long for the hook. */
export function planCompute(config: WarmstackConfig, instances: ReadinessPlan["instances"]): Planned<ComputePlan> {
    const { traffic, compute } = config;
    const { baseline, peak } = instances;
    const problems = [...rampProblems(config), ...bootProblems(config)];
    if (problems.length > 0) return refused(problems);
    const launchHookTimeoutSeconds = Math.min(
        LAUNCH_HOOK_MAX_SECONDS,
        Math.max(LAUNCH_HOOK_MIN_SECONDS, 2 * compute.bootSeconds),
    );
    return planned({
        warmPool: warmPoolFor(config, baseline, peak),
        scaling: {
            requestsPerTargetPerMinute: Math.floor(settle((traffic.rpsPerInstance * 60) / (1 + traffic.headroom))),
            warmupSeconds: compute.warmupSeconds,
            launchHookTimeoutSeconds,
            agentDeadlineSeconds: launchHookTimeoutSeconds - compute.bootSeconds - ABANDON_MARGIN_SECONDS,
        },
    });
}

/** The pool holds fractionOfPeak of the peak, never more than the group can scale into (max − min). */
function warmPoolFor(config: WarmstackConfig, baseline: number, peak: number): ReadinessPlan["warmPool"] {
    const { warmPool } = config.compute;
    const minSize = Math.min(Math.ceil(settle(warmPool.fractionOfPeak * peak)), peak - baseline);
    const reason =
        minSize > 0
            ? undefined
            : peak === baseline
              ? `flat: the peak needs no more instances than the baseline (${peak}), so no ramp is scheduled and no warm pool is kept`
              : "compute.warmPool.fractionOfPeak is 0";
    return {
        state: warmPool.state,
        minSize,
        maxGroupPreparedCapacity: baseline + minSize,
        reuseOnScaleIn: reuseOnScaleIn(config.compute),
        ...(reason && { reason }),
    };
}

/** Scale-in returns instances to the pool when it can: ECS capacity providers do not support reuse (model/plan/ecs.ts). */
export function reuseOnScaleIn(compute: WarmstackConfig["compute"]): boolean {
    return compute.platform === "ecs" ? false : (compute.warmPool.reuseOnScaleIn ?? true);
}

export /**
 * The group's sizes and schedule at `now`: before the ramp, the baseline and both schedules; inside the
 * event's capacity window (ramp to scale-down) the peak at once and only the ramp-down; after it, the baseline
 * and nothing. A flat stack has nothing to ramp.
 */
function eventCapacity(
    config: WarmstackConfig,
    instances: { baseline: number; peak: number },
    instants: Instants | undefined,
    now: number,
): { group: ReadinessPlan["group"]; schedule: ScheduledCapacity[]; warnings: string[] } {
    const { baseline, peak } = instances;
    const atBaseline = { minSize: baseline, maxSize: peak, desiredCapacity: baseline };
    const { event } = config;
    if (!event || !instants) return { group: atBaseline, schedule: [], warnings: [] };
    const at = (ms: number) => isoSeconds(ms);
    const rampDown: ScheduledCapacity = {
        name: `${event.name}-ramp-down`,
        startTime: at(instants.scaleDown),
        ...atBaseline,
    };
    const flat = peak === baseline;
    if (now < instants.ramp) {
        const rampUp = {
            name: `${event.name}-ramp-up`,
            startTime: at(instants.ramp),
            minSize: peak,
            maxSize: peak,
            desiredCapacity: peak,
        };
        return { group: atBaseline, schedule: flat ? [] : [rampUp, rampDown], warnings: [] };
    }
    const phase = phaseAt(now, instants);
    if (now < instants.scaleDown) {
        const why =
            phase === "upcoming"
                ? `starts at ${at(instants.start)} and its ramp (${at(instants.ramp)}) has passed`
                : phase === "started"
                  ? `started at ${at(instants.start)} and runs until ${at(instants.end)}`
                  : `ended at ${at(instants.end)}; its cooldown runs until ${at(instants.scaleDown)}`;
        return {
            group: { minSize: peak, maxSize: peak, desiredCapacity: peak },
            schedule: flat ? [] : [rampDown],
            warnings: [
                `event ${event.name} ${why}: the group runs at its peak of ${peak} instances from this deploy on` +
                    (flat ? "" : `, and only the ramp-down at ${at(instants.scaleDown)} is scheduled`),
            ],
        };
    }
    return {
        group: atBaseline,
        schedule: [],
        warnings: [
            `event ${event.name} ended at ${at(instants.end)} (scale-down ${at(instants.scaleDown)}): nothing is ` +
                `scheduled and the group runs at its baseline of ${baseline} instances`,
        ],
    };
}

function rampProblems(config: WarmstackConfig): ConfigProblem[] {
    const { event, compute } = config;
    if (!event) return [];
    // Instances beyond the warm pool boot from scratch: the lead must cover a cold boot and its warm-up.
    const neededMinutes = Math.ceil(settle((compute.bootSeconds + compute.warmupSeconds) / 60));
    return event.rampLeadMinutes < neededMinutes
        ? [
              {
                  key: "warmstack:event.rampLeadMinutes",
                  given: event.rampLeadMinutes,
                  allowed:
                      `at least ${neededMinutes}: instances beyond the warm pool need compute.bootSeconds + ` +
                      `compute.warmupSeconds (${compute.bootSeconds + compute.warmupSeconds} s) before the event starts`,
              },
          ]
        : [];
}

/** The hook holds an instance at most LAUNCH_HOOK_MAX_SECONDS from launch: a longer boot leaves the agent no time. */
function bootProblems(config: WarmstackConfig): ConfigProblem[] {
    const { bootSeconds } = config.compute;
    const most = LAUNCH_HOOK_MAX_SECONDS - ABANDON_MARGIN_SECONDS - AGENT_MIN_SECONDS;
    return bootSeconds > most
        ? [
              {
                  key: "warmstack:compute.bootSeconds",
                  given: bootSeconds,
                  allowed:
                      `at most ${most}: the launch hook holds an instance at most ${LAUNCH_HOOK_MAX_SECONDS} s from launch, ` +
                      `and the agent needs ${AGENT_MIN_SECONDS} s after the boot plus ${ABANDON_MARGIN_SECONDS} s to send ABANDON`,
              },
          ]
        : [];
}
