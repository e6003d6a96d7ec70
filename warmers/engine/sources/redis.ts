// The redis source: copy the hottest keys of a live Redis (a replacement node warmed from the one it
// replaces). Keys are ranked by LFU frequency when the server runs an LFU policy, else by idle time (OBJECT
// reads neither touches the key); then each key is copied with DUMP and its PTTL, so every type survives.
import type Redis from "ioredis";
import { WarmConnectionError } from "../errors";
import type { RedisServerSpec, ResolvedOptions } from "../options";
import { connectRedis } from "../redis-client";
import type { Source, WarmRecord } from "./source";

type Options = Pick<
    ResolvedOptions,
    "top" | "batch" | "connectTimeoutMs" | "commandTimeoutMs" | "redactor" | "sourceLabel"
>;

const SCAN_COUNT = 1000;

interface Ranked {
    key: Buffer;
    /** Higher is hotter: the LFU counter, or minus the idle seconds. */
    heat: number;
}

export async function openRedisSource(server: RedisServerSpec, options: Options): Promise<Source> {
    const client = (await connectRedis(server, "source", options.sourceLabel, options)) as Redis;
    let ranked: Ranked[];
    try {
        ranked = await rank(client, options.top);
    } catch (err) {
        client.disconnect();
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
                    batch = await copy(client, ranked.slice(start, start + options.batch));
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
            client.disconnect();
        },
    };
}

async function rank(client: Redis, top: number | undefined): Promise<Ranked[]> {
    const memory = await client.info("memory");
    const lfu = /^maxmemory_policy:\S*lfu/m.test(memory);
    const byHeat = (a: Ranked, b: Ranked) => b.heat - a.heat;
    let ranked: Ranked[] = [];
    let cursor = "0";
    do {
        const [next, keys] = await client.scanBuffer(cursor, "COUNT", SCAN_COUNT);
        cursor = next.toString();
        const heats = await Promise.all(keys.map((key) => client.call("OBJECT", lfu ? "FREQ" : "IDLETIME", key)));
        keys.forEach((key, i) => {
            // null: the key expired or was deleted since SCAN saw it.
            if (heats[i] !== null) ranked.push({ key, heat: lfu ? Number(heats[i]) : -Number(heats[i]) });
        });
        // Keep memory to O(top): trim to the hottest `top` whenever twice that many are held.
        if (top !== undefined && ranked.length >= 2 * top) ranked = ranked.sort(byHeat).slice(0, top);
    } while (cursor !== "0");
    return ranked.sort(byHeat).slice(0, top);
}

async function copy(client: Redis, keys: Ranked[]): Promise<WarmRecord[]> {
    return Promise.all(
        keys.map(async ({ key }) => {
            const [pttl, dump] = await Promise.all([client.pttl(key), client.dumpBuffer(key)]);
            // PTTL -1: no expiry; -2 or no DUMP: the key is gone since ranking, nothing to copy.
            return { key, value: pttl === -2 ? null : dump, pttl: Math.max(pttl, 0) };
        }),
    );
}
