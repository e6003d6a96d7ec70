// What a run measured, request by request, and its summary: per-second hit ratio, database queries, shed
// arrivals and latency percentiles, and the hit ratio over the first requests (what the first users of an event
// get). A shed arrival was never answered: it counts against the hit ratio and is shown, never left out.

export type Outcome = "hit" | "miss" | "error" | "shed";

/** The first-users window the warm run is judged on. */
export const FIRST_REQUESTS = 1_000;

export interface SecondStats {
    /** 1 = the first second of the spike. */
    second: number;
    /** Requests that arrived in this second and were served (hit, miss or error). */
    requests: number;
    hits: number;
    /** Hits over every arrival of this second, shed ones included: the share of users the cache answered. */
    hitRatio: number;
    /** Cache misses: each one read the database. */
    dbQueries: number;
    errors: number;
    /**
     * Arrivals dropped because the in-flight bound was reached: requests the system could not take. Each would
     * have been a cache read, and at most one more database query.
     */
    shed: number;
    p50Ms: number;
    p99Ms: number;
}

/** What the per-request records alone tell. */
export interface RecordedSummary {
    perSecond: SecondStats[];
    requests: number;
    hits: number;
    dbQueries: number;
    errors: number;
    shed: number;
    p50Ms: number;
    p99Ms: number;
    /** How many requests the first-requests hit ratio covers: FIRST_REQUESTS, or fewer in a short run. */
    firstRequests: number;
    firstHitRatio: number;
    firstError?: string;
}

export interface RunSummary extends RecordedSummary {
    /** p99 of the load generator's own event-loop delay: how much of the latency is the client stalling. */
    loopLagP99Ms: number;
}

const CODE: Record<Outcome, number> = { hit: 1, miss: 2, error: 3, shed: 4 };

/** Fixed-size storage for every arrival of a run, indexed by arrival order. */
export class RunRecorder {
    private readonly outcomes: Uint8Array;
    private readonly latencies: Float64Array;
    private firstError: string | undefined;

    constructor(
        readonly total: number,
        readonly rps: number,
    ) {
        this.outcomes = new Uint8Array(total);
        this.latencies = new Float64Array(total);
    }

    record(arrival: number, outcome: Outcome, latencyMs = 0, error?: unknown): void {
        this.outcomes[arrival] = CODE[outcome];
        this.latencies[arrival] = latencyMs;
        if (error !== undefined) this.firstError ??= (error as Error).message;
    }

    summarize(): RecordedSummary {
        const perSecond: SecondStats[] = [];
        for (let start = 0; start < this.total; start += this.rps) {
            const stats = this.stats(start, Math.min(start + this.rps, this.total));
            perSecond.push({
                second: perSecond.length + 1,
                ...stats,
                hitRatio: ratio(stats.hits, stats.requests + stats.shed),
            });
        }
        const all = this.stats(0, this.total);
        const first = this.firstServed(FIRST_REQUESTS);
        return {
            perSecond,
            requests: all.requests,
            hits: all.hits,
            dbQueries: all.dbQueries,
            errors: all.errors,
            shed: all.shed,
            p50Ms: all.p50Ms,
            p99Ms: all.p99Ms,
            firstRequests: first.requests,
            firstHitRatio: ratio(first.hits, first.requests),
            firstError: this.firstError,
        };
    }

    /** Counts and latency percentiles over the arrivals in [from, to). */
    private stats(from: number, to: number) {
        const counts = [0, 0, 0, 0, 0];
        const served: number[] = [];
        for (let i = from; i < to; i++) {
            const code = this.outcomes[i];
            counts[code]++;
            if (code !== CODE.shed) served.push(this.latencies[i]);
        }
        served.sort((a, b) => a - b);
        return {
            requests: served.length,
            hits: counts[CODE.hit],
            dbQueries: counts[CODE.miss],
            errors: counts[CODE.error],
            shed: counts[CODE.shed],
            p50Ms: percentile(served, 0.5),
            p99Ms: percentile(served, 0.99),
        };
    }

    /** Hits among the first `n` served arrivals (shed ones never reached the cache). */
    private firstServed(n: number): { requests: number; hits: number } {
        let requests = 0;
        let hits = 0;
        for (let i = 0; i < this.total && requests < n; i++) {
            if (this.outcomes[i] === CODE.shed) continue;
            requests++;
            if (this.outcomes[i] === CODE.hit) hits++;
        }
        return { requests, hits };
    }
}

/** Nearest-rank percentile of ascending `sorted`; 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
    if (sorted.length === 0) return 0;
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);
