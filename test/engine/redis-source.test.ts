// The redis source: a replacement node warmed from the live one. Every type survives DUMP/RESTORE with its
// TTL, the hottest keys are picked by LFU frequency (or idle time), and existing keys are left alone; a cluster
// source is ranked per primary and merged.
import assert from "node:assert/strict";
import type Redis from "ioredis";
import { warm } from "../../warmers";
import { keySlot } from "../../warmers/engine/cluster/key-slot";
import { startRedisCluster } from "../../warmers/local/servers";
import { redisClient, startRedis, type RedisServer } from "../support/servers";
import { emptyTarget } from "./fixtures";

describe("warm: redis source", () => {
    let lfu: RedisServer;
    let source: Redis;
    let target: { url: string; redis: Redis };

    before(async () => {
        lfu = await startRedis({ args: ["--maxmemory-policy", "allkeys-lfu"] });
        source = redisClient(lfu.url);
    });
    after(async () => {
        source.disconnect();
        await lfu.stop();
    });
    beforeEach(async () => {
        target = await emptyTarget();
        await source.flushall();
    });
    afterEach(() => target.redis.disconnect());

    it("copies strings, hashes, lists, sets, sorted sets and streams intact, with their TTLs", async () => {
        const binaryKey = Buffer.from([0x00, 0xff, 0x0d, 0x0a]);
        await source.set("s", "string value", "PX", 600_000);
        await source.hset("h", { a: "1", b: "two", c: "x".repeat(100) });
        await source.pexpire("h", 300_000);
        await source.rpush("l", "first", "second", "first");
        await source.sadd("st", "a", "b", "c");
        await source.zadd("z", "1.5", "one", "-2", "minus", "3e10", "big");
        await source.xadd("x", "1-1", "field", "v1");
        await source.xadd("x", "2-1", "field", "v2");
        await source.set(binaryKey, Buffer.from([0xc3, 0x28, 0x00]));
        await source.set("persistent", "forever");

        const report = await warm({ source: lfu.url, redis: target.url });
        assert.equal(report.rowsRead, 8);
        assert.equal(report.keysWritten, 8);
        assert.equal(report.total, 8);
        assert.equal(report.warmth, 1);

        const t = target.redis;
        assert.equal(await t.get("s"), "string value");
        assert.deepEqual(await t.hgetall("h"), { a: "1", b: "two", c: "x".repeat(100) });
        assert.deepEqual(await t.lrange("l", 0, -1), ["first", "second", "first"]);
        assert.deepEqual((await t.smembers("st")).sort(), ["a", "b", "c"]);
        assert.deepEqual(await t.call("ZRANGE", "z", 0, -1, "WITHSCORES"), [
            ["minus", "-2"],
            ["one", "1.5"],
            ["big", "30000000000"],
        ]);
        assert.deepEqual(await t.xrange("x", "-", "+"), [
            ["1-1", ["field", "v1"]],
            ["2-1", ["field", "v2"]],
        ]);
        assert.deepEqual(await t.getBuffer(binaryKey), Buffer.from([0xc3, 0x28, 0x00]));
        for (const key of ["s", "h"]) {
            const [was, now] = [await source.pttl(key), await t.pttl(key)];
            // The copy keeps the PTTL read at copy time, so it may outlive the original by the copy's latency.
            assert.ok(Math.abs(now - was) < 2000, `${key}: source PTTL ${was}, copy ${now}`);
        }
        assert.equal(await t.pttl("persistent"), -1);
        assert.equal(await t.type("z"), "zset");
    });

    it("picks the hottest keys by LFU frequency", async () => {
        for (let i = 0; i < 50; i++) await source.set(`cold:${i}`, "c");
        const hot = ["hot:a", "hot:b", "hot:c", "hot:d", "hot:e"];
        for (const key of hot) await source.set(key, "h");
        for (let round = 0; round < 200; round++) await Promise.all(hot.map((key) => source.get(key)));

        const report = await warm({ source: lfu.url, redis: target.url, top: 5 });
        assert.equal(report.rowsRead, 5);
        assert.deepEqual((await target.redis.keys("*")).sort(), hot);
    });

    it("picks the most recently used keys by idle time when the policy is not LFU", async function () {
        this.timeout(20_000);
        const lru = await startRedis(); // default policy: noeviction, so OBJECT FREQ is unavailable
        const client = redisClient(lru.url);
        try {
            for (let i = 0; i < 30; i++) await client.set(`old:${i}`, "o");
            await new Promise((resolve) => setTimeout(resolve, 2100)); // idle time counts whole seconds
            for (const key of ["recent:1", "recent:2", "recent:3"]) await client.set(key, "r");
            await warm({ source: lru.url, redis: target.url, top: 3 });
            assert.deepEqual((await target.redis.keys("*")).sort(), ["recent:1", "recent:2", "recent:3"]);
        } finally {
            client.disconnect();
            await lru.stop();
        }
    });

    it("reads a cluster source from every primary and merges their hottest keys by rank", async function () {
        this.timeout(60_000);
        const cluster = await startRedisCluster({ primaries: 3, args: ["--maxmemory-policy", "allkeys-lfu"] });
        const nodes = cluster.nodes.map((node) => redisClient(node.url));
        try {
            // Which node owns which slot, so each key can be written where it lives.
            const slots = await nodes[0].cluster("SLOTS");
            const home = (key: string) => {
                const slot = keySlot(key);
                const port = slots.find(([start, end]) => start <= slot && slot <= end)![2][1];
                return nodes[cluster.nodes.findIndex((node) => node.port === port)];
            };
            for (let i = 0; i < 60; i++) await home(`cold:${i}`).set(`cold:${i}`, "c");
            // Two hot keys per primary, and one lukewarm key on each that must lose to all of them.
            const hot: string[] = [];
            for (let i = 0; hot.length < 6; i++) {
                const key = `hot:${i}`;
                if (hot.filter((other) => home(other) === home(key)).length < 2) hot.push(key);
            }
            for (const key of hot) await home(key).set(key, "h");
            for (let round = 0; round < 200; round++) await Promise.all(hot.map((key) => home(key).get(key)));
            for (let i = 0; i < 3; i++) {
                const key = `{${i}}warm`;
                await home(key).set(key, "w");
                for (let round = 0; round < 5; round++) await home(key).get(key);
            }

            const report = await warm({ source: cluster.nodes[1].url, redis: target.url, top: 6 });
            assert.equal(report.rowsRead, 6);
            assert.deepEqual((await target.redis.keys("*")).sort(), hot.sort());
            assert.equal(await target.redis.get(hot[0]), "h");
        } finally {
            for (const node of nodes) node.disconnect();
            await cluster.stop();
        }
    });

    it("skips keys the target already has (RESTORE without REPLACE) unless overwrite", async () => {
        await source.hset("user:1", { name: "from source" });
        await source.set("page:1", "from source");
        await target.redis.set("page:1", "live");

        const report = await warm({ source: lfu.url, redis: target.url });
        assert.equal(report.keysWritten, 1);
        assert.equal(report.skipped.present, 1);
        assert.equal(await target.redis.get("page:1"), "live");

        const forced = await warm({ source: lfu.url, redis: target.url, overwrite: true });
        assert.equal(forced.keysWritten, 2);
        assert.equal(await target.redis.get("page:1"), "from source");
    });
});
