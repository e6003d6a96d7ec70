// The pre-warm contract's inputs as the warm engine and the replica warm take them: URLs and engine options.
import type { PrewarmInputs, PrewarmOutputs, BlocksLoaded } from "../../model/prewarm-contract";
import type { WarmOptions } from "../engine/options";
import type { WarmReport } from "../engine/report";

/** pg's URL form of `sourceSsl`: `no-verify` keeps TLS without a CA bundle for the RDS certificate authority. */
export const SSLMODE_FOR = { require: "no-verify", disable: "disable" } as const;

/** A PostgreSQL URL for `host` with these inputs' database, role and TLS: what the engine and the replica warm use. */
export function databaseUrl(
    inputs: Pick<PrewarmInputs, "sourcePort" | "database" | "sourceSsl">,
    host: string,
    user: string,
    password: string | undefined,
): string {
    const url = new URL(`postgres://${host}`);
    url.port = String(inputs.sourcePort);
    url.pathname = `/${inputs.database}`;
    // pg percent-decodes both: a password holding "%41" must arrive as "%41", not "A".
    url.username = encodeURIComponent(user);
    if (password !== undefined) url.password = encodeURIComponent(password);
    // pg reads sslmode from the URL.
    url.searchParams.set("sslmode", SSLMODE_FOR[inputs.sourceSsl]);
    return url.toString();
}

/** The engine's options for these inputs: secrets go in as options, never inside a URL that could be logged. */
export function warmOptionsFor(inputs: PrewarmInputs): WarmOptions {
    return {
        source: databaseUrl(inputs, inputs.sourceHost, inputs.user, inputs.password),
        query: inputs.query,
        redis: `${inputs.redisTls ? "rediss" : "redis"}://${inputs.redisHost}:${inputs.redisPort}`,
        ...(inputs.authToken !== undefined && { password: inputs.authToken }),
        cluster: inputs.redisCluster ?? false,
        top: inputs.topKeys,
        ttl: inputs.ttlSeconds,
        jitter: inputs.ttlJitter,
        minWarmth: inputs.minWarmth,
        ...(inputs.partition !== undefined && { partition: inputs.partition }),
    };
}

export function outputsOf(
    inputs: PrewarmInputs,
    report: WarmReport,
    blocksLoaded: BlocksLoaded,
    at: Date,
): PrewarmOutputs {
    return {
        replicationGroupId: inputs.replicationGroupId,
        rowsRead: report.rowsRead,
        keysWritten: report.keysWritten,
        skippedPresent: report.skipped.present,
        skippedDuplicate: report.skipped.duplicate,
        skippedNull: report.skipped.null,
        skippedTooLarge: report.skipped.tooLarge,
        errors: report.errors,
        warmth: report.warmth,
        durationMs: report.durationMs,
        keysPerSecond: report.keysPerSecond,
        oldestValueAgeMs: report.oldestValueAgeMs ?? 0,
        lastWarmedAt: at.toISOString(),
        blocksLoaded,
    };
}
