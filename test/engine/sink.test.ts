// The sink against a loopback peer speaking RESP: its backpressure, retries and close, and the replies a real
// Redis rarely gives.
import assert from "node:assert/strict";
import net from "node:net";
import { Redactor } from "../../warmers/engine/redact";
import { type RedisClient } from "../../warmers/engine/redis-client";
import { ReplyError } from "../../warmers/engine/resp-pipe";
import { Sink, type SinkOptions } from "../../warmers/engine/sink";
import { sleep, withTimeout } from "../../warmers/timeout";
import { type Peer, respPeer } from "./resp-peer";

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

    it("counts a key Redis refuses for good as failed, keeping the first refusal, redacted, and retrying none", async () => {
        const refusals = [
            "-WRONGTYPE near s3cret-token\r\n",
            "+OK\r\n",
            "-ERR invalid expire time in 'set' command\r\n",
        ];
        const p = await respPeer((_args, socket, index) => socket.write(refusals[index] ?? "+OK\r\n"));
        peers.push(p);
        const sink = sinkTo(p, { redactor: new Redactor(["s3cret-token"]) });
        await sink.write([record(1), record(2), record(3)], Date.now());
        await sink.flush();
        assert.deepEqual(
            { written: sink.totals.written, present: sink.totals.present, failed: sink.totals.failed },
            { written: 1, present: 0, failed: 2 },
        );
        assert.equal(sink.totals.firstError, "WRONGTYPE near ***");
        assert.equal(p.received.length, 3, "a refusal is not retried");
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
