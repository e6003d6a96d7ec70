// The warm engine's typed errors, so callers (the CLI, the Pulumi provider, the Lambda handler) can react
// without parsing text. Every message is already redacted: it may be logged as is.
import { WarmstackError } from "../../model/errors";
import type { WarmProgress, WarmReport } from "./report";

/** Every error the engine throws on purpose; its `code` decides the CLI's exit (model/errors.ts). */
export abstract class WarmError extends WarmstackError {}

/** Bad options or bad source data, found before anything was written (or naming the bad row). */
export class WarmInputError extends WarmError {
    readonly code = "WARM_INPUT";

    constructor(
        /** The option at fault, as the engine names it (`maxValueBytes`, `query`…). */
        readonly field: string,
        readonly problem: string,
    ) {
        super(`${field}: ${problem}`);
    }
}

/** A server could not be reached or stopped answering within its timeout. */
export class WarmConnectionError extends WarmError {
    readonly code = "WARM_CONNECTION";

    constructor(
        readonly role: "source" | "redis",
        message: string,
        options?: { cause?: unknown },
    ) {
        super(message, options);
    }
}

/**
 * The warm failed after it began writing; `progress` says how far it got. Keys already written are skipped by a
 * re-run, which finishes the warm when the cause was the connection or a server; a bad row or query (`input`)
 * fails a re-run at the same place until it is fixed.
 */
export class WarmIncompleteError extends WarmError {
    readonly code = "WARM_INCOMPLETE";

    constructor(
        readonly progress: WarmProgress,
        reason: string,
        options?: { cause?: unknown },
    ) {
        const rerun =
            options?.cause instanceof WarmInputError
                ? `fix ${options.cause.field} and re-run (keys already written are skipped)`
                : "re-run to finish (keys already written are skipped)";
        super(
            `warm incomplete after reading ${progress.rowsRead} rows and writing ${progress.keysWritten} keys: ${reason}; ${rerun}`,
            options,
        );
    }
}

/**
 * The warm ran, but the cache is not warm: Redis refused more writes than `maxRefused` allows, or fewer of the
 * sampled hot keys are present than `minWarmth` requires. The message gives every number.
 */
export class ColdCacheError extends WarmError {
    readonly code = "WARM_COLD";

    constructor(
        readonly report: WarmReport,
        readonly limits: { minWarmth: number; maxRefused: number },
    ) {
        const { sampled, present } = report.verified;
        const attempted = report.keysWritten + report.skipped.present + report.errors;
        const problems: string[] = [];
        if (report.errors > limits.maxRefused)
            problems.push(
                `Redis refused ${report.errors} of ${attempted} writes (maxRefused ${limits.maxRefused}), first: ${report.firstError}`,
            );
        if (report.warmth < limits.minWarmth)
            problems.push(
                `warmth ${report.warmth.toFixed(3)} < minWarmth ${limits.minWarmth} (${present} of ${sampled} sampled hot keys present)` +
                    (sampled === 0 ? ": the source gave no keys to warm" : ""),
            );
        super(`cache is cold: ${problems.join("; ")}`);
    }
}
