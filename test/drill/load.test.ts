// The load generator's own contract (schedule, bounds, shedding), with a plain async function as the read:
// the drill test runs the same generator against the real servers.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { runLoad } from "../../warmers/drill/load";

describe("drill: open-loop load", () => {
    it("issues exactly rps × seconds requests, in order, and stops by itself", async () => {
        const seen: number[] = [];
        let id = 0;
        const started = performance.now();
        const summary = await runLoad({ rps: 200, seconds: 2, maxInFlight: 100, nextId: () => ++id }, async (n) => {
            seen.push(n);
            await sleep(2);
            return "hit";
        });
        const elapsed = performance.now() - started;
        assert.deepEqual(
            seen,
            Array.from({ length: 400 }, (_, i) => i + 1),
        );
        assert.ok(elapsed >= 1_980 && elapsed < 3_000, `took ${elapsed} ms for a 2 s plan`);
        assert.equal(summary.requests, 400);
        assert.deepEqual(
            summary.perSecond.map((s) => s.requests),
            [200, 200],
        );
    });

    it("keeps arriving while requests are slow (open loop), shedding beyond the in-flight bound", async () => {
        let calls = 0;
        const started = performance.now();
        const summary = await runLoad({ rps: 100, seconds: 1, maxInFlight: 5, nextId: () => 1 }, async () => {
            calls++;
            await sleep(300);
            return "miss";
        });
        const elapsed = performance.now() - started;
        assert.equal(summary.requests + summary.shed, 100, "every arrival is accounted for");
        assert.equal(summary.requests, calls);
        assert.ok(calls >= 10 && calls <= 25, `${calls} requests served at 5 in flight × 300 ms over 1 s`);
        assert.ok(elapsed < 1_700, `a slow read delays the end by one read at most, took ${elapsed} ms`);
        assert.ok(summary.p50Ms >= 300, "latency counts from when the request was due");
    });

    it("counts a failed read as an error with its reason", async () => {
        const summary = await runLoad({ rps: 10, seconds: 1, maxInFlight: 10, nextId: () => 1 }, async () => {
            throw new Error("connection refused");
        });
        assert.equal(summary.errors, 10);
        assert.equal(summary.firstError, "connection refused");
    });
});
