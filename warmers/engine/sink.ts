// Writes batches into Redis: bounded batches in flight (backpressure on the source), an optional rate limit,
// TTL jitter, and retries with exponential backoff for transient errors. Keys are SET … NX by default, so a
// warm never replaces what live traffic wrote; every SET or RESTORE is atomic, so a crash leaves no partial
// value. A standalone target gets each batch as one encoded write on a bare connection (resp-pipe.ts); a
// cluster's write path is in cluster/ (cluster-writer.ts), which the sink lends its commands and its tally.
import { Cluster } from "ioredis";
import { clusterBatchWriter } from "./cluster/cluster-writer";
import { RateLimiter } from "./limiter";
import { ReopeningPipe } from "./reopening-pipe";
import type { RedisServerSpec, ResolvedOptions } from "./resolved";
import { isTransient, type RedisClient } from "./redis-client";
import { EncoderBuffers, PipeBrokenError, RespEncoder, RespPipe, type Reply } from "./resp-pipe";
import type { Bytes, Source, WarmRecord } from "./sources/source";
import { sleep } from "../timeout";

export interface WriteTotals {
    written: number;
    present: number;
    failed: number;
    firstError?: string;
    /** The longest time from a batch's values being read to Redis answering its last write. */
    oldestValueAgeMs?: number;
}

interface Attempt extends WriteTotals {
    /** Records that hit a transient error, to send again after a backoff. */
    retry: WarmRecord[];
    retryError?: unknown;
    /**
     * `SET … NX` / `RESTORE` refused with OOM: Redis refuses a write at its limit before it looks at the key, so
     * the key may well be there already. Not counted yet: the sink asks with EXISTS (allowed under OOM).
     */
    oomRefused: { record: WarmRecord; error: string }[];
}

interface Writer {
    /** Sends one batch; the warm loop passes only records with both a key and a value. */
    send(records: WarmRecord[]): Promise<Attempt>;
    close(): void;
}

export type SinkOptions = Pick<
    ResolvedOptions,
    | "overwrite"
    | "ttl"
    | "jitter"
    | "concurrency"
    | "rate"
    | "retries"
    | "retryBackoffMs"
    | "redactor"
    | "connectTimeoutMs"
    | "commandTimeoutMs"
>;

export class Sink {
    readonly totals: WriteTotals = { written: 0, present: 0, failed: 0 };
    private readonly inFlight = new Set<Promise<void>>();
    private readonly limiter: RateLimiter | undefined;
    private failure: unknown;

    private constructor(
        private readonly writer: Writer,
        private readonly client: RedisClient,
        private readonly options: SinkOptions,
    ) {
        this.limiter = options.rate === undefined ? undefined : new RateLimiter(options.rate);
    }

    static create(
        target: ResolvedOptions["target"],
        client: RedisClient,
        kind: Source["kind"],
        options: SinkOptions,
    ): Sink {
        const writer =
            client instanceof Cluster ? clusterWriter(target, kind, options) : pipelined(target, kind, options);
        return new Sink(writer, client, options);
    }

    /**
     * Sends one batch once a slot is free and the rate allows; resolves as soon as it is on its way. `readAt`: when
     * its values were read from the source (ms since the epoch), for the oldest value age.
     */
    async write(records: WarmRecord[], readAt: number): Promise<void> {
        while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
        this.throwIfFailed();
        await this.limiter?.take(records.length);
        const sending: Promise<void> = this.send(records)
            .then(() => {
                const age = Date.now() - readAt;
                this.totals.oldestValueAgeMs = Math.max(this.totals.oldestValueAgeMs ?? 0, age);
            })
            .catch((err) => {
                this.failure ??= err;
            })
            .finally(() => this.inFlight.delete(sending));
        this.inFlight.add(sending);
    }

    /** Waits for every batch in flight; throws if any failed for good. */
    async flush(): Promise<void> {
        while (this.inFlight.size) await Promise.all(this.inFlight);
        this.throwIfFailed();
    }

    close(): void {
        this.writer.close();
    }

    private throwIfFailed(): void {
        if (this.failure) throw this.failure;
    }

    /** Keys refused with OOM that are present count as present (a full cache that holds them is warm); the rest fail. */
    private async sortOomRefused(result: Attempt): Promise<void> {
        const found = await Promise.all(
            result.oomRefused.map(({ record }) => this.client.exists(record.key as Bytes).catch(() => 0)),
        );
        result.oomRefused.forEach(({ error }, i) => {
            if (found[i]) result.present++;
            else {
                result.failed++;
                result.firstError ??= error;
            }
        });
    }

    private async send(records: WarmRecord[]): Promise<void> {
        let pending = records;
        for (let attempt = 0; ; attempt++) {
            const result = await this.writer.send(pending);
            if (result.oomRefused.length) await this.sortOomRefused(result);
            this.totals.written += result.written;
            this.totals.present += result.present;
            this.totals.failed += result.failed;
            this.totals.firstError ??= result.firstError;
            if (!result.retry.length) return;
            this.throwIfFailed(); // another batch already gave up: the warm is over
            if (attempt === this.options.retries) {
                const reason = this.options.redactor.text((result.retryError as Error).message);
                throw new Error(`Redis still failing after ${attempt} retries (${reason})`, {
                    cause: result.retryError,
                });
            }
            await sleep(this.options.retryBackoffMs * 2 ** attempt);
            pending = result.retry;
        }
    }
}

/** The TTL to write: the row's or the default, uniform over the whole seconds within ± jitter, at least 1. 0: none. */
export function jitteredTtl(base: number | undefined, jitter: number, random: () => number = Math.random): number {
    if (base === undefined) return 0;
    const low = Math.max(1, Math.ceil(base * (1 - jitter)));
    const high = Math.max(low, Math.floor(base * (1 + jitter)));
    return low + Math.floor(random() * (high - low + 1));
}

/** One key's command: SET (NX unless overwriting, EX with a jittered TTL) or RESTORE of a DUMP. */
function encodeCommand(encoder: RespEncoder, record: WarmRecord, kind: Source["kind"], options: SinkOptions): void {
    const key = record.key as Bytes;
    const value = record.value as Bytes;
    if (kind === "dumps") {
        const restore: [string, ...(Bytes | number)[]] = ["RESTORE", key, record.pttl ?? 0, value];
        if (options.overwrite) restore.push("REPLACE");
        encoder.command(restore);
        return;
    }
    encoder.set(key, value, jitteredTtl(record.ttl ?? options.ttl, options.jitter), !options.overwrite);
}

/** Sorts one batch's replies: written, already present, refused for good, or worth another try. */
function tally(records: WarmRecord[], replies: readonly Reply[], options: SinkOptions): Attempt {
    const attempt: Attempt = {
        written: 0,
        present: 0,
        failed: 0,
        retry: records.slice(replies.length),
        oomRefused: [],
    };
    replies.forEach((reply, i) => {
        if (reply === true) attempt.written++;
        else if (reply === null)
            attempt.present++; // SET … NX on an existing key
        else if (reply.message.startsWith("BUSYKEY"))
            attempt.present++; // RESTORE without REPLACE on an existing key
        else if (isTransient(reply)) {
            attempt.retry.push(records[i]);
            attempt.retryError = reply;
        } else if (!options.overwrite && reply.message.startsWith("OOM")) {
            attempt.oomRefused.push({ record: records[i], error: options.redactor.text(reply.message) });
        } else {
            attempt.failed++;
            attempt.firstError ??= options.redactor.text(reply.message);
        }
    });
    return attempt;
}

/** Standalone: each batch is one encoded write on a bare connection, reconnected after a loss. */
function pipelined(server: RedisServerSpec, kind: Source["kind"], options: SinkOptions): Writer {
    const pipe = new ReopeningPipe(() => RespPipe.connect(server, options));
    const buffers = new EncoderBuffers();
    return {
        async send(records) {
            const encoder = buffers.encoder(records.length * 512);
            for (const record of records) encodeCommand(encoder, record, kind, options);
            try {
                const replies = await (await pipe.get()).send(encoder.finish(), encoder.count);
                buffers.release(encoder, options.concurrency);
                return tally(records, replies, options);
            } catch (err) {
                // Replies that arrived before the loss count; the rest of the batch is sent again.
                const replies = err instanceof PipeBrokenError ? err.replies : [];
                return { ...tally(records, replies, options), retryError: err };
            }
        },
        close: () => pipe.close(),
    };
}

/** Cluster: each batch split by hash slot into one encoded write per primary, MOVED/ASK followed (cluster/). */
function clusterWriter(target: RedisServerSpec, kind: Source["kind"], options: SinkOptions): Writer {
    return clusterBatchWriter(target, options, {
        encode: (record, encoder) => encodeCommand(encoder, record, kind, options),
        tally: (records, replies) => tally(records, replies, options),
    });
}
