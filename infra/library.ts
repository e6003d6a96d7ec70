// warmstack/pulumi: the event's warmth for a Pulumi TypeScript program of the user's own (docs/adopting.md,
// "From a program of your own"). EventWarmth takes the values a stack's `warmstack:*` config takes, as one plain
// object, validates them exactly as the stack does (one error naming every bad field, before any resource), and
// attaches to the production the program names — the same code path as this repository's own program with
// `warmstack:production` set (infra/attached.ts). The components it is made of are exported with their Args.
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { ConfigError, configSchema, parseConfig, type WarmstackConfig } from "../model/config";
import { attachedWarmstack, type AttachedStackOutputs } from "./attached";
import { refusedAsRunError } from "./config-error";

/** The `warmstack:*` config values as one object: `event`, `traffic`, `compute`, `cache`, `database`, … */
export type WarmstackValues = z.input<typeof configSchema>;
/** `warmstack:production`: the parts that run, by name (or `stack`, a stack whose `production` output names them). */
export type ProductionValues = NonNullable<WarmstackValues["production"]>;

export interface EventWarmthArgs extends WarmstackValues {
    /** Required here: the library attaches to a production that runs; it does not build one. */
    production: ProductionValues;
    /**
     * The deploy's clock, ms since the epoch: it decides which of the event's instants are still to schedule.
     * @defaultValue `Date.now()`
     */
    now?: number;
}

/** The values validated as the stack's config is, or one ConfigError naming every problem. */
export function eventWarmthConfig(values: WarmstackValues): WarmstackConfig {
    if (values.production === undefined || values.production === null) {
        throw new ConfigError([
            {
                key: "warmstack:production",
                given: values.production,
                allowed:
                    "required: EventWarmth attaches to the production that runs (autoScalingGroup, " +
                    "cacheReplicationGroup, databaseInstance or databaseCluster, databaseWarmerSecretArn — or stack)",
            },
        ]);
    }
    return parseConfig(values as Record<string, unknown>);
}

/**
 * The event's warmth on production's group, cache and database: the launch hook, the warm pool, the ramp and its
 * give-back, the read replicas (RDS) or readers (Aurora), the data warm, the agent's delivery, the alarm. Every
 * resource is a child of this component (its type prefixes their URNs) and named `<name>-…`, so none collides
 * with the program's own. The physical names AWS keys on are fixed (docs/adopting.md): one EventWarmth per group.
 *
 * Throws a pulumi.RunError naming every bad field (as `warmstack:<key>`) before any resource is registered; a
 * production part that does not exist fails the preview with one message naming it.
 */
export class EventWarmth extends pulumi.ComponentResource {
    /** The plan the event's resources were made from, on production's real values. */
    readonly plan: AttachedStackOutputs["plan"];
    /** The production parts attached to: `autoScalingGroup`, `cacheReplicationGroup`, `databaseInstance|Cluster`. */
    readonly attachedTo: AttachedStackOutputs["attachedTo"];
    /** What the ramp-down gives back: the group's own min, max and desired as read at the first deploy. */
    readonly productionCapacity: AttachedStackOutputs["productionCapacity"];
    readonly warmPool: AttachedStackOutputs["warmPool"];
    /** The hosts the event's reads go to: the new replicas (RDS), or the cluster's reader endpoint (Aurora). */
    readonly databaseReaders: AttachedStackOutputs["databaseReaders"];
    /** The deploy-time data warm's report (keys written, warmth, …). */
    readonly prewarm: AttachedStackOutputs["prewarm"];
    /** The scheduled warm's instant and schedule name, or why none is scheduled. */
    readonly dataWarm: AttachedStackOutputs["dataWarm"];
    readonly alertTopicArn: AttachedStackOutputs["alertTopicArn"];
    readonly functionTargets: AttachedStackOutputs["functionTargets"];
    /** Where the agent's bundle is stored (bucket, key, sha256), or that the image carries it. */
    readonly agent: AttachedStackOutputs["agent"];
    /** Every output above in one object: `export = warmth.outputs` gives a stack an attached stack's outputs. */
    readonly outputs: AttachedStackOutputs;

    constructor(name: string, args: EventWarmthArgs, opts?: pulumi.ComponentResourceOptions) {
        const { now = Date.now(), ...values } = args;
        // Before super(): a bad value registers nothing, not even this component.
        const config = refusedAsRunError(() => eventWarmthConfig(values));
        super("warmstack:event:EventWarmth", name, {}, opts);
        const outputs = attachedWarmstack(config, now, { parent: this, prefix: name });
        this.outputs = outputs;
        this.plan = outputs.plan;
        this.attachedTo = outputs.attachedTo;
        this.productionCapacity = outputs.productionCapacity;
        this.warmPool = outputs.warmPool;
        this.databaseReaders = outputs.databaseReaders;
        this.prewarm = outputs.prewarm;
        this.dataWarm = outputs.dataWarm;
        this.alertTopicArn = outputs.alertTopicArn;
        this.functionTargets = outputs.functionTargets;
        this.agent = outputs.agent;
        this.registerOutputs(outputs);
    }
}

// The components EventWarmth is made of, each taking plain Input-typed arguments, for a program that wires its own.
export { CachePrewarm, type CachePrewarmArgs } from "./providers/cache-prewarm";
export { EventWarmPool, type EventWarmPoolArgs } from "./providers/warm-pool";
export { EventCapacity, EVENT_HOOK_NAME, type EventCapacityArgs } from "./event-capacity";
export { EventReaders, EventReplicas, type EventReadersArgs, type EventReplicasArgs } from "./event-database";
export { WarmFunctions, type WarmFunctionsArgs } from "./functions";
export { ConfigError, type ConfigProblem, type WarmstackConfig } from "../model/config";
export type { ReadinessPlan } from "../model/plan";
