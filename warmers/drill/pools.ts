// The connection half of the pre-warm: a fresh pg pool opens its first connection (TCP, auth, a backend
// fork) inside the first request; a pool filled by the agent's prewarmPgPool has it ready. The drill runs
// the cold spike on a fresh pool and the warm spike on a pre-warmed one, and times one request over each.
import type { Pool } from "pg";
import { prewarmPgPool } from "../agent/pools";
import { CONNECT_TIMEOUT_MS, POOL_SIZE, closeWithin, openPool } from "./clients";
import { PRODUCT_BY_ID } from "./catalogue";

/** A pool for a run: cold opens connections on demand; warm has POOL_SIZE open and validated. */
export async function runPool(url: string, warm: boolean): Promise<Pool> {
    const pool = openPool(url);
    if (warm) {
        try {
            // The drill's pool lives for one spike, so the background refiller is not needed.
            (await prewarmPgPool(pool, POOL_SIZE, { timeoutMs: CONNECT_TIMEOUT_MS })).stop();
        } catch (err) {
            await closeWithin(pool);
            throw err;
        }
    }
    return pool;
}

export interface FirstRequest {
    coldPoolMs: number;
    warmPoolMs: number;
}

/** The latency of the very first product read over a fresh pool, then over a pre-warmed one. */
export async function timeFirstRequest(url: string): Promise<FirstRequest> {
    const time = async (warm: boolean) => {
        const pool = await runPool(url, warm);
        try {
            const started = performance.now();
            await pool.query(PRODUCT_BY_ID, [1]);
            return performance.now() - started;
        } finally {
            await closeWithin(pool);
        }
    };
    return { coldPoolMs: await time(false), warmPoolMs: await time(true) };
}
