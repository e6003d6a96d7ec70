// The one set of ioredis options every warmstack client starts from (the engine, the agent, the drill, the local
// servers' readiness probe): connect and each command under their own timeout, and a failure surfaces through
// the command that hit it at once, instead of ioredis queueing, retrying or reconnecting behind the caller.
import type { RedisOptions } from "ioredis";

export interface FailFastTimeouts {
    connectTimeoutMs: number;
    /** Per command; none: commands only end with the connection (a probe that PINGs once under its own timeout). */
    commandTimeoutMs?: number;
}

/** Call `client.connect()` yourself (lazyConnect); add host, auth and TLS. Listen for "error" to keep it quiet. */
export function failFastRedisOptions({ connectTimeoutMs, commandTimeoutMs }: FailFastTimeouts): RedisOptions {
    return {
        lazyConnect: true,
        connectTimeout: connectTimeoutMs,
        commandTimeout: commandTimeoutMs,
        maxRetriesPerRequest: 0,
        // Never reconnect on its own: the caller decides (the engine's sink retries whole batches).
        retryStrategy: () => null,
    };
}
