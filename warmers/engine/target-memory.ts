// What the memory check is given: each primary's INFO memory, read at connect, and the hot set's bytes per primary,
// added up as a dry pass reads the source (memory-check.ts judges them).
import { Cluster } from "ioredis";
import { redisBytesPerKey } from "../../model/redis-memory";
import { keySlot } from "./cluster/key-slot";
import { WarmConnectionError } from "./errors";
import { judgeMemory, parseMemoryInfo, type MemoryCheck, type NodeMemory } from "./memory-check";
import type { RedisClient } from "./redis-client";
import type { ResolvedOptions } from "./resolved";
import type { Bytes } from "./sources/source";
import { withTimeout } from "../timeout";

type Options = Pick<ResolvedOptions, "commandTimeoutMs" | "redactor" | "targetLabel">;

/** Every primary's memory: the target, or each primary of a cluster (its slot map, read at connect). */
export async function readMemory(client: RedisClient, options: Options): Promise<NodeMemory[]> {
    const nodes: [string, RedisClient][] =
        client instanceof Cluster
            ? client.nodes("master").map((node) => [`${node.options.host}:${node.options.port}`, node])
            : [[options.targetLabel, client]];
    return Promise.all(
        nodes.map(async ([name, node]) => {
            try {
                const info = await withTimeout(node.info("memory"), options.commandTimeoutMs, `INFO memory on ${name}`);
                return parseMemoryInfo(name, info);
            } catch (err) {
                const message = options.redactor.text((err as Error).message);
                throw new WarmConnectionError("redis", `cannot read the memory of Redis ${name}: ${message}`, {
                    cause: err,
                });
            }
        }),
    );
}

/** The hot set's bytes in Redis on each primary, added up as a dry pass reads it. */
export class HotSetMemory {
    private readonly bytes = new Map<string, number>();

    /** `label`: the one node of a standalone target, named as readMemory names it. */
    constructor(
        private readonly client: RedisClient,
        private readonly label: string,
    ) {}

    add(key: Bytes, entryBytes: number): void {
        const node = this.nodeOf(key);
        this.bytes.set(node, (this.bytes.get(node) ?? 0) + redisBytesPerKey(entryBytes));
    }

    /**
     * Each primary's verdict, given the sampled hot keys and whether each is present: a present key is not
     * written (`SET … NX`), and one overwritten takes about the space it held, so a node's need is its share of
     * the hot set times the share of its sampled keys that are missing.
     */
    judge(memory: readonly NodeMemory[], keys: readonly Bytes[], found: readonly boolean[]): MemoryCheck {
        const sampled = new Map<string, { sampled: number; present: number }>();
        keys.forEach((key, i) => {
            const counts = sampled.get(this.nodeOf(key)) ?? { sampled: 0, present: 0 };
            counts.sampled++;
            if (found[i]) counts.present++;
            sampled.set(this.nodeOf(key), counts);
        });
        return judgeMemory(
            memory,
            (node) => this.bytes.get(node.node) ?? 0,
            (node) => {
                const counts = sampled.get(node.node);
                return counts?.sampled ? counts.present / counts.sampled : 0;
            },
        );
    }

    /** The primary holding `key`: `host:port` from the cluster's slot map, or the standalone target. */
    private nodeOf(key: Bytes): string {
        return this.client instanceof Cluster ? (this.client.slots[keySlot(key)]?.[0] ?? "") : this.label;
    }
}
