// The drill's three runs of the same spike, and when each one's warm happens. The cache warm is only as good as
// its timing: a warm done at deploy time, hours before the event, has expired by the start (the TTL has run
// out); one timed just before the start carries the spike. The drill scales the times down (a TTL of seconds,
// not an hour) so both fit in a minute.

/** The runs, in the order they go, each on the same spike (same seed, same key sequence). */
export const RUNS = ["cold", "early", "timed"] as const;
export type RunName = (typeof RUNS)[number];

/** How each run is named in the terminal, the report and the chart. */
export const RUN_LABELS: Record<RunName, string> = {
    cold: "cold",
    early: "early warm",
    timed: "event-timed warm",
};

/** The runs whose cache the engine pre-warms first, with a pre-warmed pg pool; the cold run has neither. */
export type WarmedRun = Exclude<RunName, "cold">;

/** Margin past the longest TTL before the early run's spike: expiry is checked by Redis in whole milliseconds. */
export const EXPIRY_MARGIN_MS = 1_000;

/**
 * How long the early run waits between the end of its warm and its spike: past the longest TTL the engine may
 * draw (`ttl` × (1 + `jitter`)), so every key it wrote has expired, as a deploy-time warm has by an event's
 * start when the lead is longer than the TTL.
 */
export function earlyWaitMs(ttlSeconds: number, jitter: number): number {
    return Math.ceil(ttlSeconds * (1 + jitter) * 1000) + EXPIRY_MARGIN_MS;
}
