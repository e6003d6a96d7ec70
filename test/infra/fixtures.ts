// Configs the infra tests share: a valid everyday stack, an event, and a deploy clock well before it.
import { parseConfig, WarmstackConfig } from "../../infra/config";

/** A valid everyday config; each test breaks or extends it. */
export function validRaw(): Record<string, any> {
    return {
        traffic: { baselineRps: 100, peakRps: 1000, rpsPerInstance: 100 },
        compute: { amiId: "ami-0123456789abcdef0" },
        cache: { prewarm: { query: "SELECT k AS key, v AS value FROM t" } },
        database: { readQps: 1000, readQpsPerReplica: 500, maxConnections: 500 },
    };
}

export function configWith(patch: (raw: Record<string, any>) => void): WarmstackConfig {
    const raw = validRaw();
    patch(raw);
    return parseConfig(raw);
}

export const EVENT = {
    name: "sale",
    start: "2027-11-26T05:00:00Z",
    end: "2027-11-27T05:00:00Z",
    rampLeadMinutes: 45,
    cooldownMinutes: 60,
};

/** A deploy clock a year before EVENT: every instant of it is still ahead. */
export const NOW = Date.parse("2026-11-26T00:00:00Z");
