// EventCapacity: the event's capacity on a group the stack did not create — the launch hook, then the warm pool,
// then the ramp — all removed by `pulumi destroy`, which leaves the group as it was. Thin: the hook timeout, the
// pool and every scheduled size come from the attachment (model/production.ts), the give-back sizes being the
// group's own as read at deploy.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PoolState } from "../model/config";
import type { ScheduledCapacity } from "../model/plan";
import { EVENT_POOL_TAG, type EventPoolRecord, type PoolFacts } from "../model/production";
import { EventWarmPool } from "./providers/warm-pool";

/**
 * The event's launch hook: a name of its own, beside any hook production has — a warmstack-built production
 * already holds `warmstack-launch` (infra/compute.ts), and destroying the event must not take production's away.
 */
export const EVENT_HOOK_NAME = "warmstack-event-launch";

export interface EventCapacityArgs {
    /** Production's group: every resource here names it. */
    groupName: pulumi.Input<string>;
    launchHookTimeoutSeconds: pulumi.Input<number>;
    /** The plan's pool; absent when the group keeps its own (production's, left alone) or the plan has none. */
    warmPool?: {
        state: pulumi.Input<PoolState>;
        minSize: pulumi.Input<number>;
        maxGroupPreparedCapacity: pulumi.Input<number>;
        reuseOnScaleIn: pulumi.Input<boolean>;
        /** Production's own pool, raised for the event and put back on destroy; absent: it had none. */
        productionPool?: PoolFacts;
        /** Tagged on the group while the stack holds its pool, for the next deploy to read (model/production.ts). */
        record: EventPoolRecord;
    };
    schedule: ScheduledCapacity[];
    region: pulumi.Input<string>;
}

export class EventCapacity extends pulumi.ComponentResource {
    readonly hook: aws.autoscaling.LifecycleHook;
    readonly warmPool?: EventWarmPool;
    readonly poolTag?: aws.autoscaling.Tag;

    constructor(name: string, args: EventCapacityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:compute:EventCapacity", name, {}, opts);
        const parent = { parent: this };
        // First: an instance launched before the hook exists skips it, and would serve cold.
        this.hook = new aws.autoscaling.LifecycleHook(
            `${name}-launch`,
            {
                autoscalingGroupName: args.groupName,
                name: EVENT_HOOK_NAME,
                lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
                defaultResult: "ABANDON",
                heartbeatTimeout: args.launchHookTimeoutSeconds,
            },
            parent,
        );
        if (args.warmPool) {
            const { productionPool } = args.warmPool;
            this.poolTag = new aws.autoscaling.Tag(
                `${name}-pool-record`,
                {
                    autoscalingGroupName: args.groupName,
                    tag: { key: EVENT_POOL_TAG, value: JSON.stringify(args.warmPool.record), propagateAtLaunch: false },
                },
                parent,
            );
            this.warmPool = new EventWarmPool(
                `${name}-pool`,
                {
                    autoScalingGroupName: args.groupName,
                    poolState: args.warmPool.state,
                    minSize: args.warmPool.minSize,
                    maxGroupPreparedCapacity: args.warmPool.maxGroupPreparedCapacity,
                    reuseOnScaleIn: args.warmPool.reuseOnScaleIn,
                    region: args.region,
                    ...(productionPool && { productionPool }),
                },
                { parent: this, dependsOn: [this.hook] },
            );
        }
        for (const action of args.schedule) {
            new aws.autoscaling.Schedule(
                `${name}-${action.name}`,
                {
                    autoscalingGroupName: args.groupName,
                    scheduledActionName: action.name,
                    startTime: action.startTime,
                    minSize: action.minSize,
                    maxSize: action.maxSize,
                    desiredCapacity: action.desiredCapacity,
                },
                {
                    parent: this,
                    dependsOn: [this.hook],
                    // Read again mid-event, the group's sizes are the peak: the give-back keeps the first deploy's.
                    ignoreChanges: action.name.endsWith("-ramp-down") ? ["minSize", "maxSize", "desiredCapacity"] : [],
                },
            );
        }
        this.registerOutputs({});
    }
}
