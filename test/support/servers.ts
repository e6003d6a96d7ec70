// The shared servers of a test run: started on first use, stopped by the root hook in test/support/hooks.ts,
// and the one way a test opens a client to them.
import Redis, { Cluster } from "ioredis";
import { failFastRedisOptions } from "../../warmers/engine/redis-options";
import {
    freePort,
    PostgresServer,
    RedisServer,
    RedisCluster,
    startPostgres,
    startRedis,
    startRedisCluster,
    stopAllServers,
} from "../../warmers/local/servers";

export { startPostgres, startRedis, type PostgresServer, type RedisServer };

let redisOnce: Promise<RedisServer> | undefined;
let postgresOnce: Promise<PostgresServer> | undefined;

/** The shared redis-server for this test run, started on first use. */
export async function testRedis(): Promise<RedisServer> {
    redisOnce ??= startRedis();
    return redisOnce;
}

/** The shared PostgreSQL for this test run, started on first use. */
export async function testPostgres(): Promise<PostgresServer> {
    postgresOnce ??= startPostgres();
    return postgresOnce;
}

/** Stops the shared servers and any extra ones a test left running. */
export async function stopTestServers(): Promise<void> {
    await Promise.allSettled([redisOnce, postgresOnce]);
    redisOnce = postgresOnce = undefined;
    await stopAllServers();
}

/** A loopback port nothing listens on: connections to it are refused at once. */
export const closedPort = freePort;

/** A client that fails fast instead of reconnecting forever; errors surface through its commands. Disconnect it. */
export function redisClient(url: string): Redis {
    const client = new Redis(url, failFastRedisOptions({ connectTimeoutMs: 2000 }));
    client.on("error", () => {});
    return client;
}

/**
 * A Redis Cluster for the enclosing `describe`: started before its tests, stopped after, with a client that follows
 * its slots (`reader`). Read the fields inside the tests, once `before` has run.
 */
export function useRedisCluster(options: Parameters<typeof startRedisCluster>[0] = {}): {
    cluster: RedisCluster;
    reader: Cluster;
} {
    const fixture = {} as { cluster: RedisCluster; reader: Cluster };
    before(async () => {
        fixture.cluster = await startRedisCluster(options);
        const [seed] = fixture.cluster.nodes;
        fixture.reader = new Cluster([{ host: seed.host, port: seed.port }]);
    });
    after(async () => {
        fixture.reader?.disconnect();
        await fixture.cluster?.stop();
    });
    return fixture;
}
