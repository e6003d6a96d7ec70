// Edges of the write hot path a real Redis rarely shows: replies split at any byte, odd or unsolicited replies,
// resets, refused setup, and the sink's backpressure, retries and close, against a loopback peer speaking RESP.
import assert from "node:assert/strict";
import net from "node:net";
import { Redactor } from "../../warmers/engine/redact";
import type { RedisClient } from "../../warmers/engine/redis-client";
import { PipeBrokenError, ReplyError, RespEncoder, RespPipe, type Reply } from "../../warmers/engine/resp-pipe";
import { Sink, type SinkOptions } from "../../warmers/engine/sink";
import { sleep, withTimeout } from "../../warmers/timeout";
import { testRedis } from "../support/servers";
import { silentServer } from "./fixtures";

interface Received {
    args: string[];
    at: number;
}

interface Peer {
    port: number;
    received: Received[];
    /** Resolves once the first connection the peer accepted has closed. */
    firstClosed: Promise<void>;
    close(): Promise<void>;
}

type Answer = (args: string[], socket: net.Socket, index: number) => void;

/** Splits complete RESP arrays of bulk strings off the front of `data`. */
function parseCommands(data: Buffer): { commands: string[][]; rest: Buffer } {
    const commands: string[][] = [];
    let pos = 0;
    const line = (from: number): [string, number] | undefined => {
        const end = data.indexOf("\r\n", from);
        return end < 0 ? undefined : [data.toString("latin1", from + 1, end), end + 2];
    };
    for (;;) {
        const head = line(pos);
        if (!head) break;
        let at = head[1];
        const args: string[] = [];
        for (let i = 0; i < Number(head[0]); i++) {
            const bulk = line(at);
            if (!bulk || bulk[1] + Number(bulk[0]) + 2 > data.length) return { commands, rest: data.subarray(pos) };
            args.push(data.toString("latin1", bulk[1], bulk[1] + Number(bulk[0])));
            at = bulk[1] + Number(bulk[0]) + 2;
        }
        commands.push(args);
        pos = at;
    }
    return { commands, rest: data.subarray(pos) };
}

/** A loopback server that reads commands and lets `answer` write whatever bytes a test chooses. */
async function respPeer(answer: Answer, onConnect?: (socket: net.Socket) => void): Promise<Peer> {
    const sockets = new Set<net.Socket>();
    const received: Received[] = [];
    let markClosed: () => void = () => {};
    const firstClosed = new Promise<void>((resolve) => (markClosed = resolve));
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.setNoDelay(true);
        socket.setTimeout(10_000, () => socket.destroy());
        socket.on("error", () => {});
        socket.on("close", () => markClosed());
        let unread: Buffer = Buffer.alloc(0);
        socket.on("data", (chunk: Buffer) => {
            const { commands, rest } = parseCommands(Buffer.concat([unread, chunk]));
            unread = rest;
            for (const args of commands) {
                received.push({ args, at: Date.now() });
                answer(args, socket, received.length - 1);
            }
        });
        onConnect?.(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        received,
        firstClosed,
        close: async () => {
            for (const socket of sockets) socket.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

const TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 3000 };

function connect(port: number, timeouts = TIMEOUTS): Promise<RespPipe> {
    return RespPipe.connect({ host: "127.0.0.1", port, db: 0 }, timeouts);
}

function send(pipe: RespPipe, commands: (string | number)[][]): Promise<Reply[]> {
    const encoder = new RespEncoder(16);
    for (const command of commands) encoder.command(command);
    return pipe.send(encoder.finish(), encoder.count);
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

describe("RESP pipe edges (loopback peer)", () => {
    const peers: Peer[] = [];
    const pipes: RespPipe[] = [];
    async function peer(answer: Answer, onConnect?: (socket: net.Socket) => void): Promise<Peer> {
        const p = await respPeer(answer, onConnect);
        peers.push(p);
        return p;
    }
    async function open(port: number, timeouts = TIMEOUTS): Promise<RespPipe> {
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
            RespPipe.connect({ host: "127.0.0.1", port: p.port, db: 2, username: "u", password: "pw" }, TIMEOUTS),
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
            RespPipe.connect({ host: server.host, port: server.port, db: 100_000 }, TIMEOUTS),
            (err: Error) => {
                assert.ok(err instanceof ReplyError);
                assert.match(err.message, /DB index is out of range/);
                return true;
            },
        );
    });
});

describe("Sink against a loopback peer", () => {
    const peers: Peer[] = [];
    const sinks: Sink[] = [];
    afterEach(async () => {
        for (const sink of sinks.splice(0)) sink.close();
        for (const p of peers.splice(0)) await p.close();
    });

    function sinkTo(p: Peer, options: Partial<SinkOptions>): Sink {
        const sink = Sink.create(
            { host: "127.0.0.1", port: p.port, db: 0, cluster: false },
            // Standalone: only a Cluster client switches the sink to the cluster writer; the client is not used.
            null as unknown as RedisClient,
            "values",
            {
                overwrite: false,
                jitter: 0,
                concurrency: 1,
                retries: 3,
                retryBackoffMs: 1,
                redactor: new Redactor([]),
                connectTimeoutMs: 2000,
                commandTimeoutMs: 3000,
                ...options,
            },
        );
        sinks.push(sink);
        return sink;
    }
    const record = (i: number) => ({ key: `k${i}`, value: `v${i}` });

    it("holds a batch back while `concurrency` batches are in flight", async () => {
        let hold = true;
        const held: net.Socket[] = [];
        const p = await respPeer((_args, socket) => {
            if (hold) held.push(socket);
            else socket.write("+OK\r\n");
        });
        peers.push(p);
        const sink = sinkTo(p, { concurrency: 1 });
        await sink.write([record(1)], Date.now());
        let second = false;
        const writing = sink.write([record(2)], Date.now()).then(() => (second = true));
        await sleep(200);
        assert.equal(second, false, "the second batch must wait for the first");
        assert.equal(p.received.length, 1);
        hold = false;
        for (const socket of held) socket.write("+OK\r\n");
        await withTimeout(writing, 2000, "the second batch starting");
        await sink.flush();
        assert.deepEqual(
            p.received.map((r) => r.args[1]),
            ["k1", "k2"],
        );
        assert.equal(sink.totals.written, 2);
    });

    it("retries a transient error reply and counts the key written, not failed", async () => {
        const p = await respPeer((_args, socket, index) =>
            socket.write(index === 0 ? "-LOADING Redis is loading the dataset in memory\r\n" : "+OK\r\n"),
        );
        peers.push(p);
        const sink = sinkTo(p, {});
        await sink.write([record(1)], Date.now());
        await sink.flush();
        assert.deepEqual(
            { written: sink.totals.written, present: sink.totals.present, failed: sink.totals.failed },
            { written: 1, present: 0, failed: 0 },
        );
        assert.equal(p.received.length, 2);
    });

    it("backs off exponentially and gives up with the last error as the cause", async () => {
        const p = await respPeer((_args, socket) => socket.write("-LOADING Redis is loading\r\n"));
        peers.push(p);
        const sink = sinkTo(p, { retries: 2, retryBackoffMs: 100 });
        await sink.write([record(1)], Date.now());
        await assert.rejects(sink.flush(), (err: Error) => {
            assert.equal(err.message, "Redis still failing after 2 retries (LOADING Redis is loading)");
            assert.ok(err.cause instanceof ReplyError);
            assert.equal(err.cause.message, "LOADING Redis is loading");
            return true;
        });
        const at = p.received.map((r) => r.at);
        assert.equal(at.length, 3);
        assert.ok(at[1] - at[0] >= 90, `first backoff ${at[1] - at[0]} ms`);
        assert.ok(at[2] - at[1] >= 190, `second backoff ${at[2] - at[1]} ms, not doubled`);
    });

    it("close() closes the connection to Redis", async () => {
        const p = await respPeer((_args, socket) => socket.write("+OK\r\n"));
        peers.push(p);
        const sink = sinkTo(p, {});
        await sink.write([record(1)], Date.now());
        await sink.flush();
        sink.close();
        await withTimeout(p.firstClosed, 2000, "the sink's connection closing");
    });
});
