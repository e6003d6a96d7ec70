// Shared set-up for the warm engine tests: real servers from test/support, a Redis db of our own on the
// shared server, tables created through a short-lived client, and loopback ports that refuse or never answer.
import net from "node:net";
import type Redis from "ioredis";
import { Client } from "pg";
import { redisClient, testPostgres, testRedis } from "../support/servers";

/** The warm tests' own db on the shared redis-server, flushed before each test that uses it. */
const DB = 3;

/** An empty target: the URL to warm and a client to inspect it. Disconnect the client when done. */
export async function emptyTarget(): Promise<{ url: string; redis: Redis }> {
    const url = `${(await testRedis()).url}/${DB}`;
    const redis = redisClient(url);
    await redis.flushdb();
    return { url, redis };
}

export async function postgresUrl(): Promise<string> {
    return (await testPostgres()).url;
}

/** Runs statements on a fresh connection (the warm's own connection stays separate). */
export async function sql<Row extends object = Record<string, unknown>>(
    text: string,
    params: unknown[] = [],
): Promise<Row[]> {
    const client = new Client({ connectionString: await postgresUrl() });
    await client.connect();
    try {
        return (await client.query<Row>(text, params)).rows;
    } finally {
        await client.end();
    }
}

/** (Re)creates `name` with n rows: key `key:<i>`, value `value:<i>` padded to 200 bytes, hits = i. */
export async function itemsTable(name: string, rows: number): Promise<void> {
    await sql(`DROP TABLE IF EXISTS ${name}`);
    await sql(
        `CREATE TABLE ${name} AS
         SELECT g AS id, 'key:' || g AS key, rpad('value:' || g, 200, '.') AS value, g AS hits
         FROM generate_series(0, $1::int - 1) AS g`,
        [rows],
    );
}

export const itemValue = (i: number) => `value:${i}`.padEnd(200, ".");

/** A loopback server that accepts connections and never answers: only a client's own timeout ends the wait. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        close: async () => {
            for (const socket of sockets) socket.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}
