// EventCapacity: the event's capacity on a group the stack did not create — the launch hook, then the warm pool,
// then the ramp — all removed by `pulumi destroy`, which leaves the group as it was. Thin: the hook timeout, the
// pool and every scheduled size come from the attachment (model/production.ts), the give-back sizes being the
// group's own as read at deploy.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ScheduledCapacity } from "../model/plan";
import { EVENT_POOL_TAG, type EventPoolRecord, type GroupCapacity, type PoolFacts } from "../model/production";
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
    /**
     * The event's pool on the group; absent when there is none to hold (no pool planned, none of production's).
     * Production's own pool, when it is already large enough, is held as it is: the resource still shows the
     * group to the warm-readiness pack.
     */
    warmPool?: {
        /** A PoolState, or the state production's own pool is in. */
        state: pulumi.Input<string>;
        minSize: pulumi.Input<number>;
        maxGroupPreparedCapacity: pulumi.Input<number>;
        reuseOnScaleIn: pulumi.Input<boolean>;
        /** Production's own pool, raised for the event and put back on destroy, or held; absent: it had none. */
        productionPool?: PoolFacts;
        /** Tagged on the group while the stack changes its pool, for the next deploy to read (model/production.ts). */
        record?: EventPoolRecord;
    };
    /** The group's own sizes as read at the first deploy, and the event's tags: what the pack judges it by. */
    groupFacts: { capacity: GroupCapacity; tags: Record<string, string> };
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
            const { productionPool, record } = args.warmPool;
            if (record) {
                this.poolTag = new aws.autoscaling.Tag(
                    `${name}-pool-record`,
                    {
                        autoscalingGroupName: args.groupName,
                        tag: { key: EVENT_POOL_TAG, value: JSON.stringify(record), propagateAtLaunch: false },
                    },
                    parent,
                );
            }
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
                    groupCapacity: args.groupFacts.capacity,
                    groupTags: args.groupFacts.tags,
                },
                // The sizes are the first deploy's, as the ramp-down's are: read again mid-event they are the peak.
                { parent: this, dependsOn: [this.hook], ignoreChanges: ["groupCapacity"] },
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
