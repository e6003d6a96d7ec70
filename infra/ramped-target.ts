// One Application Auto Scaling scalable target and its planned scheduled actions: what ramps a Lambda alias's
// provisioned concurrency (and an ECS service's tasks) on the event's schedule. Thin: the capacities and the
// instants are the plan's (model/plan/ramp.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { CapacityAction, TargetCapacity } from "../model/plan/ramp";
import { atSchedule } from "./event-database";

export interface RampedTargetArgs {
    serviceNamespace: string;
    scalableDimension: string;
    resourceId: pulumi.Input<string>;
    capacity: TargetCapacity;
    schedule: CapacityAction[];
}

/** Registers the target, then each action on it: an action names the target's output, so it waits for it. */
export function rampedTarget(name: string, args: RampedTargetArgs, opts: pulumi.CustomResourceOptions) {
    const { serviceNamespace, scalableDimension, resourceId } = args;
    const target = new aws.appautoscaling.Target(
        name,
        { serviceNamespace, scalableDimension, resourceId, ...args.capacity },
        opts,
    );
    const actions = args.schedule.map(
        (action) =>
            new aws.appautoscaling.ScheduledAction(
                `${name}-${action.name}`,
                {
                    name: action.name,
                    serviceNamespace,
                    scalableDimension,
                    resourceId: target.resourceId,
                    schedule: atSchedule(action.startTime),
                    timezone: "UTC",
                    scalableTargetAction: { minCapacity: action.minCapacity, maxCapacity: action.maxCapacity },
                },
                opts,
            ),
    );
    return { target, actions };
}
