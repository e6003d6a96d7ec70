// How the CLI ends: an exit code per kind of failure (scripts and drills branch on it) and a one-line reason.
// Expected failures never print a stack; only a bug (an error the engine did not type) does.
import { WarmError, WarmInputError } from "../engine/errors";

export const EXIT = { ok: 0, unexpected: 1, input: 2, connection: 3, incomplete: 4, cold: 5, notWarm: 6 } as const;

// Every warmer's typed error carries a code; the code decides the exit.
const EXIT_BY_CODE: Record<string, number> = {
    WARM_INPUT: EXIT.input,
    AGENT_CONFIG: EXIT.input,
    WARM_CONNECTION: EXIT.connection,
    WARM_INCOMPLETE: EXIT.incomplete,
    WARM_COLD: EXIT.cold,
    // The instance was ABANDONed, or the drill's warm run fell short: something is not warm.
    AGENT_NOT_WARM: EXIT.notWarm,
    DRILL_FAILED: EXIT.notWarm,
};

export function exitCodeOf(err: unknown): number {
    return err instanceof WarmError ? (EXIT_BY_CODE[err.code] ?? EXIT.unexpected) : EXIT.unexpected;
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
