// Paces writes to an average rate, so a warm can run next to live traffic without starving it.
import { sleep } from "../timeout";

export class RateLimiter {
    /** When the next grant may start (ms on the performance clock). */
    private next = 0;

    constructor(private readonly opsPerSecond: number) {}

    /**
     * Waits until `count` more operations fit the rate. Idle time earns no credit, so any window of
     * T seconds carries at most rate × T operations plus one grant.
     */
    async take(count: number): Promise<void> {
        const now = performance.now();
        const start = Math.max(this.next, now);
        this.next = start + (count * 1000) / this.opsPerSecond;
        if (start > now) await sleep(start - now);
    }
}
