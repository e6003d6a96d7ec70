// EventWarmPool: the event's warm pool on a group the stack did not create — put where the group had none,
// production's own raised to the plan's, or production's own held as it is when it is already large enough — and
// on destroy deleted, production's own put back, or (held) left alone: the group as it was. @pulumi/aws has no
// standalone warm pool resource (only `aws.autoscaling.Group`'s `warmPool` block, which would mean owning
// production's group), and @pulumi/aws-native is not a dependency of the stack: so a dynamic resource over Auto
// Scaling's own PutWarmPool / DescribeWarmPool / DeleteWarmPool. It is also what shows production's group to the
// warm-readiness pack: type token and inputs are policies/shared/contract.ts's EVENT_WARM_POOL.
import * as pulumi from "@pulumi/pulumi";
import type { PoolFacts } from "../../model/production";

export interface WarmPoolInputs {
    autoScalingGroupName: string;
    minSize: number;
    maxGroupPreparedCapacity: number;
    poolState: string;
    reuseOnScaleIn: boolean;
    region: string;
    /**
     * Production's own pool as read before the event: raised from and put back on destroy, or, when the planned
     * pool is this one, held (neither put nor given back). Absent: it had none.
     */
    productionPool?: PoolFacts;
    /** For the pack, unused here: the group's own sizes as read at the first deploy (its ramp-down's). */
    groupCapacity: { minSize: number; maxSize: number; desiredCapacity: number };
    /** For the pack, unused here: the event's tags a group warmstack builds carries (contract.ts TAGS). */
    groupTags: Record<string, string>;
}

/** The planned pool is production's own, unchanged: the stack holds it and touches nothing. */
export const holdsProductionPool = (inputs: WarmPoolInputs): boolean => {
    const own = inputs.productionPool;
    return (
        own !== undefined &&
        own.minSize === inputs.minSize &&
        own.maxGroupPreparedCapacity === inputs.maxGroupPreparedCapacity &&
        own.state === inputs.poolState &&
        own.reuseOnScaleIn === inputs.reuseOnScaleIn
    );
};

export type EventWarmPoolArgs = { [K in keyof WarmPoolInputs]: pulumi.Input<WarmPoolInputs[K]> };

/**
 * The provider: Pulumi serializes it into the state and runs it in another process, so it captures only the
 * client's module name. Every AWS call has its own timeout. `endpoint` (tests: moto) overrides AWS's.
 */
export function warmPoolProvider(endpoint?: string): pulumi.dynamic.ResourceProvider {
    const callTimeoutMs = 20_000;
    const client = (region: string) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const sdk = require("@aws-sdk/client-auto-scaling") as typeof import("@aws-sdk/client-auto-scaling");
        const api = new sdk.AutoScalingClient({ region, ...(endpoint && { endpoint }) });
        return { sdk, api, timeout: () => ({ abortSignal: AbortSignal.timeout(callTimeoutMs) }) };
    };
    const put = async (region: string, group: string, pool: Omit<PoolFacts, "state"> & { state: string }) => {
        const { sdk, api, timeout } = client(region);
        await api.send(
            new sdk.PutWarmPoolCommand({
                AutoScalingGroupName: group,
                MinSize: pool.minSize,
                MaxGroupPreparedCapacity: pool.maxGroupPreparedCapacity,
                PoolState: pool.state as "Stopped",
                InstanceReusePolicy: { ReuseOnScaleIn: pool.reuseOnScaleIn },
            }),
            timeout(),
        );
    };
    const putPlanned = (inputs: WarmPoolInputs) =>
        put(inputs.region, inputs.autoScalingGroupName, { ...inputs, state: inputs.poolState });
    return {
        create: async (inputs: WarmPoolInputs) => {
            const { sdk, api, timeout } = client(inputs.region);
            // Raise only the pool the preview read: one that appeared or changed since would not be given back.
            const found = await api.send(
                new sdk.DescribeWarmPoolCommand({ AutoScalingGroupName: inputs.autoScalingGroupName }),
                timeout(),
            );
            const now = found.WarmPoolConfiguration;
            const own = inputs.productionPool;
            const same = own
                ? now !== undefined && now.MinSize === own.minSize && now.PoolState === own.state
                : now === undefined;
            if (!same) {
                throw new Error(
                    `the group ${inputs.autoScalingGroupName}'s warm pool is not the one the preview read ` +
                        `(${own ? `minSize ${own.minSize}, ${own.state}` : "none"}; now ` +
                        `${now ? `minSize ${now.MinSize}, ${now.PoolState}` : "none"}): it is production's, and ` +
                        "warmstack gives back only what it read — run the preview again",
                );
            }
            if (!holdsProductionPool(inputs)) await putPlanned(inputs);
            return { id: inputs.autoScalingGroupName, outs: inputs };
        },
        diff: async (_id: string, olds: WarmPoolInputs, news: WarmPoolInputs) => {
            const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])] as (keyof WarmPoolInputs)[];
            const changed = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
            return {
                changes: changed.length > 0,
                replaces: changed.filter((k) => k === "autoScalingGroupName" || k === "region"),
                deleteBeforeReplace: true,
            };
        },
        update: async (_id: string, olds: WarmPoolInputs, news: WarmPoolInputs) => {
            // Held before and after: the pool is production's, whatever it is now.
            if (!(holdsProductionPool(olds) && holdsProductionPool(news))) await putPlanned(news);
            return { outs: news };
        },
        // Production's own pool left alone (held) or put back; or the group back to no pool, its pooled instances
        // terminated by Auto Scaling, as AWS does.
        delete: async (_id: string, olds: WarmPoolInputs) => {
            if (holdsProductionPool(olds)) return;
            if (olds.productionPool) return put(olds.region, olds.autoScalingGroupName, olds.productionPool);
            const { sdk, api, timeout } = client(olds.region);
            await api.send(
                new sdk.DeleteWarmPoolCommand({ AutoScalingGroupName: olds.autoScalingGroupName }),
                timeout(),
            );
        },
    };
}

let provider: pulumi.dynamic.ResourceProvider | undefined;

export class EventWarmPool extends pulumi.dynamic.Resource {
    declare readonly autoScalingGroupName: pulumi.Output<string>;
    declare readonly minSize: pulumi.Output<number>;

    constructor(name: string, args: EventWarmPoolArgs, opts?: pulumi.CustomResourceOptions) {
        provider ??= warmPoolProvider();
        super(provider, name, args, opts, "warmstack", "EventWarmPool");
    }
}
