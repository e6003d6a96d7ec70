// How the CLI ends: the exit code of the one list of error codes (model/errors.ts), and a one-line reason.
// Expected failures never print a stack; only a bug (an error no warmer typed) does.
import { WarmInputError } from "../engine/errors";
import { WarmstackError } from "../../model/errors";

export { EXIT, exitCodeOf } from "../../model/errors";

/** The reason in one line; a bad option is named by its flag (`maxValueBytes` → `--max-value-bytes`). */
export function describe(err: unknown): string {
    if (err instanceof WarmInputError) return `${flagOf(err.field)}: ${err.problem}`;
    if (err instanceof WarmstackError) return err.message;
    return `unexpected error: ${(err as Error).stack ?? String(err)}`;
}

function flagOf(field: string): string {
    return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
