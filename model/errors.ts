// The one base class of every warmer's typed error, the one list of error codes with the exit code each ends the CLI
// with, and the one way a given value is shown in a message (the config's and the flags' errors alike).
// Callers (the CLI, the Pulumi provider, the Lambda handler, scripts) branch on `code`,
// never on message text. Messages are already redacted: they may be logged as is.

/** How `warmstack` ends: scripts and drills branch on it. */
export const EXIT = {
    ok: 0,
    unexpected: 1,
    /** `warmstack check`: a link of the live chain is not as the plan says (shares 1 with a bug: both fail a job). */
    notReady: 1,
    input: 2,
    connection: 3,
    incomplete: 4,
    cold: 5,
    notWarm: 6,
} as const;

/** Every code a warmer's typed error carries, with the exit it maps to. */
export const EXIT_BY_CODE = {
    /** A bad option, flag or row, found before anything was written. */
    WARM_INPUT: EXIT.input,
    /** A bad agent config file. */
    AGENT_CONFIG: EXIT.input,
    /** A server could not be reached, or is not one the warm can write to (a read-only replica). */
    WARM_CONNECTION: EXIT.connection,
    /** The warm failed after it began writing; a re-run finishes it. */
    WARM_INCOMPLETE: EXIT.incomplete,
    /** The warm ran but the cache is not warm enough, or Redis refused more writes than allowed. */
    WARM_COLD: EXIT.cold,
    /** The instance was ABANDONed: something on the chain is not warm. */
    AGENT_NOT_WARM: EXIT.notWarm,
    /** The drill's warm run fell short of what the pre-warm promises. */
    DRILL_FAILED: EXIT.notWarm,
    /** `warmstack check` read the live stack, and a check failed. */
    CHECK_NOT_READY: EXIT.notReady,
    /** `warmstack check` could not read AWS: an endpoint unreachable, no region or credentials, access denied. */
    CHECK_AWS: EXIT.connection,
} as const;

export type ErrorCode = keyof typeof EXIT_BY_CODE;

/** The exit code for an error code; an unknown code is a bug, not an expected failure. */
export function exitCodeFor(code: string): number {
    return Object.hasOwn(EXIT_BY_CODE, code) ? EXIT_BY_CODE[code as ErrorCode] : EXIT.unexpected;
}

/** The exit code for anything thrown: a typed error's own, else `unexpected`. */
export function exitCodeOf(err: unknown): number {
    return err instanceof WarmstackError ? exitCodeFor(err.code) : EXIT.unexpected;
}

export abstract class WarmstackError extends Error {
    abstract readonly code: ErrorCode;

    constructor(message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = new.target.name;
    }
}

/** How a given value is shown in a message: strings quoted, numbers as written, nothing as "nothing". */
export function given(value: unknown): string {
    if (value === undefined) return "nothing";
    if (typeof value === "number") return String(value); // NaN and Infinity as themselves, not JSON's null
    return JSON.stringify(value) ?? String(value);
}
