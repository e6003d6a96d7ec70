// A Redis Cluster written the way one node is: each batch is split by hash slot into one encoded write per
// primary, sent on that primary's bare connection (resp-pipe.ts), all primaries at once. A MOVED reply (a slot
// handed over after resharding or failover) corrects the slot map, schedules a fresh read of it, and resends
// just those keys to the new owner; an ASK reply (a slot mid-migration, the key already moved) resends the key to
// the importing node behind ASKING, without touching the map. Keys whose node failed are left unanswered for the
// sink to retry after its backoff, once the map has been read again.
import type { RedisServerSpec, ResolvedOptions } from "../resolved";
import { EncoderBuffers, PipeBrokenError, ReplyError, type RespEncoder, type Reply } from "../resp-pipe";
import type { Bytes, WarmRecord } from "../sources/source";
import { keySlot } from "./key-slot";
import { PipePool } from "./pipe-pool";
import { parseRedirect, type NodeAddress, type SlotMap } from "./slot-map";
import { CurrentSlotMap, type SlotMapOptions } from "./slot-map-reader";

/** What the sink lends the cluster path, so both write the same commands and count replies the same way. */
export interface BatchCodec<Attempt> {
    /** Appends the record's command to the encoder. */
    encode(record: WarmRecord, encoder: RespEncoder): void;
    /** Counts replies, in order, for the first `replies.length` records; the rest are to be retried. */
    tally(records: WarmRecord[], replies: readonly Reply[]): Attempt;
}

/** MOVED/ASK rounds within one send; a slot still bouncing after this is left to the sink's retry and backoff. */
const MAX_REDIRECTS = 5;
/** Starting size of one primary's share of an encoded batch (it grows as needed). */
const BYTES_PER_COMMAND = 512;

interface Pending {
    index: number;
    /** Set after an ASK: send to this node, behind ASKING. */
    asking?: NodeAddress;
}

interface Group {
    node: NodeAddress;
    asking: boolean;
    encoder: RespEncoder;
    indices: number[];
}

export interface ClusterBatchWriter<Attempt> {
    send(records: WarmRecord[]): Promise<Attempt>;
    close(): void;
}

/** One round's writes: per node (or ASK target), the encoded commands and the records they carry. */
interface Round {
    groups: Group[];
    /** A slot no primary serves: those records wait for the sink's retry. */
    failure?: unknown;
}

/** What one round's replies decided: the records answered, those redirected to the next round, a failure. */
interface RoundReplies {
    next: Pending[];
    failure?: unknown;
}

export function clusterBatchWriter<Attempt extends { retryError?: unknown }>(
    target: RedisServerSpec,
    options: SlotMapOptions & Pick<ResolvedOptions, "concurrency">,
    codec: BatchCodec<Attempt>,
): ClusterBatchWriter<Attempt> {
    const pool = new PipePool(target, options);
    const slotMap = new CurrentSlotMap(target, options);
    const buffers = new EncoderBuffers();

    /** Groups the round's records by the node that owns each one's slot (or the ASK target). */
    function group(records: WarmRecord[], slots: number[], pending: Pending[], map: SlotMap): Round {
        const groups = new Map<unknown, Group>();
        let failure: unknown;
        for (const { index, asking } of pending) {
            const node = asking ?? map.owner(slots[index]);
            if (!node) {
                failure = new Error(`CLUSTERDOWN: no primary serves slot ${slots[index]}`);
                slotMap.stale();
                continue;
            }
            // The map hands out one object per node; an ASK target is named by its address.
            const key = asking ? `ASK ${asking.host}:${asking.port}` : node;
            let entry = groups.get(key);
            if (!entry) {
                const share = Math.ceil(pending.length / map.nodeCount) * BYTES_PER_COMMAND;
                entry = { node, asking: !!asking, encoder: buffers.encoder(share), indices: [] };
                groups.set(key, entry);
            }
            if (entry.asking) entry.encoder.command(["ASKING"]);
            codec.encode(records[index], entry.encoder);
            entry.indices.push(index);
        }
        return { groups: [...groups.values()], failure };
    }

    /** Sends one node's group and files each reply: an answer in `replies`, a redirect for the next round. */
    async function sendGroup(entry: Group, map: SlotMap, replies: (Reply | undefined)[]): Promise<RoundReplies> {
        let received: Reply[];
        let failure: unknown;
        try {
            const pipe = await pool.get(entry.node);
            received = await pipe.send(entry.encoder.finish(), entry.encoder.count);
            buffers.release(entry.encoder, options.concurrency * map.nodeCount); // one per primary per batch in flight
        } catch (err) {
            // Replies that arrived before the loss count; the node's other keys wait for a retry.
            received = err instanceof PipeBrokenError ? err.replies : [];
            failure = err;
            slotMap.stale();
        }
        const next: Pending[] = [];
        const step = entry.asking ? 2 : 1; // ASKING's +OK, then the command's reply
        entry.indices.forEach((index, k) => {
            const reply = received[k * step + step - 1];
            if (reply === undefined) return;
            const redirect = reply instanceof ReplyError && parseRedirect(reply.message, entry.node);
            if (redirect && redirect.kind === "MOVED") {
                map.moved(redirect.slot, redirect.address);
                slotMap.stale(redirect.address);
                next.push({ index });
            } else if (redirect) next.push({ index, asking: redirect.address });
            else {
                if (reply instanceof ReplyError && /^CLUSTERDOWN\b/.test(reply.message)) slotMap.stale();
                replies[index] = reply;
            }
        });
        return { next, failure };
    }

    async function send(records: WarmRecord[]): Promise<Attempt> {
        const slots = records.map((record) => keySlot(record.key as Bytes));
        const replies: (Reply | undefined)[] = new Array(records.length);
        let failure: unknown;
        /** What the next round sends; the first round sends every record, to the owner of its slot. */
        let pending: Pending[] = records.map((_, index) => ({ index }));
        for (let round = 0; pending.length > 0 && failure === undefined; round++) {
            if (round > MAX_REDIRECTS) {
                failure = new Error(`keys still redirected (MOVED/ASK) after ${MAX_REDIRECTS} tries`);
                break;
            }
            let map: SlotMap;
            try {
                map = await slotMap.current();
            } catch (err) {
                failure = err;
                break;
            }
            const grouped = group(records, slots, pending, map);
            const sent = await Promise.all(grouped.groups.map((entry) => sendGroup(entry, map, replies)));
            failure = grouped.failure ?? sent.find((s) => s.failure !== undefined)?.failure;
            pending = sent.flatMap((s) => s.next);
        }
        return tallyInOrder(codec, records, replies, failure);
    }

    return { send, close: () => pool.close() };
}

/** Answered records first, in their order, so the tally sees one run of replies and retries the rest. */
function tallyInOrder<Attempt extends { retryError?: unknown }>(
    codec: BatchCodec<Attempt>,
    records: WarmRecord[],
    replies: (Reply | undefined)[],
    failure: unknown,
): Attempt {
    const answered = records.filter((_, i) => replies[i] !== undefined);
    if (answered.length === records.length) return codec.tally(records, replies as Reply[]);
    const unanswered = records.filter((_, i) => replies[i] === undefined);
    const attempt = codec.tally(
        [...answered, ...unanswered],
        replies.filter((r): r is Reply => r !== undefined),
    );
    attempt.retryError = failure;
    return attempt;
}
