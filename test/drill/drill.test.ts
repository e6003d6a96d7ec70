// A small drill end to end against the private test servers: real Redis, real PostgreSQL, the real engine.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { runDrill, type DrillRun } from "../../warmers/drill/drill";
import { MASS_TOLERANCE } from "../../warmers/drill/report";
import { zipfMass } from "../../warmers/drill/zipf";
import { testPostgres, testRedis } from "../support/servers";

const ROWS = 20_000;
const WARM_KEYS = 2_000;

describe("drill: cold vs warm on real servers", function () {
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

    it("writes the Markdown report and a Vega-Lite SVG chart", () => {
        const report = fs.readFileSync(path.join(out, "report.md"), "utf8");
        assert.match(report, /^# warmstack drill/);
        assert.match(report, /!\[[^\]]*\]\(drill-chart\.svg\)/);
        assert.match(report, /Zipf mass of the 2,000 warmed keys/);
        const svg = fs.readFileSync(path.join(out, "drill-chart.svg"), "utf8");
        assert.match(svg, /^<svg[\s>]/);
        for (const label of ["cache hit ratio", "database queries / s", "cold", "warm"])
            assert.ok(svg.includes(`>${label}<`), `chart lacks "${label}"`);
        assert.deepEqual([run.report, run.chart], [path.join(out, "report.md"), path.join(out, "drill-chart.svg")]);
    });

    it("replays the same spike twice: same requests, every one served", () => {
        const { cold, warm } = run.result;
        assert.equal(cold.requests, 1_000);
        assert.equal(warm.requests, 1_000);
        assert.equal(cold.errors + warm.errors, 0, cold.firstError ?? warm.firstError);
        assert.deepEqual(run.problems, []);
    });

    it("pre-warms with the engine: the top keys written and verified", () => {
        assert.equal(run.result.warmed.keysWritten, WARM_KEYS);
        assert.equal(run.result.warmed.warmth, 1);
    });

    it("the warm run's first second beats the cold run's by a wide margin", () => {
        const cold = run.result.cold.perSecond[0].hitRatio;
        const warm = run.result.warm.perSecond[0].hitRatio;
        assert.ok(warm - cold >= 0.25, `first-second hit ratio: cold ${cold}, warm ${warm}`);
        assert.ok(
            run.result.warm.dbQueries < run.result.cold.dbQueries / 2,
            "the pre-warm saves most database queries",
        );
    });

    it("the warm run's first 1,000 requests hit at least the Zipf mass of the warmed set minus 2 points", () => {
        const mass = zipfMass(ROWS, 1, WARM_KEYS);
        assert.equal(run.result.mass, mass);
        assert.equal(run.result.warm.firstRequests, 1_000);
        assert.ok(
            run.result.warm.firstHitRatio >= mass - MASS_TOLERANCE,
            `first 1,000: ${run.result.warm.firstHitRatio} vs mass ${mass}`,
        );
    });

    it("leaves other keys in a shared Redis alone", () => {
        assert.equal(bystander, "keep me");
    });
});
