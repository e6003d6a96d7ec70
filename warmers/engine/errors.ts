// The warm engine's typed errors, so callers (the CLI, the Pulumi provider, the Lambda handler) can react
// without parsing text. Every message is already redacted: it may be logged as is.
import { WarmstackError } from "../errors";
import type { WarmProgress, WarmReport } from "./report";

/** Every error the engine throws on purpose; its `code` decides the CLI's exit (warmers/errors.ts). */
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

/** The warm failed after it began writing; `progress` says how far it got. Re-running completes it. */
export class WarmIncompleteError extends WarmError {
    readonly code = "WARM_INCOMPLETE";

    constructor(
        readonly progress: WarmProgress,
        reason: string,
        options?: { cause?: unknown },
    ) {
        super(
            `warm incomplete after reading ${progress.rowsRead} rows and writing ${progress.keysWritten} keys: ${reason}; ` +
                "re-run to finish (keys already written are skipped)",
            options,
        );
    }
}

/** The warm ran, but fewer sampled hot keys are in Redis than `minWarmth` requires. */
export class ColdCacheError extends WarmError {
    readonly code = "WARM_COLD";

    constructor(
        readonly report: WarmReport,
        readonly minWarmth: number,
    ) {
        const { sampled, present } = report.verified;
        const refused = report.errors
            ? `; Redis refused ${report.errors} keys, first: ${report.firstError}`
            : sampled === 0
              ? "; the source gave no keys to warm"
              : "";
        super(
            `cache is cold: warmth ${report.warmth.toFixed(3)} < minWarmth ${minWarmth} (${present} of ${sampled} sampled hot keys present)${refused}`,
        );
    }
}
