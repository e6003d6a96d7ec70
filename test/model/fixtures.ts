// Configs the infra tests share: a valid everyday stack, an event, a deploy clock well before it, and the
// arbitrary of valid configs the property tests range over.
import fc from "fast-check";
import { ConfigError, parseConfig, WarmstackConfig } from "../../model/config";
import { plan, ReadinessPlan } from "../../model/plan";
import { POOL_STATES } from "../../policies/shared/contract";

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

/** A raw config as Pulumi holds it: `warmstack:key` → the value as JSON text (what planStack reads). */
export const pulumiValues = (raw: Record<string, any>): Record<string, string> =>
    Object.fromEntries(Object.entries(raw).map(([key, value]) => [`warmstack:${key}`, JSON.stringify(value)]));

export const EVENT = {
    name: "sale",
    start: "2027-11-26T05:00:00Z",
    end: "2027-11-27T05:00:00Z",
    rampLeadMinutes: 45,
    cooldownMinutes: 60,
};

/** A deploy clock a year before EVENT: every instant of it is still ahead. */
export const NOW = Date.parse("2026-11-26T00:00:00Z");

const PRICED_INSTANCE_TYPES = ["c7i.large", "c7i.xlarge"];
const PRICED_NODE_TYPES = ["cache.r7g.large", "cache.r7g.xlarge"];

/** Valid configs over the ranges a stack may take: with or without an event, priced from the table. */
export const arbConfig = fc
    .record({
        baselineRps: fc.integer({ min: 1, max: 50_000 }),
        extraRps: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200_000 })),
        rpsPerInstance: fc.integer({ min: 10, max: 2000 }),
        headroom: fc.double({ min: 0, max: 1, noNaN: true }),
        minInstances: fc.integer({ min: 1, max: 10 }),
        instanceType: fc.constantFrom(...PRICED_INSTANCE_TYPES),
        poolState: fc.constantFrom(...POOL_STATES),
        fractionOfPeak: fc.double({ min: 0, max: 1, noNaN: true }),
        rootVolumeGb: fc.integer({ min: 8, max: 500 }),
        readQps: fc.integer({ min: 0, max: 500_000 }),
        readQpsPerReplica: fc.integer({ min: 100, max: 50_000 }),
        maxConnections: fc.integer({ min: 1, max: 20_000 }),
        connectionReserve: fc.double({ min: 0, max: 0.9, noNaN: true }),
        writerMin: fc.integer({ min: 1, max: 10 }),
        readerMin: fc.integer({ min: 1, max: 10 }),
        poolMaxExtra: fc.integer({ min: 0, max: 40 }),
        bootSeconds: fc.integer({ min: 30, max: 900 }),
        warmupSeconds: fc.integer({ min: 0, max: 600 }),
        nodeType: fc.constantFrom(...PRICED_NODE_TYPES),
        cacheReplicas: fc.integer({ min: 1, max: 5 }),
        topKeys: fc.integer({ min: 1, max: 100_000_000 }),
        avgEntryBytes: fc.integer({ min: 1, max: 100_000 }),
        cacheHeadroom: fc.double({ min: 0, max: 0.9, noNaN: true }),
        ttlSeconds: fc.integer({ min: 60, max: 7 * 86_400 }),
        ttlJitter: fc.double({ min: 0, max: 0.99, noNaN: true }),
        leadMinutes: fc.option(fc.integer({ min: 1, max: 240 }), { nil: undefined }),
        revenuePerMinute: fc.option(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1e6, noNaN: true })), {
            nil: undefined,
        }),
        rampLeadMinutes: fc.integer({ min: 1, max: 240 }),
        cooldownMinutes: fc.integer({ min: 0, max: 600 }),
        withEvent: fc.boolean(),
        startMs: fc.integer({ min: Date.parse("2027-01-01T00:00:00Z"), max: Date.parse("2030-01-01T00:00:00Z") }),
        durationMinutes: fc.integer({ min: 1, max: 10_000 }),
    })
    .map((a) =>
        configWith((r) => {
            r.traffic = {
                baselineRps: a.baselineRps,
                peakRps: a.baselineRps + a.extraRps,
                rpsPerInstance: a.rpsPerInstance,
                headroom: a.headroom,
            };
            r.compute = {
                ...r.compute,
                instanceType: a.instanceType,
                minInstances: a.minInstances,
                bootSeconds: a.bootSeconds,
                warmupSeconds: a.warmupSeconds,
                rootVolumeGb: a.rootVolumeGb,
                warmPool: { state: a.poolState, fractionOfPeak: a.fractionOfPeak },
            };
            r.cache = {
                nodeType: a.nodeType,
                replicas: a.cacheReplicas,
                headroom: a.cacheHeadroom,
                prewarm: {
                    ...r.cache.prewarm,
                    topKeys: a.topKeys,
                    avgEntryBytes: a.avgEntryBytes,
                    ttlSeconds: a.ttlSeconds,
                    ttlJitter: a.ttlJitter,
                    ...(a.leadMinutes !== undefined && { leadMinutes: a.leadMinutes }),
                },
            };
            r.database = {
                ...r.database,
                readQps: a.readQps,
                readQpsPerReplica: a.readQpsPerReplica,
                maxConnections: a.maxConnections,
                connectionReserve: a.connectionReserve,
                pool: {
                    writerMin: a.writerMin,
                    readerMin: a.readerMin,
                    max: Math.max(a.writerMin, a.readerMin) + a.poolMaxExtra,
                },
            };
            if (a.revenuePerMinute !== undefined) r.cost = { revenuePerMinute: a.revenuePerMinute };
            if (a.withEvent) {
                r.event = {
                    name: "prop",
                    start: new Date(a.startMs).toISOString(),
                    end: new Date(a.startMs + a.durationMinutes * 60_000).toISOString(),
                    rampLeadMinutes: a.rampLeadMinutes,
                    cooldownMinutes: a.cooldownMinutes,
                };
            }
        }),
    );

/** Plans, or returns the ConfigError; anything else thrown fails the property. */
export function attempt(config: WarmstackConfig, now = NOW): ReadinessPlan | ConfigError {
    try {
        return plan(config, { now });
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
}

/**
 * Property runs: `n` normally, a tenth under StrykerJS, which reruns the covering tests once per mutant; a tenth
 * still kills what the property can.
 */
export const runs = (n: number): number => (process.env.STRYKER_MUTATOR_WORKER ? Math.ceil(n / 10) : n);
