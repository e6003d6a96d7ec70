// The pre-warm contract: what a CachePrewarm carries from the stack to the warmer, once every Output has resolved —
// plain data that crosses the serialized provider, the Lambda invoke payload and the Scheduler's payload unchanged.
// The deploy-time half (infra/providers/) and the run-time half (warmers/prewarm/) both import it; how the inputs
// become the engine's options is the run-time half's (warmers/prewarm/inputs.ts).

/** Blocks `pg_prewarm` loaded, per replica host and relation. */
export type BlocksLoaded = Record<string, Record<string, number>>;

export const PREWARM_MODES = ["lambda", "direct"] as const;
export type PrewarmMode = (typeof PREWARM_MODES)[number];

export interface PrewarmInputs {
    /** The replication group being warmed: the policy pack's link from the group to its pre-warm. */
    replicationGroupId: string;
    redisHost: string;
    redisPort: number;
    redisTls: boolean;
    /**
     * `redisHost` is a cluster-mode group's configuration endpoint: warm it as a Redis Cluster (the engine's
     * `cluster`). @defaultValue false
     */
    redisCluster?: boolean;
    /** Secret. */
    authToken?: string;
    /** A database READER endpoint: the pre-warm never loads the primary. */
    sourceHost: string;
    sourcePort: number;
    database: string;
    /** The role the warm logs in as: the read-only warmer role when `adminUser` creates it. */
    user: string;
    /** Secret. */
    password?: string;
    /** `require` (TLS, as RDS enforces) or `disable` (a local database). Every database connection uses it. */
    sourceSsl: "require" | "disable";
    query: string;
    topKeys: number;
    ttlSeconds: number;
    ttlJitter: number;
    minWarmth: number;
    mode: PrewarmMode;
    /** lambda mode: the warmer function, and the region it lives in. */
    functionName?: string;
    region?: string;
    /** The most the whole warm may take; every connection and command has its own, shorter timeout. */
    timeoutSeconds: number;
    /**
     * The one share of the hot set this run warms (`I/N`, the engine's `partition`): a Step Functions item's.
     * Absent: all of it, split into `partitions` when that is more than 1.
     */
    partition?: string;
    /**
     * The plan's partitions and how many run at once: a deploy-time warm of more than one runs them itself,
     * at most `maxConcurrency` at once. @defaultValue 1
     */
    partitions?: number;
    maxConcurrency?: number;
    /**
     * lambda mode past one run: the stack's state machine (model/warm-state-machine.ts), which the deploy-time warm
     * starts over every partition and waits for, after the function has run the setup.
     */
    stateMachineArn?: string;
    /** Changes on every `pulumi up`, so every up is an update that warms again. */
    trigger: string;
    /**
     * The database primary (writer): where the deploy-time setup runs (`CREATE EXTENSION IF NOT EXISTS
     * pg_prewarm`, the least-privilege roles), since replicas are read-only. Without it, no setup runs.
     */
    primaryHost?: string;
    /** Each read replica's address: its buffers are loaded with `relations` before the cache warm. */
    replicaHosts: string[];
    /** Tables and indexes (`schema.name`) `pg_prewarm` loads on each replica; empty: no buffer warm. */
    relations: string[];
    /**
     * The master user, for the deploy-time setup only: it creates the extension and the roles (`user` as the
     * read-only warmer, `agentUser` as login-only). Absent: the setup runs as `user` and creates no role.
     */
    adminUser?: string;
    /** Secret. */
    adminPassword?: string;
    /** The login-only role the instances' agent warms its pools as; created with `agentPassword` by the setup. */
    agentUser?: string;
    /** Secret. */
    agentPassword?: string;
}

/** The inputs Pulumi keeps secret whatever the caller passes (resource.ts), and a scheduled payload never carries. */
export const PREWARM_SECRET_INPUTS = ["authToken", "password", "adminPassword", "agentPassword"] as const;

/** The resource's outputs: the group warmed and the reports' figures, nothing secret. */
export interface PrewarmOutputs {
    replicationGroupId: string;
    rowsRead: number;
    keysWritten: number;
    skippedPresent: number;
    /** Rows whose key the source had already given (only the hottest is written). */
    skippedDuplicate: number;
    skippedNull: number;
    skippedTooLarge: number;
    errors: number;
    warmth: number;
    durationMs: number;
    keysPerSecond: number;
    /** How stale the oldest value written can be (read → acknowledged); 0 when nothing was written. */
    oldestValueAgeMs: number;
    lastWarmedAt: string;
    /** Blocks `pg_prewarm` loaded, per replica host and relation. */
    blocksLoaded: BlocksLoaded;
}

/**
 * THE list of output fields: the resource declares, and the stack outputs, exactly these. The two checks below
 * fail to compile when it and {@link PrewarmOutputs} disagree.
 */
export const PREWARM_OUTPUT_FIELDS = [
    "replicationGroupId",
    "rowsRead",
    "keysWritten",
    "skippedPresent",
    "skippedDuplicate",
    "skippedNull",
    "skippedTooLarge",
    "errors",
    "warmth",
    "durationMs",
    "keysPerSecond",
    "oldestValueAgeMs",
    "lastWarmedAt",
    "blocksLoaded",
] as const satisfies readonly (keyof PrewarmOutputs)[];
type Unlisted = Exclude<keyof PrewarmOutputs, (typeof PREWARM_OUTPUT_FIELDS)[number]>;
export const outputFieldsComplete: [Unlisted] extends [never] ? true : Unlisted = true;

/** Output fields that are not also inputs: the ones a new resource declares as unknown until the provider answers. */
export const PREWARM_RESULT_FIELDS = PREWARM_OUTPUT_FIELDS.filter(
    (field): field is Exclude<(typeof PREWARM_OUTPUT_FIELDS)[number], keyof PrewarmInputs> =>
        field !== "replicationGroupId",
);

/** What a scheduled payload leaves out: every secret, the deploy's setup (master user, primary) and the provider's own. */
export const NOT_SCHEDULED = [
    ...PREWARM_SECRET_INPUTS,
    "adminUser",
    "agentUser",
    "primaryHost",
    "mode",
    "functionName",
    "stateMachineArn",
    "trigger",
] as const satisfies readonly (keyof PrewarmInputs)[];

/**
 * What EventBridge Scheduler hands the warmer function at the planned instant. It carries no secret: the
 * function reads each one from Secrets Manager by ARN at run time. `replicationGroupId` stays at the top level:
 * the policy pack links the schedule to its group through it. No master user and no primary: the deploy did the
 * setup (roles, extension), and the warmer role reads only.
 */
export type ScheduledWarm = Omit<PrewarmInputs, (typeof NOT_SCHEDULED)[number]> & {
    kind: "scheduled";
    /** The warmer role's password: a Secrets Manager ARN (a plain string, or JSON with `password`). */
    passwordSecretArn?: string;
    /** The cache's AUTH token: a Secrets Manager ARN. */
    authTokenSecretArn?: string;
    /** Per GetSecretValue call. @defaultValue {@link DEFAULT_SECRET_TIMEOUT_MS} */
    secretTimeoutMs?: number;
};

export const DEFAULT_SECRET_TIMEOUT_MS = 10_000;

/**
 * The state machine's last step: every partition's outputs, judged together against `minWarmth`
 * (model/warm-state-machine.ts).
 */
export interface VerifyPartitions {
    kind: "verify";
    reports: PrewarmOutputs[];
    minWarmth: number;
}

/**
 * The deploy's setup alone (the roles, the replicas' buffers), before a state machine's execution warms every
 * partition: the provider's inputs, secrets inline over the encrypted invoke. Its answer is {@link SetupDone}.
 */
export type SetupRun = PrewarmInputs & { kind: "setup" };
export interface SetupDone {
    blocksLoaded: BlocksLoaded;
}

/**
 * An invoke of the warmer function: the provider's (secrets inline, over the encrypted invoke), the schedule's or
 * a state machine item's, the state machine's verify step, or the deploy's setup before an execution.
 */
export type WarmerEvent = PrewarmInputs | ScheduledWarm | VerifyPartitions | SetupRun;

export function isSetup(event: WarmerEvent): event is SetupRun {
    return (event as SetupRun).kind === "setup";
}

export function isVerify(event: WarmerEvent): event is VerifyPartitions {
    return (event as VerifyPartitions).kind === "verify";
}

export function isScheduled(event: WarmerEvent): event is ScheduledWarm {
    return (event as ScheduledWarm).kind === "scheduled";
}

/**
 * The Scheduler's payload for a warm with these inputs: everything {@link NOT_SCHEDULED} removed, the secrets named
 * by ARN instead. Build it from values that are not secrets (leave the secret inputs out), so it stays plain.
 */
export function scheduledWarm(
    inputs: Omit<PrewarmInputs, (typeof NOT_SCHEDULED)[number]> & Partial<PrewarmInputs>,
    secrets: Pick<ScheduledWarm, "passwordSecretArn" | "authTokenSecretArn" | "secretTimeoutMs">,
): ScheduledWarm {
    const kept = Object.entries(inputs).filter(([field]) => !(NOT_SCHEDULED as readonly string[]).includes(field));
    return { kind: "scheduled", ...(Object.fromEntries(kept) as Omit<ScheduledWarm, "kind">), ...secrets };
}
