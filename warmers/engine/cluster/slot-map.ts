// Who serves each hash slot: read from CLUSTER SLOTS, corrected one slot at a time by MOVED replies between
// refreshes. Pure: fetching the reply is the topology's job (topology.ts).
import { SLOTS } from "./key-slot";

export interface NodeAddress {
    host: string;
    port: number;
}

export const addressName = ({ host, port }: NodeAddress): string =>
    host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;

export class SlotMap {
    private readonly owners = new Int32Array(SLOTS).fill(-1);
    private readonly nodes: NodeAddress[] = [];

    /**
     * From a CLUSTER SLOTS reply: `[start, end, [host, port, id…], …replicas]` per range. A host that is empty,
     * `?` or null means "the node you asked" (Redis does not know its own address), so `asked` fills it in.
     */
    static fromClusterSlots(reply: unknown, asked: NodeAddress): SlotMap {
        if (!Array.isArray(reply)) throw new Error(`CLUSTER SLOTS answered ${JSON.stringify(reply)}, not a list`);
        const map = new SlotMap();
        for (const range of reply) {
            const [start, end, primary] = range as [unknown, unknown, unknown[]];
            const [host, port] = Array.isArray(primary) ? primary : [];
            if (!isSlot(start) || !isSlot(end) || end < start || !isPort(port))
                throw new Error(
                    `CLUSTER SLOTS gave a range that is not [start, end, [host, port…]]: ${JSON.stringify(range)}`,
                );
            const known = typeof host === "string" && host !== "" && host !== "?";
            map.assign(start, end, { host: known ? host : asked.host, port });
        }
        return map;
    }

    /** How many nodes have served a slot since the map was read: an upper bound on the primaries. */
    get nodeCount(): number {
        return this.nodes.length;
    }

    /** The primary serving `slot`, or undefined when none does (the cluster is down for it). */
    owner(slot: number): NodeAddress | undefined {
        const index = this.owners[slot];
        return index < 0 ? undefined : this.nodes[index];
    }

    /** Every primary serving at least one slot. */
    primaries(): NodeAddress[] {
        const serving = new Set(this.owners);
        return this.nodes.filter((_, index) => serving.has(index));
    }

    /** A MOVED reply: `slot` is served by `address` from now on. */
    moved(slot: number, address: NodeAddress): void {
        this.assign(slot, slot, address);
    }

    private assign(start: number, end: number, address: NodeAddress): void {
        let index = this.nodes.findIndex((node) => node.host === address.host && node.port === address.port);
        if (index < 0) index = this.nodes.push({ host: address.host, port: address.port }) - 1;
        this.owners.fill(index, start, end + 1);
    }
}

export interface Redirect {
    kind: "MOVED" | "ASK";
    slot: number;
    address: NodeAddress;
}

/** A `MOVED <slot> <host>:<port>` or `ASK …` error reply; undefined for any other. An empty host is the replier's. */
export function parseRedirect(message: string, replier: NodeAddress): Redirect | undefined {
    const match = /^(MOVED|ASK) (\d+) (.*):(\d+)$/.exec(message);
    if (!match) return undefined;
    const slot = Number(match[2]);
    const port = Number(match[4]);
    if (!isSlot(slot) || !isPort(port)) return undefined;
    const host = match[3].replace(/^\[(.*)\]$/, "$1");
    return { kind: match[1] as Redirect["kind"], slot, address: { host: host || replier.host, port } };
}

function isSlot(value: unknown): value is number {
    return Number.isInteger(value) && (value as number) >= 0 && (value as number) < SLOTS;
}

function isPort(value: unknown): value is number {
    return Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536;
}
