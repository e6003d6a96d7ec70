// Pure number and time helpers the pack and the program share. They live here because the pack is published on
// its own: infra/ imports them from the pack, never the reverse.

/** Decimal places kept by `settle`: far below any quantity the plan or the pack counts, far above float noise. */
const SETTLE_DIGITS = 9;

/**
 * `x` with binary floating-point noise dropped, for rounding up or down: 1000 × (1 − 0.9) is 99.99999999999997 in
 * floating point, and `Math.floor` of it must be 100.
 */
export const settle = (x: number): number => Number(x.toFixed(SETTLE_DIGITS));

/** An instant (ms since the epoch) as UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`; milliseconds are dropped. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
