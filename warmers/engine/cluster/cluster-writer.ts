// A Redis Cluster written the way one node is: each batch is split by hash slot into one encoded write per
// primary, sent on that primary's bare connection (resp-pipe.ts), all primaries at once. A MOVED reply (a slot
// handed over after resharding or failover) corrects the slot map, schedules a fresh read of it, and resends
// just those keys to the new owner; an ASK reply (a slot mid-migration, the key already moved) resends the key to
// the importing node behind ASKING, without touching the map. Keys whose node failed are left unanswered for the
// sink to retry after its backoff, once the map has been read again.
import type { RedisServerSpec } from "../resolved";
import { PipeBrokenError, ReplyError, RespEncoder, type Reply } from "../resp-pipe";
import type { Bytes, WarmRecord } from "../sources/source";
import { keySlot } from "./key-slot";
import { PipePool } from "./pipe-pool";
import { parseRedirect, type NodeAddress, type SlotMap } from "./slot-map";
import { fetchSlotMap, type TopologyOptions } from "./topology";

/** What the sink lends the cluster path, so both write the same commands and count replies the same way. */
export interface BatchCodec<Attempt> {
    command(record: WarmRecord): readonly (Bytes | number)[];
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

export function clusterPipes<Attempt extends { retryError?: unknown }>(
    target: RedisServerSpec,
    options: TopologyOptions,
    codec: BatchCodec<Attempt>,
): { send(records: WarmRecord[]): Promise<Attempt>; close(): void } {
    const pool = new PipePool(target, options);
    const topology = new Topology(target, options);

    async function send(records: WarmRecord[]): Promise<Attempt> {
        const slots = records.map((record) => keySlot(record.key as Bytes));
        const replies: (Reply | undefined)[] = new Array(records.length);
        let failure: unknown;
        let answered = 0;
        /** What the next round sends; the first round sends every record, to the owner of its slot. */
        let pending: Pending[] | undefined;
        for (let round = 0; (pending?.length ?? records.length) && failure === undefined; round++) {
            if (round > MAX_REDIRECTS) {
                failure = new Error(`keys still redirected (MOVED/ASK) after ${MAX_REDIRECTS} tries`);
                break;
            }
            let map: SlotMap;
            try {
                map = await topology.current();
            } catch (err) {
                failure = err;
                break;
            }
            const groups = new Map<unknown, Group>();
            const count = pending?.length ?? records.length;
            for (let p = 0; p < count; p++) {
                const index = pending ? pending[p].index : p;
                const asking = pending?.[p].asking;
                const node = asking ?? map.owner(slots[index]);
                if (!node) {
                    failure = new Error(`CLUSTERDOWN: no primary serves slot ${slots[index]}`);
                    topology.stale();
                    continue;
                }
                // The map hands out one object per node; an ASK target is named by its address.
                const key = asking ? `ASK ${asking.host}:${asking.port}` : node;
                let group = groups.get(key);
                if (!group) {
                    const share = Math.ceil(count / map.nodeCount) * BYTES_PER_COMMAND;
                    group = { node, asking: !!asking, encoder: new RespEncoder(share), indices: [] };
                    groups.set(key, group);
                }
                if (group.asking) group.encoder.command(["ASKING"]);
                group.encoder.command(codec.command(records[index]));
                group.indices.push(index);
            }
            const next: Pending[] = [];
            await Promise.all(
                [...groups.values()].map(async (group) => {
                    let received: Reply[];
                    try {
                        const pipe = await pool.get(group.node);
                        received = await pipe.send(group.encoder.finish(), group.encoder.count);
                    } catch (err) {
                        // Replies that arrived before the loss count; the node's other keys wait for a retry.
                        received = err instanceof PipeBrokenError ? err.replies : [];
                        failure ??= err;
                        topology.stale();
                    }
                    const step = group.asking ? 2 : 1; // ASKING's +OK, then the command's reply
                    group.indices.forEach((index, k) => {
                        const reply = received[k * step + step - 1];
                        if (reply === undefined) return;
                        const redirect = reply instanceof ReplyError && parseRedirect(reply.message, group.node);
                        if (redirect && redirect.kind === "MOVED") {
                            map.moved(redirect.slot, redirect.address);
                            topology.stale(redirect.address);
                            next.push({ index });
                        } else if (redirect) next.push({ index, asking: redirect.address });
                        else {
                            if (reply instanceof ReplyError && /^CLUSTERDOWN\b/.test(reply.message)) topology.stale();
                            replies[index] = reply;
                            answered++;
                        }
                    });
                }),
            );
            pending = next;
        }
        if (answered === records.length) return codec.tally(records, replies as Reply[]);
        // Answered records first, in their order, so the tally sees one run of replies and retries the rest.
        const inOrder: WarmRecord[] = [];
        const unanswered: WarmRecord[] = [];
        const received: Reply[] = [];
        records.forEach((record, i) => {
            const reply = replies[i];
            if (reply === undefined) unanswered.push(record);
            else {
                inOrder.push(record);
                received.push(reply);
            }
        });
        const attempt = codec.tally([...inOrder, ...unanswered], received);
        attempt.retryError = failure;
        return attempt;
    }

    return {
        send,
        close: () => pool.close(),
    };
}

/** The slot map, read once and again whenever a reply says it is out of date; one read at a time. */
class Topology {
    private map: Promise<SlotMap> | undefined;
    private lastGood: SlotMap | undefined;
    private outdated = true;
    private hint: NodeAddress | undefined;

    constructor(
        private readonly target: RedisServerSpec,
        private readonly options: TopologyOptions,
    ) {}

    /** Marks the map out of date; `hint`: a node known to have the newer view (the one a MOVED named). */
    stale(hint?: NodeAddress): void {
        this.outdated = true;
        this.hint = hint ?? this.hint;
    }

    current(): Promise<SlotMap> {
        if (this.map && !this.outdated) return this.map;
        this.outdated = false;
        const candidates = [...(this.hint ? [this.hint] : []), ...(this.lastGood?.primaries() ?? []), this.target];
        this.hint = undefined;
        const reading = fetchSlotMap(candidates, this.target, this.options);
        // Batches arriving meanwhile wait for this same read; a failed one falls back to the last map read and is
        // tried again by the next batch.
        this.map = reading.then(
            (map) => (this.lastGood = map),
            (err) => {
                this.outdated = true;
                if (this.lastGood) return this.lastGood;
                throw err;
            },
        );
        return this.map;
    }
}
