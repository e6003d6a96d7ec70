// The drill's flags, checked before anything starts with the shared field validators (warmers/fields.ts): a bad
// one fails with a WarmInputError naming it, what is allowed and what was given (the CLI prints it as
// `--flag: …` and exits 2, as for `warmstack warm`).
import { decimal, fieldError, text, url, wholeNumber } from "../fields";

export interface DrillOptions {
    /**
     * Products in the catalogue.
     * @defaultValue 1,000,000
     */
    rows: number;
    /**
     * Requests per second during each spike.
     * @defaultValue 5,000
     */
    rps: number;
    /**
     * Length of each spike, in seconds.
     * @defaultValue 10
     */
    seconds: number;
    /**
     * Zipf exponent of key popularity: higher means more concentrated on the top products.
     * @defaultValue 1
     */
    skew: number;
    /**
     * How many of the hottest keys the engine pre-warms before the warmed spikes.
     * @defaultValue a tenth of `rows` ({@link DEFAULT_WARM_SHARE})
     */
    warmKeys: number;
    /**
     * TTL in seconds of the keys the engine pre-warms: the event's TTL, scaled down with the spike. The early warm
     * waits until every one of them has expired; the event-timed warm runs just before the spike, so they outlive it.
     * @defaultValue `seconds` × {@link DEFAULT_TTL_SPIKES}
     */
    ttl: number;
    /** Use this Redis (loopback only) instead of starting one. */
    redis?: string;
    /** Use this PostgreSQL (loopback only) instead of starting one. */
    postgres?: string;
    /**
     * Directory for the report and the chart; checked before anything starts.
     * @defaultValue "drill-report"
     */
    out: string;
    /**
     * Seed of the key sequence every spike replays.
     * @defaultValue 1
     */
    seed: number;
}

/** What a caller (or commander, as strings) may pass; anything left out takes its default. */
export type DrillInput = { [K in keyof DrillOptions]?: DrillOptions[K] | string };

export const DEFAULTS = { rows: 1_000_000, rps: 5_000, seconds: 10, skew: 1, out: "drill-report", seed: 1 } as const;
/** Default --warm-keys: the top tenth of the catalogue. */
export const DEFAULT_WARM_SHARE = 0.1;
/** Default --ttl: twice the spike, so keys warmed just before it outlive it whatever their jitter. */
export const DEFAULT_TTL_SPIKES = 2;
/** The longest --ttl: the early warm waits it out, and a drill is meant to take a minute, not an hour. */
export const MAX_TTL_SECONDS = 600;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
const ON_LOOPBACK = "on loopback (127.0.0.1, ::1 or localhost)";

export function resolveDrillOptions(input: DrillInput): DrillOptions {
    const rows = wholeNumber("rows", input.rows ?? DEFAULTS.rows, { min: 1, max: 10_000_000 });
    const seconds = wholeNumber("seconds", input.seconds ?? DEFAULTS.seconds, { min: 1, max: 300 });
    const rowsWords = `--rows (${rows.toLocaleString("en-US")})`;
    return {
        rows,
        // rps × seconds is the number of requests each spike records: at most 6 million.
        rps: wholeNumber("rps", input.rps ?? DEFAULTS.rps, { min: 1, max: 20_000 }),
        seconds,
        skew: decimal("skew", input.skew ?? DEFAULTS.skew, { min: 0, max: 10, exclusiveMin: true }),
        warmKeys: wholeNumber("warmKeys", input.warmKeys ?? Math.max(1, Math.round(rows * DEFAULT_WARM_SHARE)), {
            min: 1,
            max: rows,
            maxName: rowsWords,
        }),
        ttl: wholeNumber("ttl", input.ttl ?? Math.min(MAX_TTL_SECONDS, seconds * DEFAULT_TTL_SPIKES), {
            min: 1,
            max: MAX_TTL_SECONDS,
        }),
        redis: loopbackUrl("redis", input.redis, ["redis:"]),
        postgres: loopbackUrl("postgres", input.postgres, ["postgres:", "postgresql:"]),
        out: text("out", input.out ?? DEFAULTS.out),
        seed: wholeNumber("seed", input.seed ?? DEFAULTS.seed, { min: 0, max: 2 ** 32 - 1 }),
    };
}

/**
 * The drill floods what it points at: only servers on this machine are accepted. A wrong scheme is blamed on the
 * scheme (url() shows it), a remote host on the host; the password a URL may carry is never shown.
 */
function loopbackUrl(field: "redis" | "postgres", value: unknown, schemes: string[]): string | undefined {
    if (value === undefined) return undefined;
    const form = `a ${schemes.map((s) => `${s}//…`).join(" or ")} URL ${ON_LOOPBACK}`;
    const parsed = url(field, value, schemes, form);
    if (!LOOPBACK.test(parsed.hostname)) throw fieldError(field, form, `${parsed.protocol}//${parsed.host}`);
    return value as string;
}
