// Reads the slot map from the cluster: CLUSTER SLOTS from the first node that answers, the freshest first
// (the node a MOVED named, then the primaries already known, then the node the user gave). Each try opens a
// short connection with the target's TLS and AUTH, under the connect and command timeouts. CurrentSlotMap keeps
// the last map read and reads it again when a reply says it is out of date.
import Redis from "ioredis";
import { connectRedis } from "../redis-client";
import type { RedisServerSpec, ResolvedOptions } from "../resolved";
import { addressName, SlotMap, type NodeAddress } from "./slot-map";

export type SlotMapOptions = Pick<ResolvedOptions, "connectTimeoutMs" | "commandTimeoutMs" | "redactor">;

export async function fetchSlotMap(
    candidates: readonly NodeAddress[],
    target: RedisServerSpec,
    options: SlotMapOptions,
): Promise<SlotMap> {
    const tried = new Set<string>();
    let failure: unknown;
    for (const node of candidates) {
        const name = addressName(node);
        if (tried.has(name)) continue;
        tried.add(name);
        let client: Redis | undefined;
        try {
            client = (await connectRedis({ ...target, ...node }, "redis", name, options)) as Redis;
            return SlotMap.fromClusterSlots(await client.cluster("SLOTS"), node);
        } catch (err) {
            failure = err;
        } finally {
            client?.disconnect();
        }
    }
    const reason = options.redactor.text((failure as Error).message);
    throw new Error(`cannot read the cluster's slot map from ${[...tried].join(", ")}: ${reason}`, { cause: failure });
}

/** The slot map, read once and again whenever a reply says it is out of date; one read at a time. */
export class CurrentSlotMap {
    private map: Promise<SlotMap> | undefined;
    private lastGood: SlotMap | undefined;
    private outdated = true;
    private hint: NodeAddress | undefined;

    constructor(
        private readonly target: RedisServerSpec,
        private readonly options: SlotMapOptions,
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
