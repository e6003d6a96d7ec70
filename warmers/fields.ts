// The shared checks of an option, flag or config field, and the one way a bad one is worded — the field, what
// is allowed, what was given — as model/config.ts words its ConfigError (`key: allowed; given "x"`). Strings
// (from a command line) are read strictly: `0x10`, `1e3` or ` 5` are not numbers a person typed as such.
import { given } from "../model/errors";
import { WarmInputError } from "./engine/errors";

/** The error for `field`: `field: <allowed>; given <value>`. */
export function fieldError(field: string, allowed: string, value: unknown): WarmInputError {
    return new WarmInputError(field, `${allowed}; given ${given(value)}`);
}

export interface Range {
    min: number;
    /** Inclusive; none: no upper bound. */
    max?: number;
    /** Words for `max` when it comes from another field (`"--rows (1,000)"`). */
    maxName?: string;
}

const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;
const WHOLE = /^-?\d+$/;

/** A number in plain decimal notation, from a number or its text; undefined when it is neither. */
function read(value: unknown, pattern: RegExp): number | undefined {
    if (typeof value === "number") return value;
    if (typeof value === "string" && pattern.test(value)) return Number(value);
    return undefined;
}

function rangeWords({ min, max, maxName }: Range, strictMin = false): string {
    const low = strictMin ? `> ${min}` : `≥ ${min}`;
    if (max === undefined) return low;
    const high = maxName ?? max.toLocaleString("en-US");
    return strictMin ? `${low} and ≤ ${high}` : `from ${min} to ${high}`;
}

/** A whole number within `range`: `12` or `"12"`, never `"0x10"`, `"1e3"` or `12.5`. */
export function wholeNumber(field: string, value: unknown, range: Range): number {
    const n = read(value, WHOLE);
    if (n === undefined || !Number.isSafeInteger(n) || n < range.min || (range.max !== undefined && n > range.max))
        throw fieldError(field, `a whole number ${rangeWords(range)}`, value);
    return n;
}

/** A decimal number within `range`; `exclusiveMin` for "more than min" (a rate > 0). */
export function decimal(field: string, value: unknown, range: Range & { exclusiveMin?: boolean }): number {
    const n = read(value, DECIMAL);
    const low = range.exclusiveMin ? n !== undefined && n > range.min : n !== undefined && n >= range.min;
    if (n === undefined || !Number.isFinite(n) || !low || (range.max !== undefined && n > range.max))
        throw fieldError(field, `a number ${rangeWords(range, range.exclusiveMin)}`, value);
    return n;
}

/** A fraction from 0 to `max` (default 1). */
export function fraction(field: string, value: unknown, max = 1): number {
    const n = read(value, DECIMAL);
    if (n === undefined || !Number.isFinite(n) || n < 0 || n > max)
        throw fieldError(field, `a fraction from 0 to ${max}`, value);
    return n;
}

/** true or false; from a command line, also the text "true" or "false". */
export function boolean(field: string, value: unknown): boolean {
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    throw fieldError(field, "true or false", value);
}

/** A string, non-empty unless `allowEmpty`. */
export function text(field: string, value: unknown, { allowEmpty = false } = {}): string {
    if (typeof value !== "string" || (!allowEmpty && !value.trim()))
        throw fieldError(field, "a non-empty string", value);
    return value;
}

/**
 * A URL whose scheme is one of `schemes` (`"redis:"`…). The value is never echoed: a URL may carry a password,
 * so a bad one is shown by its scheme and host only.
 */
export function url(field: string, value: unknown, schemes: readonly string[], form?: string): URL {
    const allowed = form ?? `a ${schemes.map((s) => `${s}//…`).join(" or ")} URL`;
    if (typeof value !== "string" || !URL.canParse(value)) throw fieldError(field, allowed, "(not a URL)");
    const parsed = new URL(value);
    if (!schemes.includes(parsed.protocol)) throw fieldError(field, allowed, `${parsed.protocol}//${parsed.host}`);
    return parsed;
}

/** One of a list of names. */
export function oneOf<T extends string>(field: string, value: unknown, names: readonly T[]): T {
    if (typeof value !== "string" || !(names as readonly string[]).includes(value))
        throw fieldError(field, `one of ${names.join(", ")}`, value);
    return value as T;
}
