// A warm never evicts live data to make room for itself: against a Redis (or each primary of a Redis Cluster)
// whose maxmemory-policy evicts, a hot set that does not fit the free memory is refused before the first write,
// naming the numbers; --dry-run reports the same check; acceptEviction writes anyway and says what it risked.
import assert from "node:assert/strict";
import fc from "fast-check";
import Redis, { Cluster } from "ioredis";
import { ColdCacheError, warm, WarmEvictionError, type WarmOptions } from "../../warmers";
import { evicting, judgeMemory, parseMemoryInfo, type NodeMemory } from "../../warmers/engine/memory-check";
import { startRedisCluster, type RedisCluster } from "../../warmers/local/servers";
import { redisClient, startRedis, type RedisServer } from "../support/servers";
import { itemsTable, postgresUrl } from "./fixtures";

const SESSIONS = 3000;
const BIG = 40_000; // about 17 MiB in Redis: far over 5 MB, and over each primary's share of three
const SMALL = 2000; // about 0.9 MiB: fits next to the sessions

const session = (i: number) => `session:${i}`;

async function writeSessions(client: Redis | Cluster): Promise<void> {
    await Promise.all(
        Array.from({ length: SESSIONS }, (_, i) => client.set(session(i), `user-${i}`.padEnd(200, "."), "EX", 3600)),
    );
}

async function sessionsLeft(client: Redis | Cluster): Promise<number> {
    const found = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => client.exists(session(i))));
    return found.reduce((sum: number, n) => sum + n, 0);
}

const queryOf = (table: string) => `SELECT key, value FROM ${table} ORDER BY id`;

describe("warm: a hot set that would evict live data", function () {
    this.timeout(120_000);

    before(async () => {
        await itemsTable("warm_evict_big", BIG);
        await itemsTable("warm_evict_small", SMALL);
    });

    describe("standalone, maxmemory 5mb allkeys-lru, 3000 live sessions", () => {
        let server: RedisServer;
        let client: Redis;
        let base: Omit<WarmOptions, "query">;

        before(async () => {
            server = await startRedis({ args: ["--maxmemory", "5mb", "--maxmemory-policy", "allkeys-lru"] });
            client = redisClient(server.url);
            base = { source: await postgresUrl(), redis: server.url, ttl: 600 };
        });
        after(async () => {
            client?.disconnect();
            await server?.stop();
        });
        beforeEach(async () => {
            await client.flushall();
            await writeSessions(client);
        });

        it("is refused before the first write, naming the numbers; every session is still there", async () => {
            await assert.rejects(warm({ ...base, query: queryOf("warm_evict_big") }), (err: unknown) => {
                assert.ok(err instanceof WarmEvictionError, String(err));
                assert.equal(err.code, "WARM_INPUT");
                const [node] = err.check.nodes;
                assert.equal(node.policy, "allkeys-lru");
                assert.equal(node.maxmemory, 5 * 1024 * 1024);
                assert.ok(node.needBytes > 15 * 1024 * 1024, `needBytes ${node.needBytes}`);
                assert.ok(node.roomBytes! < 4 * 1024 * 1024, `roomBytes ${node.roomBytes}`);
                assert.match(
                    err.message,
                    new RegExp(
                        `^the warm would evict live data: redis://127\\.0\\.0\\.1:${server.port} \\(allkeys-lru, maxmemory 5\\.0 MiB, [\\d.]+ MiB used\\): ` +
                            `the warm adds 1\\d\\.\\d MiB, room for [\\d.]+ MiB leaving 10 % free: it would evict live data\\. ` +
                            "Nothing was written: warm fewer keys \\(--top\\), give Redis more memory, or accept the eviction with --accept-eviction$",
                    ),
                );
                return true;
            });
            assert.equal(await sessionsLeft(client), SESSIONS);
            assert.equal(await client.dbsize(), SESSIONS, "not one key of the hot set was written");
        });

        it("--dry-run reports the same check, and writes nothing", async () => {
            const report = await warm({ ...base, query: queryOf("warm_evict_big"), dryRun: true });
            assert.equal(report.memory?.evicts, true);
            assert.equal(report.memory?.nodes.length, 1);
            assert.ok(report.memory!.nodes[0].needBytes > 15 * 1024 * 1024);
            assert.equal(await client.dbsize(), SESSIONS);

            const fits = await warm({ ...base, query: queryOf("warm_evict_small"), dryRun: true });
            assert.equal(fits.memory?.evicts, false);
        });

        it("a hot set that fits is warmed, next to every session", async () => {
            const report = await warm({ ...base, query: queryOf("warm_evict_small") });
            assert.equal(report.keysWritten, SMALL);
            assert.equal(report.memory?.evicts, false);
            const [node] = report.memory!.nodes;
            assert.ok(node.needBytes > 0.5 * 1024 * 1024 && node.needBytes <= node.roomBytes!, JSON.stringify(node));
            assert.equal(await sessionsLeft(client), SESSIONS);
        });

        it("a hot set already present needs no room: a full cache is warmed again, not refused", async () => {
            await client.config("SET", "maxmemory", "0");
            await warm({ ...base, query: queryOf("warm_evict_small") });
            // Now the cache is at its limit, and the hot set is in it.
            const used = Number(/^used_memory:(\d+)/m.exec(await client.info("memory"))![1]);
            await client.config("SET", "maxmemory", String(used + 64 * 1024));
            const again = await warm({ ...base, query: queryOf("warm_evict_small") });
            assert.equal(again.skipped.present, SMALL);
            assert.equal(again.memory?.nodes[0].needBytes, 0);
            assert.equal(await sessionsLeft(client), SESSIONS);
            await client.config("SET", "maxmemory", "5mb");
        });

        it("acceptEviction writes anyway, and the report states the eviction it accepted", async () => {
            await assert.rejects(
                warm({ ...base, query: queryOf("warm_evict_big"), acceptEviction: true }),
                (err: unknown) => {
                    // The hot set does not fit even alone: it evicts the sessions and its own first keys.
                    assert.ok(err instanceof ColdCacheError, String(err));
                    assert.equal(err.report.keysWritten, BIG);
                    assert.equal(err.report.memory?.evicts, true);
                    return true;
                },
            );
            assert.ok((await sessionsLeft(client)) < SESSIONS, "the risk accepted was real");
        });
    });

    describe("Redis Cluster, each primary at maxmemory 5mb allkeys-lru, 3000 live sessions", () => {
        let cluster: RedisCluster;
        let client: Cluster;
        let base: Omit<WarmOptions, "query">;

        before(async () => {
            cluster = await startRedisCluster({
                primaries: 3,
                args: ["--maxmemory", "5mb", "--maxmemory-policy", "allkeys-lru"],
            });
            client = new Cluster([{ host: cluster.nodes[0].host, port: cluster.nodes[0].port }]);
            base = { source: await postgresUrl(), redis: cluster.url, cluster: true, ttl: 600 };
        });
        after(async () => {
            client?.disconnect();
            await cluster?.stop();
        });
        beforeEach(async () => {
            await Promise.all(client.nodes("master").map((node) => node.flushall()));
            await writeSessions(client);
        });

        it("is refused before the first write, naming each primary that would evict", async () => {
            await assert.rejects(warm({ ...base, query: queryOf("warm_evict_big") }), (err: unknown) => {
                assert.ok(err instanceof WarmEvictionError, String(err));
                assert.equal(err.check.nodes.length, 3);
                const total = err.check.nodes.reduce((sum, node) => sum + node.needBytes, 0);
                assert.ok(total > 15 * 1024 * 1024, `needBytes ${total}`);
                for (const node of err.check.nodes) {
                    assert.ok(node.evicts, JSON.stringify(node));
                    assert.ok(err.message.includes(`${node.node} (allkeys-lru, maxmemory 5.0 MiB`), err.message);
                }
                return true;
            });
            assert.equal(await sessionsLeft(client), SESSIONS);
            const sizes = await Promise.all(client.nodes("master").map((node) => node.dbsize()));
            assert.equal(
                sizes.reduce((a, b) => a + b, 0),
                SESSIONS,
                "not one key of the hot set was written",
            );
        });

        it("--dry-run reports every primary's share; a hot set that fits is warmed next to every session", async () => {
            const dry = await warm({ ...base, query: queryOf("warm_evict_big"), dryRun: true });
            assert.equal(dry.memory?.nodes.length, 3);
            assert.equal(dry.memory?.evicts, true);

            const report = await warm({ ...base, query: queryOf("warm_evict_small") });
            assert.equal(report.keysWritten, SMALL);
            assert.equal(report.memory?.evicts, false);
            for (const node of report.memory!.nodes) assert.ok(node.needBytes > 0, JSON.stringify(node));
            assert.equal(await sessionsLeft(client), SESSIONS);
        });
    });
});

describe("memory check: the verdict", () => {
    const node = (over: Partial<NodeMemory>): NodeMemory => ({
        node: "n",
        maxmemory: 100_000,
        usedMemory: 50_000,
        policy: "allkeys-lru",
        ...over,
    });

    it("reads INFO memory's three fields, and names a reply without them", () => {
        const info =
            "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:5242880\r\nmaxmemory_policy:volatile-lru\r\n";
        assert.deepEqual(parseMemoryInfo("h:1", info), {
            node: "h:1",
            maxmemory: 5242880,
            usedMemory: 1048576,
            policy: "volatile-lru",
        });
        assert.throws(() => parseMemoryInfo("h:1", "# Memory\r\nused_memory:1\r\n"), /INFO memory of h:1 has no/);
    });

    it("every policy but noeviction evicts once there is a limit", () => {
        for (const policy of ["allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-ttl"])
            assert.ok(evicting(node({ policy })), policy);
        assert.ok(!evicting(node({ policy: "noeviction" })));
        assert.ok(!evicting(node({ maxmemory: 0 })));
    });

    it("refuses exactly when what is missing exceeds the room left with the headroom", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 1, max: 1e9 }),
                fc.integer({ min: 0, max: 1e9 }),
                fc.integer({ min: 0, max: 2e9 }),
                fc.double({ min: 0, max: 1, noNaN: true }),
                fc.constantFrom("allkeys-lru", "volatile-lfu", "noeviction"),
                (maxmemory, usedMemory, bytes, present, policy) => {
                    const check = judgeMemory(
                        [node({ maxmemory, usedMemory, policy })],
                        () => bytes,
                        () => present,
                        0.1,
                    );
                    const [verdict] = check.nodes;
                    const need = Math.round(bytes * (1 - present));
                    const room = Math.max(0, Math.floor(maxmemory * 0.9) - usedMemory);
                    assert.equal(verdict.needBytes, need);
                    assert.equal(check.evicts, policy !== "noeviction" && need > room);
                    assert.equal(verdict.roomBytes, policy === "noeviction" ? undefined : room);
                },
            ),
        );
    });
});
