// The bare RESP connection of the write hot path, against a real redis-server: any bytes round-trip, every
// reply kind is read (also when replies split across socket reads), and a lost or silent peer fails fast.
import assert from "node:assert/strict";
import fc from "fast-check";
import type Redis from "ioredis";
import { jitteredTtl } from "../../warmers/engine/sink";
import { PipeBrokenError, ReplyError, RespEncoder, RespPipe, type Reply } from "../../warmers/engine/resp-pipe";
import { testRedis, redisClient } from "../support/servers";
import { silentServer } from "./fixtures";

const TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 5000 };
const DB = 4;

async function send(pipe: RespPipe, commands: (string | Buffer | number)[][]): Promise<Reply[]> {
    const encoder = new RespEncoder(16);
    for (const command of commands) encoder.command(command);
    return pipe.send(encoder.finish(), encoder.count);
}

describe("RESP pipe (the write hot path)", () => {
    let pipe: RespPipe;
    let redis: Redis;

    beforeEach(async () => {
        const server = await testRedis();
        pipe = await RespPipe.connect({ host: server.host, port: server.port, db: DB }, TIMEOUTS);
        redis = redisClient(`${server.url}/${DB}`);
        await redis.flushdb();
    });
    afterEach(() => {
        pipe.close();
        redis.disconnect();
    });

    it("round-trips any keys and values: binary, empty, CRLF, multi-byte text", async () => {
        const bytes = fc.oneof(
            fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
            fc.string({ unit: "binary", maxLength: 100 }),
        );
        await fc.assert(
            fc.asyncProperty(
                fc.uniqueArray(fc.tuple(bytes, bytes), {
                    minLength: 1,
                    maxLength: 40,
                    selector: ([k]) => Buffer.from(k).toString("hex"),
                }),
                async (pairs) => {
                    await redis.flushdb();
                    const replies = await send(
                        pipe,
                        pairs.map(([key, value]) => ["SET", key, value]),
                    );
                    assert.deepEqual(
                        replies,
                        pairs.map(() => true),
                    );
                    for (const [key, value] of pairs) assert.deepEqual(await redis.getBuffer(key), Buffer.from(value));
                },
            ),
            { numRuns: 60 },
        );
    });

    it("reads every reply kind in order, across many socket reads", async () => {
        await redis.set("present", "x".repeat(5000));
        const commands: (string | number)[][] = [];
        for (let i = 0; i < 20_000; i++) commands.push(["SET", `k:${i}`, "v", "EX", 60, "NX"]);
        commands.push(
            ["SET", "present", "y", "NX"],
            ["GET", "present"],
            ["GET", "absent"],
            ["EXISTS", "present"],
            ["INCR", "present"],
        );
        const replies = await send(pipe, commands);
        assert.equal(replies.length, 20_005);
        assert.ok(replies.slice(0, 20_000).every((reply) => reply === true));
        assert.deepEqual(replies.slice(20_000, 20_004), [null, true, null, true]);
        assert.ok(replies[20_004] instanceof ReplyError);
        assert.match((replies[20_004] as ReplyError).message, /^ERR value is not an integer/);
        assert.equal(await redis.dbsize(), 20_001);
    });

    it("a closed connection rejects with PipeBrokenError carrying the replies that did arrive", async () => {
        assert.deepEqual(await send(pipe, [["QUIT"]]), [true]);
        await assert.rejects(send(pipe, [["SET", "a", "1"]]), PipeBrokenError);
        assert.equal(pipe.broken, true);
    });

    it("a peer that never answers fails within the command timeout", async () => {
        const silent = await silentServer();
        const dead = await RespPipe.connect(
            { host: "127.0.0.1", port: silent.port, db: 0 },
            { connectTimeoutMs: 500, commandTimeoutMs: 300 },
        );
        try {
            const started = Date.now();
            await assert.rejects(send(dead, [["SET", "a", "1"]]), (err: unknown) => {
                assert.ok(err instanceof PipeBrokenError);
                assert.match(err.message, /timed out/);
                assert.deepEqual(err.replies, []);
                return true;
            });
            assert.ok(Date.now() - started < 2000);
        } finally {
            dead.close();
            await silent.close();
        }
    });
});

describe("TTL jitter", () => {
    it("stays a whole number of seconds within ± jitter, never below 1; no TTL stays none", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: -10, max: 10_000_000 }),
                fc.double({ min: 0, max: 0.999, noNaN: true }),
                fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
                (base, jitter, draw) => {
                    const ttl = jitteredTtl(base, jitter, () => draw);
                    // The band's own whole seconds: rounded inwards, so no key outlives base × (1 + jitter)
                    // or dies before base × (1 − jitter).
                    const low = Math.max(1, Math.ceil(base * (1 - jitter)));
                    const high = Math.max(low, Math.floor(base * (1 + jitter)));
                    assert.ok(Number.isInteger(ttl) && ttl >= low && ttl <= high, `${base} ± ${jitter}: ${ttl}`);
                },
            ),
        );
        assert.equal(jitteredTtl(undefined, 0.5), 0);
    });

    it("reaches both ends of the band, rounded inwards at a fractional edge", () => {
        // 1000 ± 0.15 %: 998.5 … 1001.5, so the whole seconds 999 … 1001.
        assert.equal(
            jitteredTtl(1000, 0.0015, () => 0),
            999,
        );
        assert.equal(
            jitteredTtl(1000, 0.0015, () => 0.999_999),
            1001,
        );
        // 10 ± 0.5: 5 … 15 exactly, both ends included.
        assert.equal(
            jitteredTtl(10, 0.5, () => 0),
            5,
        );
        assert.equal(
            jitteredTtl(10, 0.5, () => 0.999_999),
            15,
        );
        // A band with no whole second above 1 (1 ± 0.9: 0.1 … 1.9): 1, never 0.
        assert.equal(
            jitteredTtl(1, 0.9, () => 0),
            1,
        );
        assert.equal(
            jitteredTtl(1, 0.9, () => 0.999_999),
            1,
        );
        // No jitter: the TTL itself.
        assert.equal(
            jitteredTtl(600, 0, () => 0.5),
            600,
        );
    });
});
