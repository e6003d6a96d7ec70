// EventWarmPool: a warm pool put on a group the stack did not create, and deleted on destroy, leaving the group as
// it was. @pulumi/aws has no standalone warm pool resource (only `aws.autoscaling.Group`'s `warmPool` block, which
// would mean owning production's group), and @pulumi/aws-native is not a dependency of the stack: so a dynamic
// resource over Auto Scaling's own PutWarmPool / DescribeWarmPool / DeleteWarmPool. Type token
// pulumi-nodejs:dynamic/warmstack:EventWarmPool (not yet in the pack's contract: the pack does not judge an
// attached stack yet).
import * as pulumi from "@pulumi/pulumi";

export interface WarmPoolInputs {
    autoScalingGroupName: string;
    minSize: number;
    maxGroupPreparedCapacity: number;
    poolState: string;
    reuseOnScaleIn: boolean;
    region: string;
}

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
    const put = async (inputs: WarmPoolInputs) => {
        const { sdk, api, timeout } = client(inputs.region);
        await api.send(
            new sdk.PutWarmPoolCommand({
                AutoScalingGroupName: inputs.autoScalingGroupName,
                MinSize: inputs.minSize,
                MaxGroupPreparedCapacity: inputs.maxGroupPreparedCapacity,
                PoolState: inputs.poolState as "Stopped",
                InstanceReusePolicy: { ReuseOnScaleIn: inputs.reuseOnScaleIn },
            }),
            timeout(),
        );
    };
    return {
        create: async (inputs: WarmPoolInputs) => {
            const { sdk, api, timeout } = client(inputs.region);
            // A pool already there is production's: never overwrite it (the preview refuses this too).
            const found = await api.send(
                new sdk.DescribeWarmPoolCommand({ AutoScalingGroupName: inputs.autoScalingGroupName }),
                timeout(),
            );
            if (found.WarmPoolConfiguration) {
                throw new Error(
                    `the group ${inputs.autoScalingGroupName} already has a warm pool: it is production's, and ` +
                        "warmstack does not change it (set its size with aws autoscaling put-warm-pool)",
                );
            }
            await put(inputs);
            return { id: inputs.autoScalingGroupName, outs: inputs };
        },
        diff: async (_id: string, olds: WarmPoolInputs, news: WarmPoolInputs) => {
            const changed = (Object.keys(news) as (keyof WarmPoolInputs)[]).filter((k) => olds[k] !== news[k]);
            return {
                changes: changed.length > 0,
                replaces: changed.filter((k) => k === "autoScalingGroupName" || k === "region"),
                deleteBeforeReplace: true,
            };
        },
        update: async (_id: string, _olds: WarmPoolInputs, news: WarmPoolInputs) => {
            await put(news);
            return { outs: news };
        },
        // The group goes back to no pool; its pooled instances are terminated by Auto Scaling, as AWS does.
        delete: async (_id: string, olds: WarmPoolInputs) => {
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
