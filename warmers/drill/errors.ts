// The drill's own typed error; a bad flag is the shared WarmInputError (warmers/fields.ts), a server it cannot
// reach the engine's WarmConnectionError, so every failure ends the CLI the same way (model/errors.ts).
import { WarmstackError } from "../../model/errors";

/** The drill ran, but the event-timed warm fell short of what the pre-warm promises, or requests failed. */
export class DrillFailedError extends WarmstackError {
    readonly code = "DRILL_FAILED";

    constructor(
        readonly problems: string[],
        readonly report: string,
    ) {
        super(`drill failed: ${problems.join("; ")} (report: ${report})`);
    }
}
