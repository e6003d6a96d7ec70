// A small drill end to end against the private test servers: real Redis, real PostgreSQL, the real engine. The
// same spike three times: cold, after an early warm whose TTL (2 s here) ran out, after an event-timed warm.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { runDrill, type DrillRun } from "../../warmers/drill/drill";
import { MASS_TOLERANCE } from "../../warmers/drill/report";
import { RUNS } from "../../warmers/drill/runs";
import { zipfMass } from "../../warmers/drill/zipf";
import { testPostgres, testRedis } from "../support/servers";

const ROWS = 20_000;
const WARM_KEYS = 2_000;
const TTL = 4; // twice the spike, as the default: keys warmed just before it outlive it

describe("drill: cold, early warm and event-timed warm on real servers", function () {
    this.timeout(60_000);
    let out: string;
    let run: DrillRun;
    let bystander: string | null;

    before(async () => {
        const [redis, postgres] = await Promise.all([testRedis(), testPostgres()]);
        out = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-drill-"));
        const client = new Redis(redis.url, {
            lazyConnect: true,
            connectTimeout: 2_000,
            commandTimeout: 2_000,
            maxRetriesPerRequest: 0,
        });
        try {
            await client.connect();
            await client.set("someone-else:key", "keep me");
            run = await runDrill({
                rows: ROWS,
                rps: 500,
                seconds: 2,
                warmKeys: WARM_KEYS,
                ttl: TTL,
                redis: redis.url,
                postgres: postgres.url,
                out,
                seed: 42,
            });
            bystander = await client.get("someone-else:key");
        } finally {
            client.disconnect();
        }
    });

    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it("writes the Markdown report and a Vega-Lite SVG chart of the three runs", () => {
        const report = fs.readFileSync(path.join(out, "report.md"), "utf8");
        assert.match(report, /^# warmstack drill/);
        assert.match(report, /!\[[^\]]*\]\(drill-chart\.svg\)/);
        assert.match(report, /Zipf mass of the 2,000 warmed keys/);
        assert.match(report, /hit ratio cold \| hit ratio early warm \| hit ratio event-timed warm/);
        const svg = fs.readFileSync(path.join(out, "drill-chart.svg"), "utf8");
        assert.match(svg, /^<svg[\s>]/);
        for (const label of ["cache hit ratio", "database queries / s", "cold", "early warm", "event-timed warm"])
            assert.ok(svg.includes(`>${label}<`), `chart lacks "${label}"`);
        assert.deepEqual([run.report, run.chart], [path.join(out, "report.md"), path.join(out, "drill-chart.svg")]);
    });

    it("replays the same spike three times: every arrival accounted for, none failed", () => {
        for (const name of RUNS) {
            const summary = run.result.runs[name];
            assert.equal(summary.requests + summary.shed, 1_000, name);
            assert.equal(summary.errors, 0, summary.firstError);
        }
        assert.deepEqual(run.problems, []);
    });

    it("pre-warms with the engine before both warmed runs: the top keys written and verified", () => {
        for (const warmed of [run.result.warms.early, run.result.warms.timed]) {
            assert.equal(warmed.keysWritten, WARM_KEYS);
            assert.equal(warmed.warmth, 1);
        }
    });

    it("the early warm has expired by its spike, the event-timed one is whole", () => {
        const { timing } = run.result;
        assert.equal(timing.liveSampled, 1_000);
        assert.deepEqual(timing.live, { early: 0, timed: 1_000 });
        assert.ok(timing.earlyWaitMs > TTL * 1.1 * 1000, `waited ${timing.earlyWaitMs} ms`);
    });

    it("only the event-timed warm helps: its first second beats cold and early by a wide margin", () => {
        const { cold, early, timed } = run.result.runs;
        const first = (summary: typeof cold) => summary.perSecond[0].hitRatio;
        assert.ok(first(timed) - first(cold) >= 0.25, `first second: cold ${first(cold)}, timed ${first(timed)}`);
        assert.ok(first(timed) - first(early) >= 0.25, `first second: early ${first(early)}, timed ${first(timed)}`);
        // The early warm's keys are gone: it reads the database about as often as the cold run, whose slower, cold
        // pool lets more concurrent misses of the same key through; the event-timed warm saves most of them.
        assert.ok(timed.dbQueries < cold.dbQueries / 2, `timed ${timed.dbQueries} vs cold ${cold.dbQueries}`);
        assert.ok(timed.dbQueries < early.dbQueries / 2, `timed ${timed.dbQueries} vs early ${early.dbQueries}`);
    });

    it("the event-timed run's first 1,000 requests hit at least the Zipf mass of the warmed set minus 2 points", () => {
        const mass = zipfMass(ROWS, 1, WARM_KEYS);
        const { timed } = run.result.runs;
        assert.equal(run.result.mass, mass);
        assert.equal(timed.firstRequests, 1_000);
        assert.ok(timed.firstHitRatio >= mass - MASS_TOLERANCE, `first 1,000: ${timed.firstHitRatio} vs mass ${mass}`);
    });

    it("leaves other keys in a shared Redis alone", () => {
        assert.equal(bystander, "keep me");
    });
});
