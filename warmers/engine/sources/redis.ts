// The redis source: copy the hottest keys of a live Redis (a replacement node warmed from the one it
// replaces). Keys are ranked by LFU frequency when the server runs an LFU policy, else by idle time (OBJECT
// reads neither touches the key); then each key is copied with DUMP and its PTTL, so every type survives.
// A source that is a Redis Cluster node stands for the whole cluster: each primary ranks its own keys, the
// lists are merged by heat, and every key is copied from the primary that holds it.
import type Redis from "ioredis";
import { keySlot } from "../cluster/key-slot";
import { fetchSlotMap } from "../cluster/slot-map-reader";
import { WarmConnectionError } from "../errors";
import { shareOfSlot } from "../partition";
import type { RedisServerSpec, ResolvedOptions } from "../resolved";
import { connectRedis } from "../redis-client";
import type { Source, WarmRecord } from "./source";

type Options = Pick<
    ResolvedOptions,
    "top" | "batch" | "partition" | "connectTimeoutMs" | "commandTimeoutMs" | "redactor" | "sourceLabel"
>;

const SCAN_COUNT = 1000;

interface Ranked {
    key: Buffer;
    /** Higher is hotter: the LFU counter, or minus the idle seconds. */
    heat: number;
    /** The server holding the key: the source, or the cluster primary that owns its slot. */
    from: Redis;
}

export async function openRedisSource(server: RedisServerSpec, options: Options): Promise<Source> {
    const seed = (await connectRedis(server, "source", options.sourceLabel, options)) as Redis;
    const clients = [seed];
    const disconnect = () => clients.forEach((client) => client.disconnect());
    let ranked: Ranked[];
    try {
        if (/^cluster_enabled:1/m.test(await seed.info("cluster"))) {
            clients.splice(0);
            seed.disconnect();
            const primaries = (await fetchSlotMap([server], server, options)).primaries();
            for (const primary of primaries) {
                const label = `${options.sourceLabel} (primary ${primary.host}:${primary.port})`;
                clients.push((await connectRedis({ ...server, ...primary }, "source", label, options)) as Redis);
            }
        }
        const perServer = await Promise.all(clients.map((client) => rank(client, options.top)));
        ranked = perServer.flat().sort(byHeat).slice(0, options.top);
        // The hottest `top` of the whole source is the hot set; a share is its keys in this share's slots.
        const { partition } = options;
        if (partition)
            ranked = ranked.filter(({ key }) => shareOfSlot(keySlot(key), partition.count) === partition.index);
    } catch (err) {
        disconnect();
        if (err instanceof WarmConnectionError) throw err;
        const message = options.redactor.text((err as Error).message);
        throw new WarmConnectionError("source", `ranking the keys of source Redis ${options.sourceLabel}: ${message}`, {
            cause: err,
        });
    }
    return {
        kind: "dumps",
        total: ranked.length,
        async *batches() {
            for (let start = 0; start < ranked.length; start += options.batch) {
                let batch;
                try {
                    batch = await copy(ranked.slice(start, start + options.batch));
                } catch (err) {
                    // Typed, so the CLI says which server failed (exit 3 before the first write, 4 after it).
                    const message = options.redactor.text((err as Error).message);
                    throw new WarmConnectionError(
                        "source",
                        `copying keys from source Redis ${options.sourceLabel}: ${message}`,
                        { cause: err },
                    );
                }
                yield batch;
            }
        },
        async close() {
            disconnect();
        },
    };
}

const byHeat = (a: Ranked, b: Ranked) => b.heat - a.heat;

async function rank(client: Redis, top: number | undefined): Promise<Ranked[]> {
    const memory = await client.info("memory");
    const lfu = /^maxmemory_policy:\S*lfu/m.test(memory);
    let ranked: Ranked[] = [];
    let cursor = "0";
    do {
        const [next, keys] = await client.scanBuffer(cursor, "COUNT", SCAN_COUNT);
        cursor = next.toString();
        const heats = await Promise.all(keys.map((key) => client.call("OBJECT", lfu ? "FREQ" : "IDLETIME", key)));
        keys.forEach((key, i) => {
            // null: the key expired or was deleted since SCAN saw it.
            if (heats[i] !== null) ranked.push({ key, heat: lfu ? Number(heats[i]) : -Number(heats[i]), from: client });
        });
        // Keep memory to O(top): trim to the hottest `top` whenever twice that many are held.
        if (top !== undefined && ranked.length >= 2 * top) ranked = ranked.sort(byHeat).slice(0, top);
    } while (cursor !== "0");
    return ranked.sort(byHeat).slice(0, top);
}

async function copy(keys: Ranked[]): Promise<WarmRecord[]> {
    return Promise.all(
        keys.map(async ({ key, from }) => {
            const [pttl, dump] = await Promise.all([from.pttl(key), from.dumpBuffer(key)]);
            // PTTL -1: no expiry; -2 or no DUMP: the key is gone since ranking, nothing to copy.
            return { key, value: pttl === -2 ? null : dump, pttl: Math.max(pttl, 0) };
        }),
    );
}
