// The write hot path to a standalone Redis: a batch of commands is encoded into one Buffer and its replies
// are counted off the socket as they stream back — what `redis-cli --pipe` does. ioredis spends several µs of
// client CPU per command (a Command object, a promise, a parsed reply); on a 2-core machine shared with
// PostgreSQL and Redis that alone was slower than mass insertion. This handles only commands whose replies
// are one line (SET, RESTORE, AUTH, SELECT): +OK, $-1 (nil), :n, -ERR.
import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";
import type { RedisServerSpec } from "./resolved";
import type { Bytes } from "./sources/source";
import { withTimeout } from "../timeout";

/** true: done; null: nil (SET … NX found the key); ReplyError: Redis refused that command. */
export type Reply = true | null | ReplyError;

export class ReplyError extends Error {
    name = "ReplyError";
}

/** The connection failed or timed out with a batch in flight; `replies` are those that did arrive, in order. */
export class PipeBrokenError extends Error {
    name = "PipeBrokenError";

    constructor(
        message: string,
        readonly replies: Reply[],
    ) {
        super(message);
    }
}

interface InFlight {
    count: number;
    replies: Reply[];
    resolve(replies: Reply[]): void;
    reject(err: Error): void;
    timer: NodeJS.Timeout;
}

const CR = 0x0d;

export class RespPipe {
    private readonly inFlight: InFlight[] = [];
    private unread: Buffer = Buffer.alloc(0);
    private brokenBy: Error | undefined;

    private constructor(
        private readonly socket: net.Socket,
        private readonly commandTimeoutMs: number,
    ) {
        socket.on("data", (chunk: Buffer) => this.read(chunk));
        socket.on("error", (err) => this.break(err));
        socket.on("close", () => this.break(new Error("Connection is closed.")));
    }

    /** Connects (TLS for rediss://), authenticates and selects the db, each step within its timeout. */
    static async connect(
        server: RedisServerSpec,
        timeouts: { connectTimeoutMs: number; commandTimeoutMs: number },
    ): Promise<RespPipe> {
        const { host, port } = server;
        const socket = server.tls
            ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...server.tls })
            : net.connect({ host, port });
        socket.setNoDelay(true);
        try {
            await withTimeout(
                once(socket, server.tls ? "secureConnect" : "connect"),
                timeouts.connectTimeoutMs,
                `connecting to ${host}:${port}`,
            );
        } catch (err) {
            socket.destroy();
            throw err;
        }
        const pipe = new RespPipe(socket, timeouts.commandTimeoutMs);
        const setup = new RespEncoder(64);
        if (server.password !== undefined)
            setup.command(["AUTH", ...(server.username ? [server.username] : []), server.password]);
        if (server.db) setup.command(["SELECT", server.db]);
        if (setup.count) {
            const refused = (await pipe.send(setup.finish(), setup.count)).find((reply) => reply instanceof ReplyError);
            if (refused) {
                pipe.close();
                throw refused;
            }
        }
        return pipe;
    }

    get broken(): boolean {
        return this.brokenBy !== undefined;
    }

    /** Writes `count` encoded commands; resolves with one reply per command, in order. */
    send(payload: Buffer, count: number): Promise<Reply[]> {
        if (this.brokenBy) return Promise.reject(new PipeBrokenError(this.brokenBy.message, []));
        return new Promise((resolve, reject) => {
            const timer = setTimeout(
                () => this.break(new Error(`Command timed out: no reply within ${this.commandTimeoutMs} ms`)),
                this.commandTimeoutMs,
            );
            this.inFlight.push({ count, replies: [], resolve, reject, timer });
            this.socket.write(payload);
        });
    }

    close(): void {
        this.socket.destroy();
    }

    private break(cause: Error): void {
        this.brokenBy ??= cause;
        this.socket.destroy();
        for (const batch of this.inFlight.splice(0)) {
            clearTimeout(batch.timer);
            batch.reject(new PipeBrokenError(cause.message, batch.replies));
        }
    }

    private read(chunk: Buffer): void {
        const data = this.unread.length ? Buffer.concat([this.unread, chunk]) : chunk;
        let offset = 0;
        while (offset < data.length) {
            const end = data.indexOf(CR, offset);
            if (end < 0 || end + 1 >= data.length) break; // the line is not complete yet
            const type = data[offset];
            let reply: Reply = true;
            let next = end + 2;
            if (type === 0x2d /* - */) reply = new ReplyError(data.toString("utf8", offset + 1, end));
            else if (type === 0x24 /* $ */) {
                const length = data.toString("latin1", offset + 1, end);
                if (!/^(-1|\d+)$/.test(length)) {
                    this.break(new Error(`malformed bulk length ${JSON.stringify(length)} from Redis`));
                    return;
                }
                if (length === "-1") reply = null;
                else next += Number(length) + 2; // a bulk reply nobody asked for: skip it
            } else if (type !== 0x2b /* + */ && type !== 0x3a /* : */) {
                this.break(new Error(`unexpected reply type ${JSON.stringify(String.fromCharCode(type))} from Redis`));
                return;
            }
            if (next > data.length) break;
            offset = next;
            this.deliver(reply);
        }
        this.unread = data.subarray(offset);
    }

    private deliver(reply: Reply): void {
        const batch = this.inFlight[0];
        if (!batch) {
            this.break(new Error("Redis sent a reply to no command"));
            return;
        }
        batch.replies.push(reply);
        if (batch.replies.length === batch.count) {
            this.inFlight.shift();
            clearTimeout(batch.timer);
            batch.resolve(batch.replies);
        }
    }
}

/** `*N\r\n$3\r\nSET\r\n` for N = 3…6 arguments: the constant head of every SET, copied, not built. */
const SET_HEADS = [3, 4, 5, 6].map((n) => Buffer.from(`*${n}\r\n$3\r\nSET\r\n`, "latin1"));
const EX = Buffer.from("$2\r\nEX\r\n", "latin1");
const NX = Buffer.from("$2\r\nNX\r\n", "latin1");
const LF = 0x0a;
const DOLLAR = 0x24;
/** Room for a bulk header (`$`, up to 16 digits, CRLF) and its trailing CRLF. */
const BULK_OVERHEAD = 21;

/** Encodes commands as RESP arrays of bulk strings into one growing Buffer. */
export class RespEncoder {
    private buffer: Buffer;
    private length = 0;
    count = 0;

    /** `reuse`: a buffer a finished batch no longer needs (EncoderBuffers), used when at least `sizeHint` long. */
    constructor(sizeHint: number, reuse?: Buffer) {
        this.buffer = reuse && reuse.length >= sizeHint ? reuse : Buffer.allocUnsafe(sizeHint);
    }

    /** The whole buffer, for EncoderBuffers to hand to a later encoder once this one's batch is answered. */
    get storage(): Buffer {
        return this.buffer;
    }

    command(args: readonly (Bytes | number)[]): void {
        // Text runs are joined into one string and written once: per-call overhead, not bytes, is the cost.
        let text = `*${args.length}\r\n`;
        for (const arg of args) {
            if (typeof arg === "object") {
                this.write(`${text}$${arg.length}\r\n`);
                this.reserve(arg.length);
                this.length += arg.copy(this.buffer, this.length);
                text = "\r\n";
            } else {
                const value = typeof arg === "number" ? String(arg) : arg;
                text += `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
            }
        }
        this.write(text);
        this.count++;
    }

    /**
     * `SET key value [EX ttl] [NX]`, byte for byte what command() writes for the same arguments (`ttl` 0: no EX),
     * written straight into the buffer: the warm's hot path, one per key, builds no array and no string.
     */
    set(key: Bytes, value: Bytes, ttl: number, nx: boolean): void {
        this.reserve(SET_HEADS[0].length);
        this.buffer.set(SET_HEADS[(ttl ? 2 : 0) + (nx ? 1 : 0)], this.length);
        this.length += SET_HEADS[0].length;
        this.bulk(key);
        this.bulk(value);
        if (ttl) {
            this.constant(EX);
            if (Number.isSafeInteger(ttl) && ttl > 0) this.bulkInteger(ttl);
            else this.bulk(String(ttl)); // what command() sends; Redis refuses it, and the tally counts that
        }
        if (nx) this.constant(NX);
        this.count++;
    }

    /** The encoded commands; the encoder must not be used afterwards. */
    finish(): Buffer {
        return this.buffer.subarray(0, this.length);
    }

    private constant(bytes: Buffer): void {
        this.reserve(bytes.length);
        this.buffer.set(bytes, this.length);
        this.length += bytes.length;
    }

    /** One bulk string: `$<bytes>\r\n<bytes>\r\n`; text as UTF-8. */
    private bulk(arg: Bytes): void {
        if (typeof arg !== "string") {
            this.reserve(arg.length + BULK_OVERHEAD);
            const at = this.header(arg.length);
            this.buffer.set(arg, at);
            this.length = this.trailer(at + arg.length);
            return;
        }
        // Written where an ASCII string's bytes go (one byte per UTF-16 unit); a longer UTF-8 form (never
        // shorter) has a length with as many digits or more, and is moved up by the difference.
        this.reserve(3 * arg.length + BULK_OVERHEAD);
        const guess = this.length + 1 + digits(arg.length) + 2;
        const bytes = arg.length ? this.buffer.write(arg, guess, "utf8") : 0;
        const at = this.length + 1 + digits(bytes) + 2;
        if (at !== guess) this.buffer.copyWithin(at, guess, guess + bytes); // before the header covers it
        this.header(bytes);
        this.length = this.trailer(at + bytes);
    }

    private bulkInteger(n: number): void {
        const width = digits(n);
        this.reserve(width + BULK_OVERHEAD);
        this.length = this.trailer(writeDecimal(this.buffer, this.header(width), n, width));
    }

    /** Writes `$<length>\r\n` at the end; returns where the bulk's bytes go (length is not moved). */
    private header(bytes: number): number {
        const buffer = this.buffer;
        buffer[this.length] = DOLLAR;
        let at = writeDecimal(buffer, this.length + 1, bytes, digits(bytes));
        buffer[at++] = CR;
        buffer[at++] = LF;
        return at;
    }

    /** Writes the CRLF that ends a bulk at `at`; returns the new end. */
    private trailer(at: number): number {
        this.buffer[at] = CR;
        this.buffer[at + 1] = LF;
        return at + 2;
    }

    private write(text: string): void {
        this.reserve(text.length * 3); // the most UTF-8 bytes a string of this length can take
        this.length += this.buffer.write(text, this.length, "utf8");
    }

    private reserve(bytes: number): void {
        if (this.length + bytes <= this.buffer.length) return;
        const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
        this.buffer.copy(grown, 0, 0, this.length);
        this.buffer = grown;
    }
}

/** Decimal digits of a whole number ≥ 0. */
function digits(n: number): number {
    let width = 1;
    while (n >= 10) {
        n = Math.floor(n / 10);
        width++;
    }
    return width;
}

/** Writes whole number `n` (`width` digits) as ASCII at `at`; returns the end. */
function writeDecimal(buffer: Buffer, at: number, n: number, width: number): number {
    const end = at + width;
    for (let i = end - 1; i >= at; i--) {
        buffer[i] = 0x30 + (n % 10);
        n = Math.floor(n / 10);
    }
    return end;
}

/**
 * Encoder buffers handed back once their batch is answered, for the next batches: a 1M-key warm otherwise
 * allocates (and the collector frees) a fresh half-megabyte buffer per batch. A buffer is handed back only after
 * every reply of its batch has arrived, so Node has written all of it; a failed batch's buffer is dropped.
 */
export class EncoderBuffers {
    private readonly free: Buffer[] = [];

    encoder(sizeHint: number): RespEncoder {
        return new RespEncoder(sizeHint, this.free.pop());
    }

    /** `keep`: at most this many kept for later (as many as can be in flight at once). */
    release(encoder: RespEncoder, keep: number): void {
        if (this.free.length < keep) this.free.push(encoder.storage);
    }
}
