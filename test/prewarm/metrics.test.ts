// The warmer's report as CloudWatch metrics, against moto (on loopback, started and stopped here): Warmth and
// KeysWritten under the stack's name, read back as `warmstack check` reads them; no stack name, nothing put;
// CloudWatch unreachable, the warm still succeeds and the miss is logged within the publish timeout.
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { STACK_NAME_ENV, WARM_METRICS } from "../../model/warm-metrics";
import type { PrewarmOutputs } from "../../model/prewarm-contract";
import { PUBLISH_TIMEOUT_MS, publishReport } from "../../warmers/prewarm/metrics";
import { startMoto, type Moto } from "../support/moto";
import { closedPort } from "../support/servers";

const REPORT: PrewarmOutputs = {
    replicationGroupId: "cache",
    rowsRead: 1200,
    keysWritten: 1000,
    skippedPresent: 150,
    skippedDuplicate: 50,
    skippedNull: 0,
    skippedTooLarge: 0,
    errors: 0,
    warmth: 0.97,
    durationMs: 800,
    keysPerSecond: 1250,
    oldestValueAgeMs: 20,
    lastWarmedAt: new Date(Date.now() - 120_000).toISOString(),
    blocksLoaded: {},
};

describe("the warmer's report as metrics", function () {
    this.timeout(60_000);
    let moto: Moto;
    const saved = { ...process.env };
    before(async () => {
        moto = await startMoto();
        // The function's SDK reads its endpoint and credentials from the environment, as in Lambda.
        Object.assign(process.env, moto.env);
    });
    after(async () => {
        for (const key of Object.keys(moto?.env ?? {})) delete process.env[key];
        Object.assign(process.env, saved);
        await moto?.stop();
    });

    async function latest(stack: string, metric: string) {
        const cw = new CloudWatchClient(moto.client);
        try {
            const answer = await cw.send(
                new GetMetricDataCommand({
                    StartTime: new Date(Date.now() - 3_600_000),
                    EndTime: new Date(Date.now() + 60_000),
                    MetricDataQueries: [
                        {
                            Id: "m",
                            MetricStat: {
                                Metric: {
                                    Namespace: WARM_METRICS.namespace,
                                    MetricName: metric,
                                    Dimensions: [{ Name: WARM_METRICS.dimension, Value: stack }],
                                },
                                Period: 60,
                                Stat: "Maximum",
                            },
                        },
                    ],
                }),
            );
            const series = answer.MetricDataResults![0];
            return series.Values?.map((value, i) => ({ value, at: series.Timestamps![i].getTime() }));
        } finally {
            cw.destroy();
        }
    }

    it("puts Warmth and KeysWritten under the stack's name, at the warm's end", async () => {
        assert.equal(await publishReport(REPORT, { ...process.env, [STACK_NAME_ENV]: "blackfriday" }), true);
        const warmth = await latest("blackfriday", WARM_METRICS.warmth);
        const keys = await latest("blackfriday", WARM_METRICS.keysWritten);
        assert.deepEqual(
            warmth?.map((p) => p.value),
            [0.97],
        );
        assert.deepEqual(
            keys?.map((p) => p.value),
            [1000],
        );
        // Within the minute of the report's own instant (CloudWatch keeps one-minute periods).
        assert.ok(Math.abs(warmth![0].at - Date.parse(REPORT.lastWarmedAt)) < 60_000);
    });

    it("puts nothing when the function was given no stack name", async () => {
        assert.equal(await publishReport(REPORT, { ...process.env, [STACK_NAME_ENV]: "" }), false);
        assert.deepEqual(await latest("", WARM_METRICS.warmth), []);
    });

    it("CloudWatch unreachable: logged, within the publish timeout, and the warm is not failed", async () => {
        const lines: string[] = [];
        const endpoint = process.env.AWS_ENDPOINT_URL;
        process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${await closedPort()}`;
        const started = Date.now();
        try {
            const put = await publishReport(REPORT, { ...process.env, [STACK_NAME_ENV]: "s" }, (l) => lines.push(l));
            assert.equal(put, false);
        } finally {
            process.env.AWS_ENDPOINT_URL = endpoint;
        }
        assert.ok(Date.now() - started < PUBLISH_TIMEOUT_MS + 1000);
        assert.equal(lines.length, 1);
        assert.match(lines[0], /^warmstack: the warm's metrics were not published: .*ECONNREFUSED/);
    });
});
