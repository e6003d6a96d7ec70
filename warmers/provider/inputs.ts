// What a CachePrewarm carries from the stack to the engine, once every Output has resolved: plain data
// that crosses the serialized provider, the Lambda invoke payload and the engine's options unchanged.
import type { WarmOptions } from "../engine/options";
import type { WarmReport } from "../engine/report";

export const PREWARM_MODES = ["lambda", "direct"] as const;
export type PrewarmMode = (typeof PREWARM_MODES)[number];

export interface PrewarmInputs {
    /** The replication group being warmed: the policy pack's link from the group to its pre-warm. */
    replicationGroupId: string;
    redisHost: string;
    redisPort: number;
    redisTls: boolean;
    /** Secret. */
    authToken?: string;
    /** A database READER endpoint: the pre-warm never loads the primary. */
    sourceHost: string;
    sourcePort: number;
    database: string;
    user: string;
    /** Secret. */
    password?: string;
    /** `require` (TLS, as RDS enforces) or `disable` (a local database). */
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
    /** Changes on every `pulumi up`, so every up is an update that warms again. */
    trigger: string;
}

/** The resource's outputs: the group warmed and the report's figures, nothing secret. */
export interface PrewarmOutputs {
    replicationGroupId: string;
    rowsRead: number;
    keysWritten: number;
    skippedPresent: number;
    skippedNull: number;
    skippedTooLarge: number;
    errors: number;
    warmth: number;
    durationMs: number;
    keysPerSecond: number;
    lastWarmedAt: string;
}

/** The engine's options for these inputs: secrets go in as options, never inside a URL that could be logged. */
export function warmOptionsFor(inputs: PrewarmInputs): WarmOptions {
    const source = new URL(`postgres://${inputs.sourceHost}`);
    source.port = String(inputs.sourcePort);
    source.pathname = `/${inputs.database}`;
    // pg percent-decodes both: a password holding "%41" must arrive as "%41", not "A".
    source.username = encodeURIComponent(inputs.user);
    if (inputs.password !== undefined) source.password = encodeURIComponent(inputs.password);
    // pg reads sslmode from the URL; `no-verify` keeps TLS without a CA bundle for the RDS certificate authority.
    if (inputs.sourceSsl === "require") source.searchParams.set("sslmode", "no-verify");
    return {
        source: source.toString(),
        query: inputs.query,
        redis: `${inputs.redisTls ? "rediss" : "redis"}://${inputs.redisHost}:${inputs.redisPort}`,
        ...(inputs.authToken !== undefined && { password: inputs.authToken }),
        top: inputs.topKeys,
        ttl: inputs.ttlSeconds,
        jitter: inputs.ttlJitter,
        minWarmth: inputs.minWarmth,
    };
}

export function outputsOf(inputs: PrewarmInputs, report: WarmReport, at: Date): PrewarmOutputs {
    return {
        replicationGroupId: inputs.replicationGroupId,
        rowsRead: report.rowsRead,
        keysWritten: report.keysWritten,
        skippedPresent: report.skipped.present,
        skippedNull: report.skipped.null,
        skippedTooLarge: report.skipped.tooLarge,
        errors: report.errors,
        warmth: report.warmth,
        durationMs: report.durationMs,
        keysPerSecond: report.keysPerSecond,
        lastWarmedAt: at.toISOString(),
    };
}
