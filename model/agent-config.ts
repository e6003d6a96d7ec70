// The agent config file: what the launch template's user data writes and `warmstack agent --config FILE`
// reads. Strict, because a typo in a file nobody reads at boot would silently leave a pool cold.
// Pure (zod only), so the stack validates the config it writes with the same schema the agent reads it with;
// reading the file is the agent's (warmers/agent/config-file.ts).
import { z } from "zod";
import { WarmstackError } from "./errors";

/** A config the agent cannot run with: `source` is the file (or what built it), `problems` name each key. */
export class AgentConfigError extends WarmstackError {
    readonly code = "AGENT_CONFIG";

    constructor(
        readonly source: string,
        readonly problems: string[],
    ) {
        super(`${source}: invalid agent config\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

const ms = z.number().int().positive();
const port = z.number().int().min(1).max(65535);
const host = z.string().min(1);

// User data is readable in the EC2 console and kept in Pulumi state, so a secret is only ever named here.
const secretSource = z
    .strictObject(
        {
            /** Secrets Manager secret: a JSON object's `password` (as RDS-managed secrets hold), else the whole string. */
            secretArn: z
                .string()
                .regex(/^arn:aws[\w-]*:secretsmanager:/, "expected a Secrets Manager ARN")
                .optional(),
            /** Environment variable of the agent process (local runs and tests). */
            env: z
                .string()
                .regex(/^[A-Za-z_]\w*$/, "expected an environment variable name")
                .optional(),
        },
        {
            error: (issue) =>
                issue.code === "invalid_type"
                    ? "inline secrets are not allowed: give { secretArn } or { env }"
                    : undefined,
        },
    )
    .refine((s) => (s.secretArn === undefined) !== (s.env === undefined), "give exactly one of secretArn or env");

/** Present means TLS; `caFile` adds a CA bundle (RDS certificates are not signed by a public CA). */
const tls = z.strictObject({
    caFile: z.string().min(1).optional(),
    rejectUnauthorized: z.boolean().default(true),
});

const endpoint = z.strictObject({ host, port: port.default(5432) });

const schema = z.strictObject({
    /** Taken from IMDSv2 when omitted. */
    region: z
        .string()
        .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "expected an AWS region such as us-east-1")
        .optional(),
    autoScalingGroupName: z.string().min(1),
    lifecycleHookName: z.string().min(1),
    /** Taken from IMDSv2 when omitted. */
    instanceId: z
        .string()
        .regex(/^i-[0-9a-f]+$/, "expected an instance id such as i-0123456789abcdef0")
        .optional(),
    timeouts: z
        .strictObject({
            /** The whole run; keep it below the hook's heartbeat timeout so the agent, not AWS, decides. */
            overallMs: ms.default(240_000),
            imdsMs: ms.default(2_000),
            dnsMs: ms.default(5_000),
            secretsMs: ms.default(10_000),
            /** Each pool step: every connection opened and validated. */
            poolsMs: ms.default(30_000),
            /** Each connection's connect (TCP, TLS, authentication), within its pool step: a dead endpoint fails fast. */
            connectMs: ms.default(5_000),
            appMs: ms.default(60_000),
            appRequestMs: ms.default(5_000),
            lifecycleMs: ms.default(10_000),
            /** Each registry login and each `docker pull` of containers.images. */
            pullMs: ms.default(60_000),
        })
        .prefault({}),
    dns: z
        .strictObject({
            /** Resolved up front besides the PostgreSQL and Redis hosts (which are always included). */
            hosts: z.array(host).default([]),
            /** `ip` or `ip:port` resolvers; the system's when omitted. */
            servers: z.array(z.string().min(1)).min(1).optional(),
        })
        .prefault({}),
    postgres: z
        .strictObject({
            writer: z.strictObject({
                host,
                port: port.default(5432),
                database: z.string().min(1),
                user: z.string().min(1),
                password: secretSource,
            }),
            /** Replicas share the writer's database and credentials. */
            readers: z.array(endpoint).default([]),
            /** From the readiness plan: writerPoolPerInstance and readerPoolPerReplica. */
            poolSize: z.strictObject({ writer: z.number().int().min(1), readerPerReplica: z.number().int().min(0) }),
            tls: tls.optional(),
        })
        .optional(),
    redis: z
        .strictObject({
            host,
            port: port.default(6379),
            tls: tls.optional(),
            authToken: secretSource.optional(),
            /** `host` is a cluster-mode group's configuration endpoint: connect as a Redis Cluster client. */
            cluster: z.boolean().default(false),
        })
        .optional(),
    app: z
        .strictObject({
            warmUp: z
                .array(z.strictObject({ url: z.url({ protocol: /^https?$/ }), count: z.number().int().min(1) }))
                .default([]),
        })
        .prefault({}),
    /**
     * On ECS: the images the tasks run, pulled before the hook completes so a task placed on the instance starts
     * without a pull. An ECR image's registry is logged in to first, with the instance role.
     */
    containers: z
        .strictObject({
            images: z.array(z.string().min(1)).default([]),
            /** The Docker CLI, looked up on PATH unless a path is given. */
            docker: z.string().min(1).default("docker"),
        })
        .prefault({}),
    /** `warmstack agent --watch`: how often it reads the instance's target lifecycle state from IMDS. */
    watch: z.strictObject({ pollMs: ms.default(5_000) }).prefault({}),
    /** Overrides for tests and local runs; the AWS defaults otherwise. */
    endpoints: z
        .strictObject({
            imds: z.url().optional(),
            autoScaling: z.url().optional(),
            secretsManager: z.url().optional(),
            ecr: z.url().optional(),
        })
        .prefault({}),
});

/** What the file holds (defaults omitted): the shape infra writes into user data. */
export type AgentConfigFile = z.input<typeof schema>;
/** The validated config with every default filled in. */
export type AgentConfig = z.output<typeof schema>;
export type SecretSource = z.output<typeof secretSource>;
export type TlsOptions = z.output<typeof tls>;

function describePath(path: PropertyKey[]): string {
    return path.reduce<string>(
        (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
        "",
    );
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
    const at = describePath(issue.path);
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => `${at ? `${at}.` : ""}${key}: unknown key`);
    }
    return [`${at || "(top level)"}: ${issue.message}`];
}

/**
 * Validates a config value, or JSON text of one. `source` names where it came from (the file path)
 * and starts every error message.
 */
export function parseAgentConfig(value: unknown, source: string): AgentConfig {
    let parsed = value;
    if (typeof value === "string") {
        try {
            parsed = JSON.parse(value);
        } catch (err) {
            throw new AgentConfigError(source, [`not valid JSON: ${(err as Error).message}`]);
        }
    }
    const result = schema.safeParse(parsed);
    if (!result.success) throw new AgentConfigError(source, result.error.issues.flatMap(describeIssue));
    return result.data;
}
