// The drill's connections, each with every timeout set: a server that stops answering fails a request
// (counted) or the drill (loudly), never hangs it.
import Redis from "ioredis";
import { Client, Pool } from "pg";
import { WarmConnectionError } from "../engine/errors";
import { failFastRedisOptions } from "../engine/redis-options";
import { withTimeout } from "../timeout";

export const CONNECT_TIMEOUT_MS = 5_000;
/** Per Redis command and per database query on the read path. */
export const REQUEST_TIMEOUT_MS = 5_000;
/** Connections the read path's pool holds: what one app instance would keep open. */
export const POOL_SIZE = 16;

export async function openRedis(url: string): Promise<Redis> {
    const client = new Redis(url, {
        // A lost server fails the drill's requests instead of ioredis reconnecting behind them.
        ...failFastRedisOptions({ connectTimeoutMs: CONNECT_TIMEOUT_MS, commandTimeoutMs: REQUEST_TIMEOUT_MS }),
        // Requests issued in the same tick share one round trip, as a busy app's client does.
        enableAutoPipelining: true,
        connectionName: "warmstack-drill",
    });
    // Failures surface through the command that hit them; the last one also explains a failed connect,
    // which ioredis reports only as "Connection is closed".
    let lastError: Error | undefined;
    client.on("error", (err: Error) => (lastError = err));
    try {
        await withTimeout(client.connect(), CONNECT_TIMEOUT_MS, "connecting");
    } catch (err) {
        client.disconnect();
        throw unreachable("redis", url, lastError ?? err);
    }
    return client;
}

/** A pool that opens connections on demand, as an app's does; `idleTimeoutMillis: 0` keeps pre-warmed ones. */
export function openPool(url: string): Pool {
    const pool = new Pool({
        connectionString: url,
        max: POOL_SIZE,
        idleTimeoutMillis: 0,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        query_timeout: REQUEST_TIMEOUT_MS,
        application_name: "warmstack-drill",
    });
    pool.on("error", () => {}); // an idle connection's failure surfaces on the next query that needs one
    return pool;
}

/** Ends a pool or client within CONNECT_TIMEOUT_MS: a server that stopped answering must not hold the drill open. */
export async function closeWithin(connection: Pool | Client): Promise<void> {
    await withTimeout(connection.end(), CONNECT_TIMEOUT_MS, "closing a database connection").catch(() => {});
}

/** A single connection for seeding; `statementMs` bounds its longest statement. */
export async function openClient(url: string, statementMs: number): Promise<Client> {
    const client = new Client({
        connectionString: url,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        query_timeout: statementMs,
        application_name: "warmstack-drill",
    });
    client.on("error", () => {}); // a lost connection surfaces through the pending query
    try {
        await client.connect();
    } catch (err) {
        throw unreachable("source", url, err);
    }
    return client;
}

/** Names the server by host and port only: the URL may carry a password. */
function unreachable(role: "redis" | "source", url: string, err: unknown): WarmConnectionError {
    const server = `${role === "redis" ? "Redis" : "PostgreSQL"} at ${new URL(url).host}`;
    return new WarmConnectionError(role, `cannot reach ${server}: ${(err as Error).message}`, { cause: err });
}
