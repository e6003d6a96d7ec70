// A catalogue table and its primary key on a real PostgreSQL, and what EXPLAIN (ANALYZE, BUFFERS) says a hot
// query took from shared buffers (hit) and from outside them (read).
import { Client } from "pg";

export const TABLE = "catalog.products";
export const INDEX = "catalog.products_pkey";
/** Reads the index and every heap block of the first 20,000 rows: a few hundred blocks. */
export const HOT_QUERY = "SELECT sum(length(name)) FROM catalog.products WHERE id BETWEEN 1 AND 20000";

export async function createCatalogue(url: string, rows = 50_000): Promise<void> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        await client.query(`DROP SCHEMA IF EXISTS catalog CASCADE;
            CREATE SCHEMA catalog;
            CREATE TABLE catalog.products (id int PRIMARY KEY, name text, price numeric);
            INSERT INTO catalog.products SELECT g, 'product ' || g || repeat('x', 60), g % 997 FROM generate_series(1, ${rows}) g;`);
        await client.query("VACUUM ANALYZE catalog.products");
    } finally {
        await client.end();
    }
}

export interface Buffers {
    hit: number;
    read: number;
    ms: number;
}

/** The hot query's shared buffers hit and read, and its execution time, on a fresh connection (an index scan). */
export async function explainHot(url: string, query = HOT_QUERY): Promise<Buffers> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        await client.query("SET enable_seqscan = off; SET enable_bitmapscan = off");
        const { rows } = await client.query<{
            "QUERY PLAN": [{ Plan: Record<string, number>; "Execution Time": number }];
        }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query}`);
        const [{ Plan: plan, "Execution Time": ms }] = rows[0]["QUERY PLAN"];
        return { hit: plan["Shared Hit Blocks"], read: plan["Shared Read Blocks"], ms };
    } finally {
        await client.end();
    }
}

/** Blocks of a relation on disk: what pg_prewarm loads of it. */
export async function relationBlocks(url: string, relation: string): Promise<number> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        const { rows } = await client.query<{ n: string }>(
            "SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int AS n",
            [relation],
        );
        return Number(rows[0].n);
    } finally {
        await client.end();
    }
}
