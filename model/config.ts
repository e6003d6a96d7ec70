// The event stack's configuration: one schema for every `warmstack:*` key, and ONE error that names every
// offending key, the value given and what is allowed. Pure: no Pulumi here, so tests call it directly.
import { z } from "zod";
import { POOL_STATES } from "../policies/shared/contract";
import { DEFAULTS } from "../policies/shared/defaults";
import { given } from "./errors";
import { PREWARM_MODES } from "./prewarm-contract";
import { LAST_SCHEDULABLE, MAX_MINUTES } from "./timeline";

export const NAMESPACE = "warmstack";
/** Where instances get the agent: the stack's own private bucket, or already baked into the AMI. */
export const AGENT_SOURCES = ["stack", "ami"] as const;
/** What runs on the app tier's instances: the app itself, or an ECS cluster's tasks (docs/containers-and-functions.md). */
export const PLATFORMS = ["ec2", "ecs"] as const;
export type Platform = (typeof PLATFORMS)[number];
export type PoolState = (typeof POOL_STATES)[number];

const number = (allowed: string) => z.number({ error: allowed }).finite({ error: allowed });
const positive = () => number("a number > 0").positive({ error: "a number > 0" });
const nonNegative = () => number("a number ≥ 0").min(0, { error: "a number ≥ 0" });
const wholeAtLeast = (min: number) => {
    const allowed = `a whole number ≥ ${min}`;
    return number(allowed).int({ error: allowed }).min(min, { error: allowed });
};
const wholeFromTo = (min: number, max: number, unit = "") => {
    const allowed = `a whole number from ${min} to ${max}${unit}`;
    return number(allowed).int({ error: allowed }).min(min, { error: allowed }).max(max, { error: allowed });
};
const minutes = (min: number) => wholeFromTo(min, MAX_MINUTES, " (a year)");
const fraction = () => {
    const allowed = "a fraction from 0 to 1";
    return number(allowed).min(0, { error: allowed }).max(1, { error: allowed });
};
const fractionBelowOne = () => {
    const allowed = "a fraction from 0 to below 1";
    return number(allowed).min(0, { error: allowed }).lt(1, { error: allowed });
};
// An empty string stops at the first check, so a pattern after it adds no second problem for the same key.
const text = (allowed = "a non-empty string") => z.string({ error: allowed }).min(1, { error: allowed, abort: true });
const timestamp = () =>
    z.iso.datetime({ offset: true, error: "an ISO 8601 date-time with a zone, e.g. 2027-11-26T05:00:00Z" });
const awsId = (prefix: string) => {
    const allowed = `an id like ${prefix}-0123456789abcdef0`;
    return z.string({ error: allowed }).regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), { error: allowed });
};
const arn = (pattern: RegExp, allowed: string) => text(allowed).regex(pattern, { error: allowed });
const object = <T extends z.ZodRawShape>(shape: T) =>
    z.strictObject(shape, { error: `an object with keys ${Object.keys(shape).join(", ")}` });
// A nested block whose every key has a default may be left out whole.
const section = <T extends z.ZodRawShape>(shape: T) => {
    const block = object(shape);
    return block.prefault({} as z.input<typeof block>);
};

const ECS_SERVICE = "an ECS service name: letters, digits, - and _, at most 255";
const ECS_SERVICE_REF =
    "CLUSTER/SERVICE: an ECS cluster name and one of its services' names (letters, digits, - and _)";
const IMAGE = "a container image reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:1.4";
// [registry[:port]/]path[:tag][@sha256:digest], as docker pull takes it: lower-case path, no spaces.
const IMAGE_PATTERN =
    /^([a-zA-Z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/;

const RELATION = "a schema-qualified relation name such as catalog.products (lower case)";

const eventSchema = object({
    name: text("a name of lower-case letters, digits and dashes").regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
        error: "a name of lower-case letters, digits and dashes",
    }),
    start: timestamp(),
    end: timestamp(),
    // Warm everything this long before `start`.
    rampLeadMinutes: minutes(1).default(DEFAULTS.rampLeadMinutes),
    // Capacity stays at peak this long after `end`: traffic tails off, it does not stop.
    cooldownMinutes: minutes(0).default(30),
});

const trafficSchema = object({
    baselineRps: positive(),
    peakRps: positive(),
    rpsPerInstance: positive(),
    headroom: fraction().default(0.25),
});

const computeSchema = object({
    instanceType: text().default("c7i.large"),
    // Required for a system warmstack builds; an attached stack launches from production's own template.
    amiId: awsId("ami").optional(),
    bootSeconds: wholeAtLeast(1).default(180),
    // Seconds a joining instance needs before its metrics count for scaling; AWS's defaultInstanceWarmup takes 0–3600.
    warmupSeconds: wholeFromTo(0, 3600).default(60),
    minInstances: wholeAtLeast(1).default(2),
    rootVolumeGb: wholeAtLeast(8).default(30),
    appPort: wholeAtLeast(1).max(65535, { error: "a port from 1 to 65535" }).default(8080),
    healthCheckPath: text("a path starting with /")
        .regex(/^\//, { error: "a path starting with /" })
        .default("/healthz"),
    warmPool: section({
        state: z.enum(POOL_STATES, { error: `one of ${POOL_STATES.join(" | ")}` }).default("Stopped"),
        fractionOfPeak: fraction().default(0.5),
        // Left out, the plan decides (model/plan/compute.ts): reuse on ec2; never on ecs, whose capacity
        // providers do not support it.
        reuseOnScaleIn: z.boolean({ error: "true or false" }).optional(),
    }),
    // Given, the load balancer serves HTTPS on 443 with it and redirects 80 there; left out, plain HTTP on 80.
    certificateArn: arn(
        /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/,
        "an ACM certificate ARN, arn:aws:acm:<region>:<12-digit account>:certificate/<id>",
    ).optional(),
    agent: section({
        source: z.enum(AGENT_SOURCES, { error: `one of ${AGENT_SOURCES.join(" | ")}` }).default("stack"),
    }),
    platform: z.enum(PLATFORMS, { error: `one of ${PLATFORMS.join(" | ")}` }).default("ec2"),
    // Only with platform ecs (refused otherwise): the group becomes the cluster's capacity provider.
    ecs: section({
        // The service whose tasks ramp with the instances, in the stack's cluster; left out, no task ramp.
        service: text(ECS_SERVICE)
            .regex(/^[A-Za-z0-9_-]{1,255}$/, { error: ECS_SERVICE })
            .optional(),
        // The images the tasks run: the agent pulls them before an instance completes its launch hook.
        images: z
            .array(text(IMAGE).regex(IMAGE_PATTERN, { error: IMAGE }), { error: `a list of ${IMAGE}s` })
            .refine((images) => new Set(images).size === images.length, { error: "a list without repeats" })
            .default([]),
        // Each `docker pull` (and each registry login) gets this long before the instance is ABANDONed; at most
        // the agent's deadline (the plan refuses more), 120 s with the default bootSeconds.
        pullTimeoutSeconds: wholeAtLeast(1).default(60),
        // Managed scaling keeps the cluster's capacity this busy: 100 adds instances only as tasks need them.
        targetCapacity: wholeFromTo(1, 100, " (percent)").default(100),
        // The service's tasks per instance: the ramp raises its tasks to this × the peak's instances.
        tasksPerInstance: wholeAtLeast(1).default(1),
    }),
});

const cacheSchema = object({
    nodeType: text().default("cache.r7g.large"),
    engineVersion: text().default("7.1"),
    replicas: wholeAtLeast(1).max(5, { error: "a whole number from 1 to 5" }).default(1),
    // Share of each node's usable memory kept free beyond the hot set (growth, buffers, the estimate's error).
    headroom: fractionBelowOne().default(0.2),
    // Memory of one node, for a node type the plan's table does not list (policies/shared/node-memory.ts).
    nodeMemoryGiB: positive().optional(),
    prewarm: object({
        query: text("a SQL query returning key, value and optionally ttl columns"),
        topKeys: wholeAtLeast(1).default(100_000),
        ttlSeconds: wholeAtLeast(1).default(3600),
        // Below 1: a jitter of ±100% could give a key no life at all.
        ttlJitter: fractionBelowOne().default(0.1),
        minWarmth: fraction().default(0.95),
        // lambda: a function inside the VPC warms (a deploy from outside cannot reach the cache);
        // direct: the deploy connects itself, from a runner inside the VPC.
        mode: z.enum(PREWARM_MODES, { error: `one of ${PREWARM_MODES.join(" | ")}` }).default("lambda"),
        // A Lambda function runs at most 15 minutes, and the function gets 30 s beyond the warm's limit.
        timeoutSeconds: wholeAtLeast(10)
            .max(870, { error: "a whole number from 10 to 870" })
            .default(DEFAULTS.prewarmTimeoutSeconds),
        // Mean key + value bytes of the hot set (`warmstack warm --dry-run` reports it): sizes the cache.
        avgEntryBytes: wholeAtLeast(1).default(1024),
        // The scheduled warm fires this long before event.start; left out, the plan picks it (model/data-warm.ts).
        leadMinutes: minutes(1).optional(),
    }),
});

const databaseSchema = object({
    instanceClass: text().default("db.r6g.large"),
    engineVersion: text("a PostgreSQL version such as 16 or 16.4")
        .regex(/^\d+(\.\d+)?$/, { error: "a PostgreSQL version such as 16 or 16.4" })
        .default("16"),
    allocatedStorageGb: wholeAtLeast(20).default(100),
    // The database the app and the pre-warm query use.
    name: text("a database name of lower-case letters, digits and _")
        .regex(/^[a-z][a-z0-9_]{0,62}$/, {
            error: "a database name of lower-case letters, digits and _",
        })
        .default("app"),
    readQps: nonNegative(),
    readQpsPerReplica: positive(),
    maxConnections: wholeAtLeast(1),
    connectionReserve: fractionBelowOne().default(0.1),
    // `warmstack check` holds a replica caught up while its ReplicaLag is below this.
    maxReplicaLagSeconds: positive().default(30),
    // Relations whose blocks each replica loads (pg_prewarm) before the event, schema-qualified.
    prewarm: section({
        relations: z
            .array(
                z
                    .string({ error: RELATION })
                    .regex(/^[a-z_][a-z0-9_$]{0,62}\.[a-z_][a-z0-9_$]{0,62}$/, { error: RELATION }),
                { error: `a list of ${RELATION}s` },
            )
            .refine((names) => new Set(names).size === names.length, { error: "a list without repeats" })
            .default([]),
    }),
    pool: section({
        // The fewest connections an instance needs to serve its share of the peak.
        writerMin: wholeAtLeast(1).default(2),
        readerMin: wholeAtLeast(1).default(4),
        // Connections an instance opens to one endpoint at most: more would only sit idle.
        max: wholeAtLeast(1).default(20),
    }),
});

const networkSchema = object({
    vpcId: awsId("vpc"),
    publicSubnetIds: z
        .array(awsId("subnet"), { error: "a list of subnet ids" })
        .min(2, { error: "at least 2 subnets in different zones" }),
    privateSubnetIds: z
        .array(awsId("subnet"), { error: "a list of subnet ids" })
        .min(2, { error: "at least 2 subnets in different zones" }),
});

// Prices in USD. Left out, a price comes from the dated table in model/prices.ts; a type it does not list needs one.
const costSchema = section({
    instanceHourly: positive().optional(),
    // Memory of one app instance, for the Hibernated pool's RAM image: only for a type model/prices.ts does not list.
    instanceMemoryGiB: positive().optional(),
    ebsGbMonth: positive().optional(),
    replicaHourly: positive().optional(),
    cacheNodeHourly: positive().optional(),
    // Lambda provisioned concurrency, per GB-second allocated.
    provisionedConcurrencyGbSecond: positive().optional(),
    // Revenue at stake per minute of full outage at peak: the plan never guesses it.
    revenuePerMinute: nonNegative().optional(),
});

const alertsSchema = section({
    // An SNS topic that reaches someone (an on-call channel); left out, the stack creates one and outputs it.
    // Standard only: alarms and Lambda's on-failure destination cannot publish to a FIFO topic.
    topicArn: arn(
        /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
        "a standard (not .fifo) SNS topic ARN, arn:aws:sns:<region>:<12-digit account>:<topic name>",
    ).optional(),
});

const SECRET_ARN = "a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>";
const secretArn = () =>
    arn(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/, SECRET_ARN);

// The parts of a system that already runs, by name or through a stack whose outputs carry the same names.
// model/production.ts holds the rules between them and what AWS reports about each.
const productionSchema = object({
    stack: text("a stack reference org/project/stack").regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+$/, {
        error: "a stack reference org/project/stack",
    }),
    autoScalingGroup: text("an Auto Scaling group name"),
    cacheReplicationGroup: text("an ElastiCache replication group id"),
    cacheAuthTokenSecretArn: secretArn(),
    databaseInstance: text("an RDS DB instance identifier"),
    databaseCluster: text("an Aurora DB cluster identifier"),
    databaseWarmerSecretArn: secretArn(),
    // Left out, the role behind the launch template's instance profile.
    instanceRoleName: text("an IAM role name"),
    // Production's ECS service, whose tasks ramp with the instances and are given back their own desired count.
    ecsService: text(ECS_SERVICE_REF).regex(/^[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}$/, { error: ECS_SERVICE_REF }),
    readerRecord: object({
        zoneId: text("a Route 53 private hosted zone id").regex(/^Z[A-Z0-9]{1,32}$/, {
            error: "a Route 53 private hosted zone id",
        }),
        name: text("a DNS name"),
    }),
}).partial();

const LAMBDA_NAME = "a Lambda function name: letters, digits, - and _, at most 64";
const LAMBDA_ALIAS = "an alias or a published version of the function: letters, digits, - and _";
// A function whose cold starts the event must not see: provisioned concurrency ramps on the event's schedule.
const functionSchema = object({
    name: text(LAMBDA_NAME).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: LAMBDA_NAME }),
    alias: text(LAMBDA_ALIAS).regex(/^(\$LATEST|[A-Za-z0-9_-]{1,128})$/, { error: LAMBDA_ALIAS }),
    peakRps: positive(),
    // Mean duration of one invocation at the peak: concurrency = rate × duration.
    durationMs: positive(),
    // Provisioned concurrency outside the event: the ramp-down lowers the minimum back to it.
    baseline: wholeAtLeast(0).default(0),
    // The function's memory, to price its provisioned concurrency; absent, the plan warns and leaves it unpriced.
    memoryMb: wholeFromTo(128, 10_240).optional(),
});

/** Every `warmstack:*` key: docs/configuration.md is tested against it. */
export const configSchema = object({
    event: eventSchema.optional(),
    traffic: trafficSchema,
    compute: computeSchema,
    cache: cacheSchema,
    database: databaseSchema,
    network: networkSchema.optional(),
    cost: costSchema,
    alerts: alertsSchema,
    production: productionSchema.optional(),
    functions: z.array(functionSchema, { error: "a list of { name, alias, peakRps, durationMs } objects" }).default([]),
    // The Region's Lambda concurrency limit: provisioned concurrency must leave its unreserved 100 free.
    accountConcurrency: wholeAtLeast(100).default(1000),
});

export type WarmstackConfig = z.infer<typeof configSchema>;

export interface ConfigProblem {
    key: string;
    given: unknown;
    allowed: string;
}

/** Thrown with every problem at once, so one `pulumi preview` shows the whole list. */
export class ConfigError extends Error {
    constructor(
        readonly problems: ConfigProblem[],
        heading = "warmstack config is invalid",
    ) {
        super(
            `${heading} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.key}: ${p.allowed}; given ${given(p.given)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

function keyName(path: ReadonlyArray<PropertyKey>): string {
    const [top, ...rest] = path.map(String);
    return `${NAMESPACE}:${top}` + rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("");
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    let value = root;
    for (const part of path) {
        if (value === null || typeof value !== "object") return undefined;
        value = (value as Record<PropertyKey, unknown>)[part];
    }
    return value;
}

function allowedKeys(path: ReadonlyArray<PropertyKey>): string[] {
    let schema: z.ZodType = configSchema;
    for (const part of path) {
        const inner = unwrapped(schema);
        // A list's entries (warmstack:functions[i]) all have the list's one element schema.
        schema = (
            inner instanceof z.ZodArray ? inner.element : (inner as z.ZodObject).shape[part as string]
        ) as z.ZodType;
    }
    return Object.keys((unwrapped(schema) as z.ZodObject).shape);
}

/** The schema inside optional / default / prefault / pipe wrappers: what a value at that key must match. */
export function unwrapped(schema: z.ZodType): z.ZodType {
    let inner = schema;
    while (
        inner instanceof z.ZodOptional ||
        inner instanceof z.ZodDefault ||
        inner instanceof z.ZodPrefault ||
        inner instanceof z.ZodPipe
    ) {
        inner = inner instanceof z.ZodPipe ? (inner.in as z.ZodType) : (inner.unwrap() as z.ZodType);
    }
    return inner;
}

function problemsOf(error: z.ZodError, raw: Record<string, unknown>): ConfigProblem[] {
    return error.issues.flatMap((issue): ConfigProblem[] => {
        if (issue.code === "unrecognized_keys") {
            const allowed = allowedKeys(issue.path).join(", ");
            return issue.keys.map((k) => ({
                key: keyName([...issue.path, k]),
                given: valueAt(raw, [...issue.path, k]),
                allowed: `unknown key (a typo?); allowed here: ${allowed}`,
            }));
        }
        const given = valueAt(raw, issue.path);
        const allowed = given === undefined ? `required: ${issue.message}` : issue.message;
        return [{ key: keyName(issue.path), given, allowed }];
    });
}

/** Checks between keys, run on whatever of the pair is valid so they join the same single error. */
function crossProblems(raw: Record<string, unknown>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const event = eventSchema.partial().safeParse(raw.event);
    if (
        event.success &&
        event.data.start &&
        event.data.end &&
        Date.parse(event.data.end) <= Date.parse(event.data.start)
    ) {
        problems.push({
            key: "warmstack:event.end",
            given: event.data.end,
            allowed: `a time after event.start (${event.data.start})`,
        });
    }
    const cooldown = event.success
        ? (event.data.cooldownMinutes ?? eventSchema.shape.cooldownMinutes.parse(undefined))
        : 0;
    if (
        event.success &&
        event.data.end &&
        Date.parse(event.data.end) + cooldown * 60_000 > Date.parse(LAST_SCHEDULABLE)
    ) {
        problems.push({
            key: "warmstack:event.end",
            given: event.data.end,
            allowed:
                `a time whose scale-down (end + cooldownMinutes ${cooldown}) falls by ${LAST_SCHEDULABLE}: AWS ` +
                "schedules take a four-digit year",
        });
    }
    const traffic = trafficSchema.partial().safeParse(raw.traffic);
    if (
        traffic.success &&
        traffic.data.peakRps !== undefined &&
        traffic.data.baselineRps !== undefined &&
        traffic.data.peakRps < traffic.data.baselineRps
    ) {
        problems.push({
            key: "warmstack:traffic.peakRps",
            given: traffic.data.peakRps,
            allowed: `at least traffic.baselineRps (${traffic.data.baselineRps})`,
        });
    }
    const pool = databaseSchema.shape.pool.safeParse(valueAt(raw, ["database", "pool"]));
    if (pool.success && pool.data.max < Math.max(pool.data.writerMin, pool.data.readerMin)) {
        problems.push({
            key: "warmstack:database.pool.max",
            given: pool.data.max,
            allowed: "at least database.pool.writerMin and database.pool.readerMin",
        });
    }
    const platform = valueAt(raw, ["compute", "platform"]) ?? computeSchema.shape.platform.parse(undefined);
    if (platform !== "ecs" && valueAt(raw, ["compute", "ecs"]) !== undefined) {
        problems.push({
            key: "warmstack:compute.ecs",
            given: valueAt(raw, ["compute", "ecs"]),
            allowed: `only with compute.platform ecs (the platform is ${given(platform)}): set it, or leave compute.ecs out`,
        });
    }
    return [...problems, ...productionProblems(raw)];
}

/**
 * The keys that only describe a system warmstack builds: with `production` set, they have no part to size, and
 * left in they would mislead, so they are refused — all of them in one problem.
 */
export const BUILT_ONLY_KEYS = [
    ["compute", "amiId"],
    ["compute", "instanceType"],
    ["compute", "rootVolumeGb"],
    ["compute", "certificateArn"],
    ["network"],
    ["cache", "nodeType"],
    ["cache", "engineVersion"],
    ["cache", "replicas"],
    ["database", "instanceClass"],
    ["database", "engineVersion"],
    ["database", "allocatedStorageGb"],
] as const;

/** The part names `production` needs without a `stack` (which carries them as its outputs). */
export const PRODUCTION_PARTS = ["autoScalingGroup", "cacheReplicationGroup", "databaseWarmerSecretArn"] as const;

function productionProblems(raw: Record<string, unknown>): ConfigProblem[] {
    const production = raw.production;
    if (production === undefined) {
        return valueAt(raw, ["compute", "amiId"]) === undefined &&
            typeof raw.compute === "object" &&
            raw.compute !== null
            ? [
                  {
                      key: "warmstack:compute.amiId",
                      given: undefined,
                      allowed: "required: an id like ami-0123456789abcdef0",
                  },
              ]
            : [];
    }
    if (production === null || typeof production !== "object") return [];
    const given = production as Record<string, unknown>;
    const problems: ConfigProblem[] = [];
    const builtOnly = BUILT_ONLY_KEYS.map((path) => path.join(".")).filter(
        (_, i) => valueAt(raw, BUILT_ONLY_KEYS[i]) !== undefined,
    );
    if (builtOnly.length > 0) {
        problems.push({
            key: "warmstack:production",
            given: builtOnly,
            allowed:
                `with production set, leave out the keys that describe a system warmstack builds (${builtOnly.join(", ")}): ` +
                "the stack reads them from the running parts",
        });
    }
    const names = [...PRODUCTION_PARTS, "cacheAuthTokenSecretArn", "databaseInstance", "databaseCluster"].filter(
        (k) => given[k] !== undefined,
    );
    if (given.stack !== undefined) {
        if (names.length > 0) {
            problems.push({
                key: "warmstack:production.stack",
                given: given.stack,
                allowed: `either a stack whose outputs name the parts, or the names (${names.join(", ")}), not both`,
            });
        }
        return problems;
    }
    for (const part of PRODUCTION_PARTS) {
        if (given[part] === undefined) {
            problems.push({
                key: `warmstack:production.${part}`,
                given: undefined,
                allowed: "required with production set (or production.stack, a stack whose outputs name the parts)",
            });
        }
    }
    if ((given.databaseInstance === undefined) === (given.databaseCluster === undefined)) {
        problems.push({
            key: "warmstack:production.databaseInstance",
            given: given.databaseInstance,
            allowed:
                "exactly one of production.databaseInstance (RDS for PostgreSQL) and production.databaseCluster (Aurora PostgreSQL)",
        });
    }
    return problems;
}

/**
 * Validates the stack's `warmstack:*` values (already decoded from YAML/JSON) and fills the defaults.
 * Throws one ConfigError naming every problem.
 */
export function parseConfig(raw: Record<string, unknown>): WarmstackConfig {
    const result = configSchema.safeParse(raw);
    const problems = [...(result.success ? [] : problemsOf(result.error, raw)), ...crossProblems(raw)];
    if (problems.length > 0 || !result.success) throw new ConfigError(problems);
    return result.data;
}

/**
 * Turns Pulumi's flat config map (`warmstack:traffic` → JSON text) into the object parseConfig reads.
 * Keys of other namespaces (aws:region, …) are not ours and are left out.
 */
export function namespaceValues(all: Record<string, string>): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(all)) {
        const colon = fullKey.indexOf(":");
        // The whole rest is the key: `warmstack:cost:draft:` is a key of its own (refused as unknown), not `cost`.
        if (colon < 0 || fullKey.slice(0, colon) !== NAMESPACE) continue;
        const key = fullKey.slice(colon + 1);
        try {
            values[key] = JSON.parse(text);
        } catch {
            values[key] = text;
        }
    }
    return values;
}
