// The app's read path under test, cache-aside: Redis first; on a miss the database, then fill Redis with a
// TTL so the next read of that product hits. Every miss is exactly one database query.
import type Redis from "ioredis";
import type { Pool } from "pg";
import { PRODUCT_BY_ID, TTL_SECONDS, productKey } from "./catalogue";

export type Read = (id: number) => Promise<"hit" | "miss">;

export function cacheAside(redis: Redis, pool: Pool): Read {
    return async (id) => {
        const key = productKey(id);
        if ((await redis.get(key)) !== null) return "hit";
        const { rows } = await pool.query<{ value: string }>(PRODUCT_BY_ID, [id]);
        if (rows.length === 0) throw new Error(`product ${id} is not in the catalogue`);
        await redis.set(key, rows[0].value, "EX", TTL_SECONDS);
        return "miss";
    };
}
