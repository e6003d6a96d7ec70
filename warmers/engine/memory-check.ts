// Will the hot set fit? Under an evicting `maxmemory-policy` Redis makes room for the warm's writes by evicting
// what is already there — live sessions, carts — and the warm cannot tell afterwards whose keys went. So, before
// the first write, each primary's `INFO memory` (`maxmemory`, `maxmemory_policy`, `used_memory`; `CONFIG GET` is
// often disabled on managed Redis) is held against what the warm would add there: the hot set's entries not yet
// present, at the plan's bytes per key. `noeviction` refuses writes instead of evicting (counted as refused), and
// no `maxmemory` means nothing is evicted: only an evicting policy with a limit is checked.
// Pure: reading the servers and sizing the hot set is target-memory.ts's job.
import { WarmError } from "./errors";

/**
 * The share of `maxmemory` left free after the warm: live traffic keeps writing during and after it, and
 * `used_memory` moves with buffers and fragmentation.
 */
export const EVICTION_HEADROOM = 0.1;

/** One primary's memory, as its `INFO memory` says. */
export interface NodeMemory {
    /** `host:port`, as the slot map names it (standalone: the target's label). */
    node: string;
    /** 0: no limit. */
    maxmemory: number;
    usedMemory: number;
    policy: string;
}

export interface NodeVerdict extends NodeMemory {
    /** What the warm would add on this node: its share of the hot set, less the keys already present. */
    needBytes: number;
    /** maxmemory × (1 − headroom) − used memory; absent when nothing is evicted there (no limit, noeviction). */
    roomBytes?: number;
    /** This node evicts and the warm does not fit its room. */
    evicts: boolean;
}

export interface MemoryCheck {
    headroom: number;
    nodes: NodeVerdict[];
    /** Some primary would evict live data to take the warm. */
    evicts: boolean;
}

/** True when writing past `maxmemory` on this node evicts keys instead of being refused. */
export function evicting(memory: NodeMemory): boolean {
    return memory.maxmemory > 0 && memory.policy !== "noeviction";
}

/** `maxmemory`, `used_memory` and `maxmemory_policy` from an `INFO memory` reply; a field missing is an error. */
export function parseMemoryInfo(node: string, info: string): NodeMemory {
    const field = (name: string) => new RegExp(`^${name}:(\\S+)`, "m").exec(info)?.[1];
    const [maxmemory, usedMemory, policy] = [field("maxmemory"), field("used_memory"), field("maxmemory_policy")];
    if (!/^\d+$/.test(maxmemory ?? "") || !/^\d+$/.test(usedMemory ?? "") || !policy)
        throw new Error(`INFO memory of ${node} has no maxmemory, used_memory and maxmemory_policy`);
    return { node, maxmemory: Number(maxmemory), usedMemory: Number(usedMemory), policy };
}

/** Each primary's verdict from its share of the hot set (`bytesOf`) and the fraction of it present (`presentOf`). */
export function judgeMemory(
    memory: readonly NodeMemory[],
    bytesOf: (node: NodeMemory) => number,
    presentOf: (node: NodeMemory) => number,
    headroom = EVICTION_HEADROOM,
): MemoryCheck {
    const nodes = memory.map((node): NodeVerdict => {
        const needBytes = Math.round(bytesOf(node) * (1 - presentOf(node)));
        if (!evicting(node)) return { ...node, needBytes, evicts: false };
        const roomBytes = Math.max(0, Math.floor(node.maxmemory * (1 - headroom)) - node.usedMemory);
        return { ...node, needBytes, roomBytes, evicts: needBytes > roomBytes };
    });
    return { headroom, nodes, evicts: nodes.some((node) => node.evicts) };
}

const MIB = 1024 * 1024;
export const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

/** One node's check in words: `127.0.0.1:7000 (allkeys-lru, maxmemory 5.0 MiB, 1.2 MiB used): …`. */
export function describeNode(node: NodeVerdict, headroom: number): string {
    const head = `${node.node} (${node.policy}, maxmemory ${node.maxmemory ? mib(node.maxmemory) : "none"}, ${mib(node.usedMemory)} used)`;
    const need = `the warm adds ${mib(node.needBytes)}`;
    if (node.roomBytes === undefined)
        return `${head}: ${need}; ${node.maxmemory ? "writes past maxmemory are refused, not evicting" : "no limit"}`;
    const room = `room for ${mib(node.roomBytes)} leaving ${Math.round(headroom * 100)} % free`;
    return `${head}: ${need}, ${room}${node.evicts ? ": it would evict live data" : ""}`;
}

/**
 * The warm would make an evicting Redis drop live data; nothing was written. Exit 2 (bad input found before any
 * write): a smaller hot set, a larger cache or `acceptEviction` is the fix, not a re-run.
 */
export class WarmEvictionError extends WarmError {
    readonly code = "WARM_INPUT";

    constructor(readonly check: MemoryCheck) {
        const over = check.nodes.filter((node) => node.evicts).map((node) => describeNode(node, check.headroom));
        super(
            `the warm would evict live data: ${over.join("; ")}. Nothing was written: warm fewer keys (--top), give ` +
                "Redis more memory, or accept the eviction with --accept-eviction",
        );
    }
}
