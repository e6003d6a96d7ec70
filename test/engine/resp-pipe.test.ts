// The bare RESP connection of the write hot path, against a real redis-server: any bytes round-trip, every
// reply kind is read (also when replies split across socket reads), and a lost or silent peer fails fast.
//
// Edges of the write hot path a real Redis rarely shows: replies split at any byte, odd or unsolicited replies,
// resets, refused setup, and the sink's backpressure, retries and close, against a loopback peer speaking RESP.
import { type Answer, type Peer, respPeer } from "./resp-peer";
import fc from "fast-check";
import Redis from "ioredis";
import assert from "node:assert/strict";
import net from "node:net";
import {
    EncoderBuffers,
    PipeBrokenError,
    ReplyError,
    RespEncoder,
    RespPipe,
    type Reply,
} from "../../warmers/engine/resp-pipe";
import { jitteredTtl } from "../../warmers/engine/sink";
import type { Bytes } from "../../warmers/engine/sources/source";
import { sleep, withTimeout } from "../../warmers/timeout";
import { testRedis, redisClient } from "../support/servers";
import { silentServer } from "./fixtures";

const TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 5000 };

const DB = 4;

async function send(pipe: RespPipe, commands: (string | Buffer | number)[][]): Promise<Reply[]> {
    const encoder = new RespEncoder(16);
    for (const command of commands) encoder.command(command);
    return pipe.send(encoder.finish(), encoder.count);
}

const PEER_TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 3000 };

function connect(port: number, timeouts = PEER_TIMEOUTS): Promise<RespPipe> {
    return RespPipe.connect({ host: "127.0.0.1", port, db: 0 }, timeouts);
}

async function brokenWith(promise: Promise<unknown>): Promise<PipeBrokenError> {
    try {
        await promise;
    } catch (err) {
        assert.ok(err instanceof PipeBrokenError, `not a PipeBrokenError: ${String(err)}`);
        return err;
    }
    assert.fail("expected the batch to fail");
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

describe("RESP encoder: SET written in place", () => {
    const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        fc.string({ unit: "binary", maxLength: 120 }), // astral and lone surrogates: UTF-8 longer than the text
        fc.string({ unit: "grapheme-ascii", maxLength: 300 }),
        fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => s.repeat(4)), // byte lengths across 9→10, 99→100
    );
    const ttl = fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.constantFrom(Number.MAX_SAFE_INTEGER, 1e21, 2.5, Infinity, -5),
    );

    it("writes byte for byte what command() writes for SET key value [EX ttl] [NX], in any mix and growth", () => {
        fc.assert(
            fc.property(
                fc.array(fc.tuple(bytes, bytes, ttl, fc.boolean()), { minLength: 1, maxLength: 30 }),
                fc.integer({ min: 1, max: 64 }),
                (commands, sizeHint) => {
                    const direct = new RespEncoder(sizeHint);
                    const generic = new RespEncoder(sizeHint);
                    for (const [key, value, seconds, nx] of commands) {
                        direct.set(key, value, seconds, nx);
                        const args: (Bytes | number)[] = ["SET", key, value];
                        if (seconds) args.push("EX", seconds);
                        if (nx) args.push("NX");
                        generic.command(args);
                    }
                    assert.equal(direct.count, commands.length);
                    assert.deepEqual(direct.finish(), generic.finish());
                },
            ),
            { numRuns: 300 },
        );
    });

    it("reuses an answered batch's buffer for the next encoder, keeping at most as many as asked", () => {
        const buffers = new EncoderBuffers();
        const [first, other] = [buffers.encoder(64), buffers.encoder(64)];
        first.set("a", "b", 0, true);
        buffers.release(first, 1);
        buffers.release(other, 1); // one is kept already: dropped
        const second = buffers.encoder(64);
        assert.equal(second.storage, first.storage);
        assert.notEqual(buffers.encoder(64).storage, other.storage);
        second.set("c", "d", 5, false);
        const generic = new RespEncoder(8);
        generic.command(["SET", "c", "d", "EX", 5]);
        assert.deepEqual(second.finish(), generic.finish()); // nothing of the earlier batch leaks in
        buffers.release(second, 1);
        assert.notEqual(buffers.encoder(first.storage.length + 1).storage, first.storage); // too small for the hint
    });

    it("is what Redis reads as the SET it means: NX keeps a present key, EX sets the TTL", async () => {
        const server = await testRedis();
        const pipe = await RespPipe.connect({ host: server.host, port: server.port, db: DB }, TIMEOUTS);
        const redis = redisClient(`${server.url}/${DB}`);
        try {
            await redis.flushdb();
            await redis.set("kept", "old");
            const encoder = new RespEncoder(8);
            encoder.set("kept", "new", 60, true);
            encoder.set("fresh:é€𝄞", Buffer.from([0, 13, 10, 255]), 1234, true);
            encoder.set("plain", "v".repeat(1000), 0, false);
            assert.deepEqual(await pipe.send(encoder.finish(), encoder.count), [null, true, true]);
            assert.equal(await redis.get("kept"), "old");
            assert.deepEqual(await redis.getBuffer("fresh:é€𝄞"), Buffer.from([0, 13, 10, 255]));
            assert.ok((await redis.ttl("fresh:é€𝄞")) > 1200);
            assert.equal(await redis.ttl("plain"), -1);
            assert.equal((await redis.get("plain"))?.length, 1000);
        } finally {
            pipe.close();
            redis.disconnect();
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

describe("RESP pipe edges (loopback peer)", () => {
    const peers: Peer[] = [];
    const pipes: RespPipe[] = [];
    async function peer(answer: Answer, onConnect?: (socket: net.Socket) => void): Promise<Peer> {
        const p = await respPeer(answer, onConnect);
        peers.push(p);
        return p;
    }
    async function open(port: number, timeouts = PEER_TIMEOUTS): Promise<RespPipe> {
        const pipe = await connect(port, timeouts);
        pipes.push(pipe);
        return pipe;
    }
    afterEach(async () => {
        for (const pipe of pipes.splice(0)) pipe.close();
        for (const p of peers.splice(0)) await p.close();
    });

    it("reads replies split at every byte boundary: status, error, integer, bulk, empty bulk, null bulk", async () => {
        const script = Buffer.from("+OK\r\n-ERR bad thing here\r\n:42\r\n$5\r\nhe\r\no\r\n$0\r\n\r\n$-1\r\n");
        const p = await peer((_args, socket, index) => {
            if (index !== 5) return;
            void (async () => {
                for (let i = 0; i < script.length && !socket.destroyed; i++) {
                    socket.write(script.subarray(i, i + 1));
                    await sleep(3);
                }
            })();
        });
        const pipe = await open(p.port);
        const replies = await send(
            pipe,
            Array.from({ length: 6 }, (_, i) => ["GET", `k${i}`]),
        );
        assert.equal(replies.length, 6);
        assert.equal(replies[0], true);
        assert.ok(replies[1] instanceof ReplyError);
        assert.equal(replies[1].message, "ERR bad thing here");
        assert.deepEqual(replies.slice(2), [true, true, true, null]);
        assert.equal(pipe.broken, false);
    });

    it("an error reply keeps its full message and is named ReplyError", async () => {
        const p = await peer((_args, socket) => socket.write("-WRONGTYPE Operation against a key: holding\r\n"));
        const pipe = await open(p.port);
        const [reply] = await send(pipe, [["SET", "a", "1"]]);
        assert.ok(reply instanceof ReplyError);
        assert.equal(reply.name, "ReplyError");
        assert.equal(reply.message, "WRONGTYPE Operation against a key: holding");
        assert.equal(String(reply), "ReplyError: WRONGTYPE Operation against a key: holding");
    });

    it("an array reply breaks the pipe, naming the type and keeping the replies before it", async () => {
        const p = await peer((_args, socket, index) => socket.write(index === 0 ? "+OK\r\n" : "*1\r\n+OK\r\n"));
        const pipe = await open(p.port);
        const err = await brokenWith(
            send(pipe, [
                ["SET", "a", "1"],
                ["SET", "b", "1"],
            ]),
        );
        assert.equal(err.name, "PipeBrokenError");
        assert.equal(err.message, 'unexpected reply type "*" from Redis');
        assert.deepEqual(err.replies, [true]);
        assert.equal(pipe.broken, true);
    });

    for (const length of ["abc", "1x", "x1", "-2"]) {
        it(`a malformed bulk length (${length}) breaks the pipe instead of being read as a length`, async () => {
            const p = await peer((_args, socket, index) =>
                socket.write(index === 0 ? "+OK\r\n" : `$${length}\r\nxyz\r\n`),
            );
            const pipe = await open(p.port);
            const err = await brokenWith(
                send(pipe, [
                    ["SET", "a", "1"],
                    ["SET", "b", "1"],
                ]),
            );
            assert.equal(err.message, `malformed bulk length "${length}" from Redis`);
            assert.deepEqual(err.replies, [true]);
        });
    }

    it("a reply that starts with CR is refused at once as an unexpected type, not waited on", async () => {
        const p = await peer((_args, socket) => socket.write("\r\n"));
        const pipe = await open(p.port, { connectTimeoutMs: 2000, commandTimeoutMs: 5000 });
        const started = Date.now();
        const err = await brokenWith(send(pipe, [["SET", "a", "1"]]));
        assert.equal(err.message, 'unexpected reply type "\\r" from Redis');
        assert.ok(Date.now() - started < 2000);
    });

    it("a reply to no command breaks the pipe; a later send fails at once with that cause and no replies", async () => {
        const p = await peer(
            () => {},
            (socket) => socket.write("+OK\r\n"),
        );
        const pipe = await open(p.port, { connectTimeoutMs: 2000, commandTimeoutMs: 5000 });
        for (let i = 0; i < 200 && !pipe.broken; i++) await sleep(5);
        assert.equal(pipe.broken, true);
        const started = Date.now();
        const err = await brokenWith(send(pipe, [["SET", "a", "1"]]));
        assert.equal(err.message, "Redis sent a reply to no command");
        assert.deepEqual(err.replies, []);
        assert.ok(Date.now() - started < 1000, "a broken pipe must not wait for the command timeout");
        assert.equal(p.received.length, 0);
    });

    it("a peer that closes mid-batch fails it as a closed connection, with the replies that did arrive", async () => {
        const p = await peer((_args, socket, index) => {
            if (index === 0) socket.write("+OK\r\n");
            else if (index === 1) socket.end();
        });
        const pipe = await open(p.port);
        const err = await brokenWith(
            send(pipe, [
                ["SET", "a", "1"],
                ["SET", "b", "1"],
                ["SET", "c", "1"],
            ]),
        );
        assert.equal(err.message, "Connection is closed.");
        assert.deepEqual(err.replies, [true]);
    });

    it("a reset connection fails the batch with the socket's own error", async () => {
        const p = await peer((_args, socket) => socket.resetAndDestroy());
        const pipe = await open(p.port);
        const err = await brokenWith(send(pipe, [["SET", "a", "1"]]));
        assert.match(err.message, /ECONNRESET/);
        assert.deepEqual(err.replies, []);
    });

    it("the connect timeout names the host and port", async () => {
        const silent = await silentServer();
        try {
            await assert.rejects(
                RespPipe.connect(
                    { host: "127.0.0.1", port: silent.port, db: 0, tls: {} },
                    { connectTimeoutMs: 200, commandTimeoutMs: 200 },
                ),
                (err: Error) => {
                    assert.equal(err.message, `connecting to 127.0.0.1:${silent.port} timed out after 200 ms`);
                    return true;
                },
            );
        } finally {
            await silent.close();
        }
    });

    it("a refused AUTH fails the connect with Redis's reply and closes the connection", async () => {
        const p = await peer((args, socket) =>
            socket.write(args[0] === "AUTH" ? "-WRONGPASS invalid username-password pair\r\n" : "+OK\r\n"),
        );
        await assert.rejects(
            RespPipe.connect({ host: "127.0.0.1", port: p.port, db: 2, username: "u", password: "pw" }, PEER_TIMEOUTS),
            (err: Error) => {
                assert.ok(err instanceof ReplyError);
                assert.equal(err.message, "WRONGPASS invalid username-password pair");
                return true;
            },
        );
        assert.deepEqual(
            p.received.map((r) => r.args),
            [
                ["AUTH", "u", "pw"],
                ["SELECT", "2"],
            ],
        );
        await withTimeout(p.firstClosed, 2000, "the refused connection closing");
    });

    it("a refused SELECT on a real redis-server fails the connect", async () => {
        const server = await testRedis();
        await assert.rejects(
            RespPipe.connect({ host: server.host, port: server.port, db: 100_000 }, PEER_TIMEOUTS),
            (err: Error) => {
                assert.ok(err instanceof ReplyError);
                assert.match(err.message, /DB index is out of range/);
                return true;
            },
        );
    });
});
