// Each policy's configuration: the JSON schema the CLI validates `--policy-pack-config` against (its defaults
// are the pack's defaults) and the typed reading of it. The CLI fills the defaults in before `Configure`, but a
// policy run without config (tests, an older CLI) must get the same values, so they are applied here too.
import { PolicyConfigSchema } from "@pulumi/policy";
import { POOL_STATES } from "./shared/contract";
import { DEFAULTS } from "./shared/defaults";

export const warmPoolRequiredConfig = {
    properties: {
        minWarmPoolSize: {
            type: "integer",
            minimum: 1,
            default: 1,
            description: "Fewest instances every Auto Scaling group keeps in its warm pool (warmPool.minSize).",
        },
    },
} satisfies PolicyConfigSchema;

export const warmPoolCompatibleConfig = {
    properties: {
        rootDeviceNames: {
            type: "array",
            items: { type: "string" },
            minItems: 1,
            default: ["/dev/xvda", "/dev/sda1"],
            description:
                "Device names an AMI's root volume may have; one must be mapped to EBS in the launch template.",
        },
    },
} satisfies PolicyConfigSchema;

export const warmPoolStateConfig = {
    properties: {
        allowedStates: {
            type: "array",
            items: { type: "string", enum: [...POOL_STATES] },
            uniqueItems: true,
            default: ["Stopped", "Hibernated"],
            description:
                "Warm pool states that pass; Running is left out by default because idle instances bill in full.",
        },
    },
} satisfies PolicyConfigSchema;

export const instanceWarmupConfig = {
    properties: {
        warmupSeconds: {
            type: "integer",
            minimum: 0,
            maximum: 3600,
            default: 60,
            description: "defaultInstanceWarmup the remediation sets when a group has none.",
        },
    },
} satisfies PolicyConfigSchema;

export const cacheHaConfig = {
    properties: {
        minNodes: {
            type: "integer",
            minimum: 2,
            default: 2,
            description: "Fewest nodes (primary + replicas) per replication group.",
        },
    },
} satisfies PolicyConfigSchema;

export const readReplicasConfig = {
    properties: {
        minReplicas: {
            type: "integer",
            minimum: 0,
            default: 1,
            description: "Fewest read replicas every primary needs for this event.",
        },
    },
} satisfies PolicyConfigSchema;

export const connectionBudgetConfig = {
    properties: {
        reserve: {
            type: "number",
            minimum: 0,
            exclusiveMaximum: 1,
            default: 0.1,
            description: "Share of every endpoint's max_connections kept free for admin, failover and the warmers.",
        },
    },
} satisfies PolicyConfigSchema;

/** The event's start, as ramp-before-event and prewarm-before-event take it from the policy config. */
const eventStart = {
    type: "string",
    format: "date-time",
    description: "The event's start; without it the warmstack:event-start tag (of the cache, else the group) is used.",
} as const;

export const prewarmConfig = { properties: { eventStart } } satisfies PolicyConfigSchema;

export const rampConfig = {
    properties: {
        eventStart,
        eventEnd: {
            type: "string",
            format: "date-time",
            description:
                "The event's end: no scheduled action may lower a group's capacity from its ramp until then; without " +
                "it the warmstack:event-end tag, else the start.",
        },
        rampLeadMinutes: {
            type: "integer",
            minimum: 1,
            description:
                "Capacity must rise this long before the start; without it the group's " +
                `warmstack:ramp-lead-minutes tag, else ${DEFAULTS.rampLeadMinutes}.`,
        },
    },
} satisfies PolicyConfigSchema;

type Property = { type: string; default?: unknown };
type Value<P> = P extends { default: infer D }
    ? D
    : P extends { type: "string" }
      ? string | undefined
      : P extends { type: "integer" | "number" }
        ? number | undefined
        : unknown;
export type Settings<S extends { properties: Record<string, Property> }> = {
    [K in keyof S["properties"]]: Value<S["properties"][K]>;
};

/** The policy's configuration: the schema's defaults overlaid with what the CLI configured. */
export function settings<S extends { properties: Record<string, Property> }>(
    args: { getConfig<T extends object>(): T },
    schema: S,
): Settings<S> {
    const defaults = Object.fromEntries(
        Object.entries(schema.properties)
            .filter(([, p]) => p.default !== undefined)
            .map(([key, p]) => [key, p.default]),
    );
    return { ...defaults, ...args.getConfig<Partial<Settings<S>>>() } as Settings<S>;
}
