import assert from "node:assert/strict";
import { FIRST_REQUESTS, RunRecorder, percentile } from "../../warmers/drill/metrics";

describe("drill: per-second metrics", () => {
    it("takes nearest-rank percentiles", () => {
        const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
        assert.equal(percentile(sorted, 0.5), 50);
        assert.equal(percentile(sorted, 0.99), 99);
        assert.equal(percentile([7], 0.99), 7);
        assert.equal(percentile([], 0.5), 0);
    });

    it("buckets arrivals by the second they were due; a shed one counts against the hit ratio, not in latencies", () => {
        const recorder = new RunRecorder(8, 4); // 4 requests per second for 2 seconds
        ["hit", "miss", "miss", "shed"].forEach((outcome, i) =>
            recorder.record(i, outcome as "hit" | "miss" | "shed", 10 * (i + 1)),
        );
        ["hit", "hit", "hit", "error"].forEach((outcome, i) =>
            recorder.record(4 + i, outcome as "hit" | "error", 1, new Error("boom")),
        );
        const summary = recorder.summarize();
        assert.deepEqual(
            summary.perSecond.map(({ second, requests, hitRatio, dbQueries, shed, errors }) => ({
                second,
                requests,
                hitRatio,
                dbQueries,
                shed,
                errors,
            })),
            [
                { second: 1, requests: 3, hitRatio: 1 / 4, dbQueries: 2, shed: 1, errors: 0 },
                { second: 2, requests: 4, hitRatio: 3 / 4, dbQueries: 0, shed: 0, errors: 1 },
            ],
        );
        assert.equal(summary.perSecond[0].p99Ms, 30, "the shed arrival's latency is not a latency");
        assert.equal(summary.firstRequests, 7);
        assert.equal(summary.firstHitRatio, 4 / 7);
        assert.equal(summary.firstError, "boom");
    });

    it(`judges the first ${FIRST_REQUESTS} served requests, not the whole run`, () => {
        const total = FIRST_REQUESTS * 3;
        const recorder = new RunRecorder(total, total);
        for (let i = 0; i < total; i++) recorder.record(i, i < FIRST_REQUESTS ? "miss" : "hit");
        const summary = recorder.summarize();
        assert.equal(summary.firstRequests, FIRST_REQUESTS);
        assert.equal(summary.firstHitRatio, 0);
        assert.equal(summary.hits, 2 * FIRST_REQUESTS);
    });
});
