// node-postgres opens a connection only when a query needs one (its `min` only stops idle eviction), so the
// first requests of a fresh instance pay TCP, TLS, authentication and a backend fork. These open the
// connections before the traffic does, validate each one, and keep the pool at its size afterwards.
import { once } from "node:events";
import { Cluster, type Redis } from "ioredis";
import type { Pool, PoolClient, QueryConfig } from "pg";
import { withTimeout } from "../timeout";
import { PoolWarmError } from "./errors";

export interface PgPoolWarmOptions {
    /** Budget for each connection: connect, `SELECT 1` and the warm queries. */
    timeoutMs: number;
    /** Budget for each connect within it. @defaultValue `timeoutMs` */
    connectTimeoutMs?: number;
    /**
     * Run on every connection after `SELECT 1`: the app's hot statements, so each backend has already loaded
     * the catalog entries (tables, indexes) they touch. Without them the first real query on a validated
     * connection still pays those lookups (bench/connections.ts measures both).
     */
    warmQueries?: readonly QueryConfig[];
    /** Wait before retrying a refill that failed (the server may be restarting). */
    retryMs?: number;
    /** Refills run in the background: this is where their failures go. */
    onRefillError?: (err: Error) => void;
}

export interface PgPoolWarmer {
    readonly size: number;
    /** Stops refilling; the connections stay in the pool. */
    stop(): void;
}

const DEFAULT_RETRY_MS = 1_000;

/**
 * Opens `size` connections in parallel, validates each with `SELECT 1` (then runs the warm queries) and leaves
 * them idle in `pool`; then refills to `size` whenever the pool removes one (backend killed, failover,
 * maxLifetimeSeconds).
 * The pool must be able to keep them: `max` ≥ size, and `idleTimeoutMillis: 0` or `min` ≥ size.
 * As with any pg.Pool, the caller listens to the pool's 'error' event (a killed idle backend emits one).
 */
export async function prewarmPgPool(pool: Pool, size: number, options: PgPoolWarmOptions): Promise<PgPoolWarmer> {
    const { max = 10, min = 0, idleTimeoutMillis } = pool.options;
    if (size > max) throw new PoolWarmError(`cannot hold ${size} connections in a pool of max ${max}`);
    if (idleTimeoutMillis && min < size) {
        throw new PoolWarmError(
            `the pool closes idle connections after ${idleTimeoutMillis} ms: set min ≥ ${size} or idleTimeoutMillis: 0`,
        );
    }
    await fill(pool, size, options);
    return new Refiller(pool, size, options);
}

class Refiller implements PgPoolWarmer {
    private active = true;
    private refilling = false;
    private retry: NodeJS.Timeout | undefined;
    private readonly onRemove = () => void this.refill();

    constructor(
        private readonly pool: Pool,
        readonly size: number,
        private readonly options: PgPoolWarmOptions,
    ) {
        pool.on("remove", this.onRemove);
    }

    stop(): void {
        this.active = false;
        clearTimeout(this.retry);
        this.pool.off("remove", this.onRemove);
    }

    private get needed(): boolean {
        return this.active && !this.pool.ending && this.pool.totalCount < this.size;
    }

    private async refill(): Promise<void> {
        // Removals during a refill are picked up by the loop, not by a second concurrent refill.
        if (this.refilling) return;
        this.refilling = true;
        try {
            while (this.needed) await fill(this.pool, this.size, this.options);
        } catch (err) {
            this.options.onRefillError?.(err as Error);
            if (this.needed)
                this.retry = setTimeout(() => void this.refill(), this.options.retryMs ?? DEFAULT_RETRY_MS);
        } finally {
            this.refilling = false;
        }
    }
}

/**
 * Checks out, at once, every connection the pool needs to reach `size` (those the app holds count), so idle
 * ones are validated and missing ones opened; then gives them all back.
 */
async function fill(pool: Pool, size: number, options: PgPoolWarmOptions): Promise<void> {
    const wanted = size - (pool.totalCount - pool.idleCount);
    const results = await Promise.allSettled(Array.from({ length: wanted }, () => checkoutValidated(pool, options)));
    for (const result of results) if (result.status === "fulfilled") result.value.release();
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0) {
        const reason = failed[0].reason as Error;
        throw new PoolWarmError(`${failed.length} of ${wanted} connections failed: ${reason.message}`, {
            cause: reason,
        });
    }
}

async function checkoutValidated(pool: Pool, options: PgPoolWarmOptions): Promise<PoolClient> {
    const { timeoutMs, connectTimeoutMs = timeoutMs, warmQueries = [] } = options;
    const deadline = Date.now() + timeoutMs;
    const where = `${pool.options.host ?? "localhost"}:${pool.options.port ?? 5432}`;
    const client = await withTimeout(
        pool.connect(),
        Math.min(connectTimeoutMs, timeoutMs),
        `connect to ${where}`,
        (late) => late.release(),
    );
    try {
        for (const query of [{ text: "SELECT 1" }, ...warmQueries]) {
            await withTimeout(client.query(query), Math.max(1, deadline - Date.now()), query.text);
        }
        return client;
    } catch (err) {
        client.release(err as Error); // a connection that failed validation leaves the pool
        throw err;
    }
}

/**
 * Connects (if lazy) and waits until `client` is ready and answers PING, all within `timeoutMs`; the connect
 * within `connectTimeoutMs` (default `timeoutMs`).
 */
export async function prewarmRedis(
    client: Redis | Cluster,
    options: { timeoutMs: number; connectTimeoutMs?: number },
): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    // ioredis rejects connect() with "Connection is closed"; the cause (WRONGPASS, ECONNREFUSED) is an 'error' event.
    let cause: Error | undefined;
    const remember = (err: Error) => (cause ??= err);
    client.on("error", remember);
    try {
        const ready =
            client.status === "wait"
                ? client.connect()
                : client.status === "ready"
                  ? Promise.resolve()
                  : once(client, "ready").then(() => undefined);
        const where = client instanceof Cluster ? "the cluster" : `${client.options.host}:${client.options.port}`;
        await withTimeout(
            ready,
            Math.min(options.connectTimeoutMs ?? options.timeoutMs, options.timeoutMs),
            `Redis connect to ${where}`,
        );
        const reply = await withTimeout(client.ping(), Math.max(1, deadline - Date.now()), "Redis PING");
        if (reply !== "PONG") throw new PoolWarmError(`Redis answered PING with ${reply}`);
    } catch (err) {
        throw cause ? new PoolWarmError(`Redis: ${cause.message}`, { cause }) : err;
    } finally {
        client.off("error", remember);
    }
}
