// CachePrewarm: the dynamic resource that warms the data tier on every `pulumi up` — the replicas' buffers, then
// the hot keys into the cache — and fails the deploy when the cache is still cold. Type token
// pulumi-nodejs:dynamic/warmstack:CachePrewarm, which the warm-readiness pack's `cache-prewarmed` policy looks
// for (linked through replicationGroupId).
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../../policies/shared/defaults";
import { runtimeBundle } from "../bundles";
import {
    PREWARM_RESULT_FIELDS,
    PREWARM_SECRET_INPUTS,
    PrewarmInputs,
    PrewarmOutputs,
} from "../../model/prewarm-contract";
import { prewarmProvider } from "./prewarm-provider";

/** Filled in by the resource: the trigger, and the lists and timeout that have a default. */
type Defaulted = "timeoutSeconds" | "replicaHosts" | "relations";

export type CachePrewarmArgs = {
    [K in keyof Omit<PrewarmInputs, "trigger" | Defaulted>]: pulumi.Input<PrewarmInputs[K]>;
} & {
    /** @defaultValue `DEFAULTS.prewarmTimeoutSeconds` (600 s, policies/shared/defaults.ts), as the pack assumes. */
    timeoutSeconds?: pulumi.Input<number>;
    /** @defaultValue `[]`: no replica buffers to warm. */
    replicaHosts?: pulumi.Input<pulumi.Input<string>[]>;
    /** @defaultValue `[]` */
    relations?: pulumi.Input<pulumi.Input<string>[]>;
};

/** Every output field as a typed Output on the resource, derived from the one list in inputs.ts. */
type OutputProperties = { readonly [K in keyof PrewarmOutputs]: pulumi.Output<PrewarmOutputs[K]> };

let provider: pulumi.dynamic.ResourceProvider | undefined;

// The interface gives the class its output properties (declaration merging), without listing them again.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface CachePrewarm extends OutputProperties {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class CachePrewarm extends pulumi.dynamic.Resource {
    constructor(name: string, args: CachePrewarmArgs, opts?: pulumi.CustomResourceOptions) {
        // One provider object per process: Pulumi serializes it once and reuses the text.
        provider ??= prewarmProvider(runtimeBundle());
        // Secret whatever the caller passed: encrypted in the state and masked in every diff.
        const secrets = Object.fromEntries(
            PREWARM_SECRET_INPUTS.map((field) => [
                field,
                args[field] === undefined ? undefined : pulumi.secret(args[field]),
            ]),
        );
        super(
            provider,
            name,
            {
                ...args,
                ...secrets,
                timeoutSeconds: args.timeoutSeconds ?? DEFAULTS.prewarmTimeoutSeconds,
                replicaHosts: args.replicaHosts ?? [],
                relations: args.relations ?? [],
                trigger: new Date().toISOString(),
                // Unknown until the provider answers: declaring them makes them this resource's outputs.
                ...Object.fromEntries(PREWARM_RESULT_FIELDS.map((field) => [field, undefined])),
            },
            opts,
            "warmstack",
            "CachePrewarm",
        );
    }
}
