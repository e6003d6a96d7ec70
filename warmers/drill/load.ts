// Open-loop load: requests arrive on a fixed schedule (rps for `seconds`) whether or not earlier ones have
// answered, as users do; a slow cache makes requests pile up instead of slowing the arrivals. Bounded in
// count (rps × seconds), in time (no arrival after `seconds`; each request has its own timeouts) and in
// concurrency (arrivals beyond maxInFlight are shed and counted, never queued without limit).
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { RunRecorder, type RunSummary } from "./metrics";
import type { Read } from "./readpath";

export interface LoadPlan {
    rps: number;
    seconds: number;
    maxInFlight: number;
    /** The product each arrival reads, in arrival order; the same sequence makes two runs comparable. */
    nextId: () => number;
}

/** Runs the plan against `read` and resolves with its summary once every request has answered. */
export async function runLoad(plan: LoadPlan, read: Read): Promise<RunSummary> {
    const total = plan.rps * plan.seconds;
    const recorder = new RunRecorder(total, plan.rps);
    const msPerArrival = 1000 / plan.rps;
    let inFlight = 0;
    let drained: (() => void) | undefined;

    const issue = async (arrival: number, id: number, due: number) => {
        inFlight++;
        try {
            const outcome = await read(id);
            recorder.record(arrival, outcome, performance.now() - due);
        } catch (err) {
            recorder.record(arrival, "error", performance.now() - due, err);
        } finally {
            if (--inFlight === 0) drained?.();
        }
    };

    // The generator shares its event loop with the clients: its own stalls (GC, a busy CPU) are measured
    // too, so a latency spike can be told apart from a slow server.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const start = performance.now();
    let next = 0;
    while (next < total) {
        // Everything due by now goes out in this tick; latency counts from when a request was due, so a
        // late timer or a busy event loop shows up in the figures instead of hiding (coordinated omission).
        const dueNow = Math.min(total, Math.floor((performance.now() - start) / msPerArrival) + 1);
        for (; next < dueNow; next++) {
            const id = plan.nextId();
            if (inFlight >= plan.maxInFlight) recorder.record(next, "shed");
            else void issue(next, id, start + next * msPerArrival);
        }
        if (next < total) await sleep(Math.max(0, start + next * msPerArrival - performance.now()));
    }
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
    lag.disable();
    return { ...recorder.summarize(), loopLagP99Ms: lag.percentile(99) / 1e6 };
}
