// The drill end to end: servers (started, or the ones given), the catalogue, then the same spike three times:
// cold (empty cache, fresh pool), after an early warm (the engine's pre-warm, then a wait past its TTL, as a
// deploy-time warm has expired by the event's start) and after an event-timed warm (the same pre-warm just before
// the spike). It measures and reports; problems() judges the figures and the command exits on them.
import type Redis from "ioredis";
import * as engine from ".."; // the warm engine's public API: the pre-warm is `warmstack warm`, not a copy
import { WARM_DEFAULTS } from "../engine/options";
import { startPostgres, startRedis } from "../local/servers";
import { sleep } from "../timeout";
import { HOTTEST_FIRST, TABLE, clearDrillKeys, liveHottest, seedCatalogue } from "./catalogue";
import { chartSvg } from "./chart";
import { closeWithin, openClient, openRedis } from "./clients";
import { runLoad } from "./load";
import type { RunSummary } from "./metrics";
import { resolveDrillOptions, type DrillInput, type DrillOptions } from "./options";
import { checkOutDir } from "../out-dir";
import { runPool, timeFirstRequest } from "./pools";
import { seededRandom } from "./random";
import { cacheAside } from "./readpath";
import { problems, writeReport, type DrillResult } from "./report";
import { RUN_LABELS, earlyWaitMs, type RunName, type WarmedRun } from "./runs";
import { ZipfSampler, zipfMass } from "./zipf";

/** Requests allowed in flight at once; beyond it arrivals are shed, so a stalled server cannot pile up memory. */
const MAX_IN_FLIGHT = 512;

export interface DrillRun {
    result: DrillResult;
    /** Empty when the event-timed run delivered what the pre-warm's size promises and nothing failed. */
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
    const options = resolveDrillOptions(input); // every flag is checked before anything starts,
    await checkOutDir(options.out); // --out too: a report that cannot be written fails now, not after the run
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
        const mass = zipfMass(options.rows, options.skew, options.warmKeys);
        const result: DrillResult = { options, mass, firstRequest, ...(await spikes(redis, servers, options, step)) };
        const files = await writeReport(options.out, result, await chartSvg(result.runs, mass));
        return { result, problems: problems(result), ...files };
    } finally {
        // Every step runs even when one fails, so no private server outlives the drill.
        for (const undo of cleanup.reverse())
            await Promise.resolve()
                .then(undo)
                .catch(() => undefined);
    }
}

/** The hottest keys checked at each warmed spike's start: the engine's own verify sample size. */
const LIVE_SAMPLE = WARM_DEFAULTS.verifySample;

/**
 * The three runs: cold on a fresh pg pool; then, each on a pre-warmed pool, the engine's pre-warm followed by a
 * wait past its TTL (early) or by the spike at once (event-timed). The cache is emptied of the drill's keys before
 * each, so every run starts from what its warm left.
 */
async function spikes(
    redis: Redis,
    servers: Servers,
    options: DrillOptions,
    step: Step,
): Promise<Pick<DrillResult, "runs" | "warms" | "timing">> {
    const sampler = new ZipfSampler(options.rows, options.skew);
    /** One run: its pg pool first (so nothing but `before` stands between the warm and the spike), then the load. */
    const spike = async <T>(run: RunName, before: () => Promise<T>): Promise<[RunSummary, T]> => {
        const pool = await runPool(servers.postgres, run !== "cold");
        try {
            const prepared = await before();
            const random = seededRandom(options.seed); // the same seed: every spike reads the same keys in order
            const plan = {
                rps: options.rps,
                seconds: options.seconds,
                maxInFlight: MAX_IN_FLIGHT,
                nextId: () => sampler.sample(random),
            };
            return [await step(`${RUN_LABELS[run]}: spike`, () => runLoad(plan, cacheAside(redis, pool))), prepared];
        } finally {
            await closeWithin(pool);
        }
    };
    const jitter = WARM_DEFAULTS.jitter;
    const liveSampled = Math.min(LIVE_SAMPLE, options.warmKeys);
    const waitMs = earlyWaitMs(options.ttl, jitter);
    /** The engine's pre-warm, then `wait` ms, then how many of the hottest keys are still live. */
    const prewarm = async (run: WarmedRun, wait: number) => {
        await clearDrillKeys(redis);
        const report = await step(
            `${RUN_LABELS[run]}: pre-warming the top ${options.warmKeys.toLocaleString("en-US")} keys with the engine, TTL ${options.ttl} s ± ${jitter * 100}%`,
            () =>
                engine.warm({
                    source: servers.postgres,
                    query: HOTTEST_FIRST,
                    redis: servers.redis,
                    top: options.warmKeys,
                    ttl: options.ttl,
                    jitter,
                }),
        );
        if (wait > 0)
            await step(`${RUN_LABELS[run]}: waiting ${(wait / 1000).toFixed(1)} s, past the longest TTL it wrote`, () =>
                sleep(wait),
            );
        return { report, live: await liveHottest(redis, liveSampled) };
    };

    await clearDrillKeys(redis);
    const [cold] = await spike("cold", () => Promise.resolve());
    const [early, earlyWarm] = await spike("early", () => prewarm("early", waitMs));
    const [timed, timedWarm] = await spike("timed", () => prewarm("timed", 0));
    return {
        runs: { cold, early, timed },
        warms: { early: earlyWarm.report, timed: timedWarm.report },
        timing: { jitter, earlyWaitMs: waitMs, liveSampled, live: { early: earlyWarm.live, timed: timedWarm.live } },
    };
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
