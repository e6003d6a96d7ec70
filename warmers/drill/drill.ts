// The drill end to end: servers (started, or the ones given), the catalogue, then the same spike twice:
// cold (empty cache, fresh pool) and warm (the engine's pre-warm of the hottest keys, pre-warmed pool).
// It measures and reports; problems() judges the figures and the command exits on them.
import type Redis from "ioredis";
import * as engine from ".."; // the warm engine's public API: the pre-warm is `warmstack warm`, not a copy
import { startPostgres, startRedis } from "../local/servers";
import { HOTTEST_FIRST, TABLE, TTL_SECONDS, clearDrillKeys, seedCatalogue } from "./catalogue";
import { chartSvg } from "./chart";
import { closeWithin, openClient, openRedis } from "./clients";
import { runLoad } from "./load";
import type { RunSummary } from "./metrics";
import { resolveDrillOptions, type DrillInput, type DrillOptions } from "./options";
import { runPool, timeFirstRequest } from "./pools";
import { seededRandom } from "./random";
import { cacheAside } from "./readpath";
import { problems, writeReport, type DrillResult } from "./report";
import { ZipfSampler, zipfMass } from "./zipf";

/** Requests allowed in flight at once; beyond it arrivals are shed, so a stalled server cannot pile up memory. */
const MAX_IN_FLIGHT = 512;

export interface DrillRun {
    result: DrillResult;
    /** Empty when the warm run delivered what the pre-warm's size promises and nothing failed. */
    problems: string[];
    report: string;
    chart: string;
}

type Progress = (line: string) => void;
type Undo = () => Promise<void> | void;
type Step = <T>(what: string, work: () => Promise<T>) => Promise<T>;

interface Servers {
    redis: string;
    postgres: string;
}

export async function runDrill(input: DrillInput, progress: Progress = () => {}): Promise<DrillRun> {
    const options = resolveDrillOptions(input); // every flag is checked before anything starts
    const step: Step = async (what, work) => {
        const started = performance.now();
        progress(`${what}…`);
        const value = await work();
        progress(`${what}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        return value;
    };
    // Undone in reverse order: the Redis connection before the servers it talks to.
    const cleanup: Undo[] = [];
    try {
        const servers = await serversFor(options, cleanup, progress);
        const redis = await openRedis(servers.redis); // before seeding: an unreachable Redis fails in seconds, not after a minute
        cleanup.push(() => redis.disconnect());
        await step(`seeding ${options.rows.toLocaleString("en-US")} products into ${TABLE}`, () =>
            seed(servers.postgres, options.rows),
        );
        const firstRequest = await step("timing the first request over a cold and a pre-warmed pool", () =>
            timeFirstRequest(servers.postgres),
        );
        const { cold, warm, warmed } = await spikes(redis, servers, options, step);
        const mass = zipfMass(options.rows, options.skew, options.warmKeys);
        const result: DrillResult = { options, cold, warm, warmed, mass, firstRequest };
        const files = await writeReport(options.out, result, await chartSvg(cold, warm, mass));
        return { result, problems: problems(result), ...files };
    } finally {
        // Every step runs even when one fails, so no private server outlives the drill.
        for (const undo of cleanup.reverse())
            await Promise.resolve()
                .then(undo)
                .catch(() => undefined);
    }
}

/** Cold spike, the engine's pre-warm, warm spike: a fresh pg pool for each spike, cold or pre-warmed. */
async function spikes(
    redis: Redis,
    servers: Servers,
    options: DrillOptions,
    step: Step,
): Promise<{ cold: RunSummary; warm: RunSummary; warmed: engine.WarmReport }> {
    const sampler = new ZipfSampler(options.rows, options.skew);
    const spike = async (warmPool: boolean): Promise<RunSummary> => {
        const pool = await runPool(servers.postgres, warmPool);
        try {
            const random = seededRandom(options.seed); // the same seed: both spikes read the same keys in the same order
            const plan = {
                rps: options.rps,
                seconds: options.seconds,
                maxInFlight: MAX_IN_FLIGHT,
                nextId: () => sampler.sample(random),
            };
            return await runLoad(plan, cacheAside(redis, pool));
        } finally {
            await closeWithin(pool);
        }
    };
    await clearDrillKeys(redis);
    const cold = await step("cold spike", () => spike(false));
    await clearDrillKeys(redis);
    const warmed = await step(
        `pre-warming the top ${options.warmKeys.toLocaleString("en-US")} keys with the engine`,
        () =>
            engine.warm({
                source: servers.postgres,
                query: HOTTEST_FIRST,
                redis: servers.redis,
                top: options.warmKeys,
                ttl: TTL_SECONDS,
            }),
    );
    return { cold, warmed, warm: await step("warm spike", () => spike(true)) };
}

/** The servers given by URL, or private ones on loopback whose stop() goes onto `cleanup`. */
async function serversFor(options: DrillOptions, cleanup: Undo[], progress: Progress): Promise<Servers> {
    const start = async (given: string | undefined, starter: () => Promise<{ url: string; stop(): Promise<void> }>) => {
        if (given) return given;
        const server = await starter();
        cleanup.push(() => server.stop());
        return server.url;
    };
    if (!options.redis || !options.postgres) progress("starting private servers on loopback…");
    // Settle both before failing, so a server that did start is on `cleanup` and gets stopped.
    const [redis, postgres] = await Promise.allSettled([
        start(options.redis, startRedis),
        start(options.postgres, startPostgres),
    ]);
    if (redis.status === "rejected") throw redis.reason;
    if (postgres.status === "rejected") throw postgres.reason;
    return { redis: redis.value, postgres: postgres.value };
}

async function seed(url: string, rows: number): Promise<void> {
    // Generating and indexing a million rows takes seconds; allow a minute plus 0.1 ms per row.
    const client = await openClient(url, 60_000 + rows / 10);
    try {
        await seedCatalogue(client, rows);
    } finally {
        await closeWithin(client);
    }
}
