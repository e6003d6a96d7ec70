import assert from "node:assert/strict";
import net from "node:net";
import { Client } from "pg";
import { redisClient, startRedis, testPostgres, testRedis } from "../support/servers";

function tcpConnect(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => {
            socket.destroy();
            resolve();
        });
        socket.once("error", reject);
    });
}

describe("test servers", () => {
    it("redis answers PING, round-trips SET/GET and listens on loopback only", async () => {
        const server = await testRedis();
        assert.equal(server.url, `redis://127.0.0.1:${server.port}`);
        const client = redisClient(server.url);
        try {
            await client.connect();
            assert.equal(await client.ping(), "PONG");
            await client.set("support:smoke", "warm");
            assert.equal(await client.get("support:smoke"), "warm");
            assert.deepEqual(await client.config("GET", "bind"), ["bind", "127.0.0.1"]);
        } finally {
            client.disconnect();
        }
    });

    it("postgres answers SELECT 1 and SHOW server_version", async () => {
        const server = await testPostgres();
        assert.equal(server.url, `postgres://${server.user}@127.0.0.1:${server.port}/${server.database}`);
        const client = new Client({ connectionString: server.url });
        await client.connect();
        try {
            const one = await client.query<{ one: number }>("SELECT 1 AS one");
            assert.equal(one.rows[0].one, 1);
            const version = await client.query<{ server_version: string }>("SHOW server_version");
            assert.match(version.rows[0].server_version, /^\d+(\.\d+)?/);
        } finally {
            await client.end();
        }
    });

    it("an extra redis really gets its extra args", async () => {
        const server = await startRedis({ args: ["--maxmemory-policy", "allkeys-lfu"] });
        const client = redisClient(server.url);
        try {
            await client.connect();
            assert.deepEqual(await client.config("GET", "maxmemory-policy"), ["maxmemory-policy", "allkeys-lfu"]);
            assert.notEqual(server.port, (await testRedis()).port);
        } finally {
            client.disconnect();
            await server.stop();
        }
    });

    it("an extra redis can be killed and restarted on the same port", async () => {
        const server = await startRedis();
        const { port, url } = server;
        try {
            const before = redisClient(url);
            await before.connect();
            await before.set("support:restart", "1");
            before.disconnect();

            await server.kill();
            await assert.rejects(tcpConnect(port), { code: "ECONNREFUSED" });

            await server.restart();
            assert.equal(server.port, port);
            const after = redisClient(url);
            try {
                await after.connect();
                assert.equal(await after.ping(), "PONG");
                // Persistence is off, so a fresh process proves the old one really died.
                assert.equal(await after.get("support:restart"), null);
            } finally {
                after.disconnect();
            }
        } finally {
            await server.stop();
        }
    });
});
