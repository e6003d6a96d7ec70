// The drill's flags, checked before anything starts: a bad one fails with a WarmInputError naming it (the
// CLI prints `--flag: what is allowed, got …` and exits 2, as for `warmstack warm`).
import { WarmInputError } from "../engine/errors";

export interface DrillOptions {
    /** Products in the catalogue. */
    rows: number;
    /** Requests per second during each spike. */
    rps: number;
    /** Length of each spike. */
    seconds: number;
    /** Zipf exponent of key popularity. */
    skew: number;
    /** How many of the hottest keys the engine pre-warms before the warm spike. */
    warmKeys: number;
    /** Use this Redis (loopback only) instead of starting one. */
    redis?: string;
    /** Use this PostgreSQL (loopback only) instead of starting one. */
    postgres?: string;
    /** Directory for the report and the chart. */
    out: string;
    /** Seed of the key sequence both spikes replay. */
    seed: number;
}

/** What a caller (or commander, as strings) may pass; anything left out takes its default. */
export type DrillInput = { [K in keyof DrillOptions]?: DrillOptions[K] | string };

export const DEFAULTS = { rows: 1_000_000, rps: 5_000, seconds: 10, skew: 1, out: "drill-report", seed: 1 } as const;
/** Default --warm-keys: the top tenth of the catalogue. */
export const DEFAULT_WARM_SHARE = 0.1;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export function resolveDrillOptions(input: DrillInput): DrillOptions {
    const rows = integer(input, "rows", { min: 1, max: 10_000_000, fallback: DEFAULTS.rows });
    const warmKeysDefault = Math.max(1, Math.round(rows * DEFAULT_WARM_SHARE));
    return {
        rows,
        // rps × seconds is the number of requests each spike records: at most 6 million.
        rps: integer(input, "rps", { min: 1, max: 20_000, fallback: DEFAULTS.rps }),
        seconds: integer(input, "seconds", { min: 1, max: 300, fallback: DEFAULTS.seconds }),
        skew: skewOf(input),
        warmKeys: integer(input, "warmKeys", { min: 1, max: rows, maxName: "--rows", fallback: warmKeysDefault }),
        redis: loopbackUrl(input, "redis", ["redis:"]),
        postgres: loopbackUrl(input, "postgres", ["postgres:", "postgresql:"]),
        out: outDir(input),
        seed: integer(input, "seed", { min: 0, max: 2 ** 32 - 1, fallback: DEFAULTS.seed }),
    };
}

interface Range {
    min: number;
    max: number;
    /** Names the flag `max` comes from, when it is another flag's value. */
    maxName?: string;
    fallback: number;
}

function integer(input: DrillInput, field: "rows" | "rps" | "seconds" | "warmKeys" | "seed", range: Range): number {
    const raw = input[field];
    if (raw === undefined) return range.fallback;
    const value = toNumber(raw);
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
        const max = range.max.toLocaleString("en-US");
        throw new WarmInputError(
            field,
            `expected an integer from ${range.min} to ${range.maxName ? `${range.maxName} (${max})` : max}, got ${show(raw)}`,
        );
    }
    return value;
}

function skewOf(input: DrillInput): number {
    const raw = input.skew;
    if (raw === undefined) return DEFAULTS.skew;
    const value = toNumber(raw);
    if (!(value > 0 && value <= 10))
        throw new WarmInputError("skew", `expected a number > 0 and ≤ 10, got ${show(raw)}`);
    return value;
}

/** The drill floods what it points at: only servers on this machine are accepted. */
function loopbackUrl(input: DrillInput, field: "redis" | "postgres", schemes: string[]): string | undefined {
    const raw = input[field];
    if (raw === undefined) return undefined;
    const form = `a ${schemes[0]}//… URL on loopback (127.0.0.1, ::1 or localhost)`;
    const url = typeof raw === "string" && URL.canParse(raw) ? new URL(raw) : undefined;
    if (!url || !schemes.includes(url.protocol) || !LOOPBACK.test(url.hostname)) {
        // The URL may carry a password: name the host, never echo the whole thing.
        throw new WarmInputError(field, `expected ${form}, got host ${show(url?.hostname ?? "(unparseable)")}`);
    }
    return raw;
}

function outDir(input: DrillInput): string {
    const raw = input.out;
    if (raw === undefined) return DEFAULTS.out;
    if (typeof raw !== "string" || !raw.trim())
        throw new WarmInputError("out", `expected a directory path, got ${show(raw)}`);
    return raw;
}

function toNumber(raw: string | number): number {
    return typeof raw === "number" ? raw : raw.trim() === "" ? NaN : Number(raw);
}

function show(raw: unknown): string {
    return typeof raw === "string" ? JSON.stringify(raw) : String(raw);
}
