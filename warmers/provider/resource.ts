// CachePrewarm: the dynamic resource that loads the hot keys into the cache on every `pulumi up` and fails
// the deploy when the cache is still cold. Type token pulumi-nodejs:dynamic/warmstack:CachePrewarm, which
// the warm-readiness pack's `cache-prewarmed` policy looks for (linked through replicationGroupId).
import * as pulumi from "@pulumi/pulumi";
import { runtimeBundle } from "./bundle";
import type { PrewarmInputs, PrewarmOutputs } from "./inputs";
import { prewarmProvider } from "./provider";

export const DEFAULT_TIMEOUT_SECONDS = 600;

export type CachePrewarmArgs = {
    [K in Exclude<keyof PrewarmInputs, "trigger" | "timeoutSeconds">]: pulumi.Input<PrewarmInputs[K]>;
} & { timeoutSeconds?: pulumi.Input<number> };

let provider: pulumi.dynamic.ResourceProvider | undefined;

export class CachePrewarm extends pulumi.dynamic.Resource {
    declare readonly rowsRead: pulumi.Output<number>;
    declare readonly keysWritten: pulumi.Output<number>;
    declare readonly skippedPresent: pulumi.Output<number>;
    declare readonly skippedNull: pulumi.Output<number>;
    declare readonly skippedTooLarge: pulumi.Output<number>;
    declare readonly errors: pulumi.Output<number>;
    declare readonly warmth: pulumi.Output<number>;
    declare readonly durationMs: pulumi.Output<number>;
    declare readonly keysPerSecond: pulumi.Output<number>;
    declare readonly lastWarmedAt: pulumi.Output<string>;

    constructor(name: string, args: CachePrewarmArgs, opts?: pulumi.CustomResourceOptions) {
        // One provider object per process: Pulumi serializes it once and reuses the text.
        provider ??= prewarmProvider(runtimeBundle());
        const outputs: Record<Exclude<keyof PrewarmOutputs, "replicationGroupId">, undefined> = {
            rowsRead: undefined,
            keysWritten: undefined,
            skippedPresent: undefined,
            skippedNull: undefined,
            skippedTooLarge: undefined,
            errors: undefined,
            warmth: undefined,
            durationMs: undefined,
            keysPerSecond: undefined,
            lastWarmedAt: undefined,
        };
        super(
            provider,
            name,
            {
                ...args,
                // Secret whatever the caller passed: they are encrypted in the state and masked in every diff.
                authToken: args.authToken === undefined ? undefined : pulumi.secret(args.authToken),
                password: args.password === undefined ? undefined : pulumi.secret(args.password),
                timeoutSeconds: args.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
                trigger: new Date().toISOString(),
                ...outputs,
            },
            opts,
            "warmstack",
            "CachePrewarm",
        );
    }
}
