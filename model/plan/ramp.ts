// A scalable target's ramp on the event's schedule (Application Auto Scaling): what a Lambda alias's provisioned
// concurrency and an ECS service's tasks share. Pure.
import { isoSeconds } from "../../policies/shared/numbers";
import type { Instants } from "../timeline";

/** A scalable target's bounds. */
export interface TargetCapacity {
    minCapacity: number;
    maxCapacity: number;
}

/** One Application Auto Scaling scheduled action on a scalable target. */
export interface CapacityAction extends TargetCapacity {
    name: string;
    /** UTC, `YYYY-MM-DDTHH:MM:SSZ`; always after `now`. */
    startTime: string;
}

export interface RampWindow {
    /** The scalable target as deployed now: `baseline`, or `peak` inside the event's capacity window. */
    capacity: TargetCapacity;
    /** Only actions after `now`. */
    schedule: CapacityAction[];
}

/**
 * The target's capacity and actions at `now`, as the group's: before the ramp, the baseline and both actions;
 * inside the window, the peak and only the ramp-down; after it, the baseline and nothing. Nothing to ramp when
 * the peak is the baseline. A scheduled minimum stays until another action lowers it (aws-cdk#30503), so the
 * ramp-down always sets the baseline's minimum again.
 */
export function rampWindow(
    eventName: string | undefined,
    instants: Instants | undefined,
    now: number,
    peak: TargetCapacity,
    baseline: TargetCapacity,
): RampWindow {
    const flat = peak.minCapacity === baseline.minCapacity && peak.maxCapacity === baseline.maxCapacity;
    if (!eventName || !instants || now >= instants.scaleDown || flat) return { capacity: baseline, schedule: [] };
    const action = (name: string, ms: number, capacity: TargetCapacity): CapacityAction => ({
        name: `${eventName}-${name}`,
        startTime: isoSeconds(ms),
        ...capacity,
    });
    const down = action("ramp-down", instants.scaleDown, baseline);
    return now < instants.ramp
        ? { capacity: baseline, schedule: [action("ramp-up", instants.ramp, peak), down] }
        : { capacity: peak, schedule: [down] };
}
