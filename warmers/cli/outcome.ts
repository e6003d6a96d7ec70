// How the CLI ends: an exit code per kind of failure (scripts and drills branch on it) and a one-line reason.
// Expected failures never print a stack; only a bug (an error the engine did not type) does.
import { ColdCacheError, WarmConnectionError, WarmError, WarmIncompleteError, WarmInputError } from "../engine/errors";

export const EXIT = { ok: 0, unexpected: 1, input: 2, connection: 3, incomplete: 4, cold: 5 } as const;

export function exitCodeOf(err: unknown): number {
    if (err instanceof WarmInputError) return EXIT.input;
    if (err instanceof WarmConnectionError) return EXIT.connection;
    if (err instanceof WarmIncompleteError) return EXIT.incomplete;
    if (err instanceof ColdCacheError) return EXIT.cold;
    return EXIT.unexpected;
}

/** The reason in one line; a bad option is named by its flag (`maxValueBytes` → `--max-value-bytes`). */
export function describe(err: unknown): string {
    if (err instanceof WarmInputError) return `${flagOf(err.field)}: ${err.problem}`;
    if (err instanceof WarmError) return err.message;
    return `unexpected error: ${(err as Error).stack ?? String(err)}`;
}

function flagOf(field: string): string {
    return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
