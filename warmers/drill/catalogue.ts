// The drill's catalogue: a table of products whose id is its popularity rank (1 = most read), so the
// Zipf rank a request draws is the row it reads, and "the top K keys" is simply ORDER BY id LIMIT K.
// Every name lives here, so the seed, the read path and the warm query cannot drift apart.
import type Redis from "ioredis";
import type { Client } from "pg";

export const TABLE = "warmstack_drill_catalogue";
/** Only keys under this prefix are the drill's: clearing them leaves a shared Redis's other keys alone. */
export const KEY_PREFIX = "warmstack:drill:product:";
/** TTL of a cached product, for read-path fills and the engine's warm alike. */
export const TTL_SECONDS = 3600;

export const productKey = (id: number): string => `${KEY_PREFIX}${id}`;

/** One row by id, for the read path on a cache miss. */
export const PRODUCT_BY_ID = `SELECT value FROM ${TABLE} WHERE id = $1`;

/** What the engine streams for a pre-warm: key and value, hottest first (it stops after `top` rows). */
export const HOTTEST_FIRST = `SELECT '${KEY_PREFIX}' || id AS key, value FROM ${TABLE} ORDER BY id`;

/**
 * Recreates the table with `rows` products of about 200 bytes of JSON each, generated server-side in one
 * statement (a million rows never cross the wire). UNLOGGED: it is scratch data, rebuilt on every drill.
 */
export async function seedCatalogue(client: Client, rows: number): Promise<void> {
    await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await client.query(`CREATE UNLOGGED TABLE ${TABLE} (id integer NOT NULL, value text NOT NULL)`);
    await client.query(
        `INSERT INTO ${TABLE} (id, value)
         SELECT g, json_build_object('id', g, 'name', 'Product ' || g, 'price_cents', 100 + g % 9900,
                                     'description', repeat(md5(g::text), 4))::text
         FROM generate_series(1, $1::integer) AS g`,
        [rows],
    );
    // Indexing once after the load is several times faster than maintaining the index row by row.
    await client.query(`ALTER TABLE ${TABLE} ADD PRIMARY KEY (id)`);
    await client.query(`ANALYZE ${TABLE}`);
}

/**
 * Empties the cache of the drill's keys only (SCAN + UNLINK, not FLUSHDB): with --redis the drill may share
 * a developer's Redis, whose other keys must survive. Resolves once none is left.
 */
export async function clearDrillKeys(redis: Redis): Promise<void> {
    let cursor = "0";
    do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${KEY_PREFIX}*`, "COUNT", 1000);
        if (keys.length) await redis.unlink(...keys);
        cursor = next;
    } while (cursor !== "0");
}

/** How many of the `n` hottest products are in the cache now (one EXISTS over their keys). */
export async function liveHottest(redis: Redis, n: number): Promise<number> {
    return redis.exists(...Array.from({ length: n }, (_, i) => productKey(i + 1)));
}
