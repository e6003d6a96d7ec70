// Reads the slot map from the cluster: CLUSTER SLOTS from the first node that answers, the freshest first
// (the node a MOVED named, then the primaries already known, then the node the user gave). Each try opens a
// short connection with the target's TLS and AUTH, under the connect and command timeouts.
import Redis from "ioredis";
import { connectRedis } from "../redis-client";
import type { RedisServerSpec, ResolvedOptions } from "../resolved";
import { addressName, SlotMap, type NodeAddress } from "./slot-map";

export type TopologyOptions = Pick<ResolvedOptions, "connectTimeoutMs" | "commandTimeoutMs" | "redactor">;

export async function fetchSlotMap(
    candidates: readonly NodeAddress[],
    target: RedisServerSpec,
    options: TopologyOptions,
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
