// `npm run bench:replica`: the first execution of a hot query on a PostgreSQL just restarted (a new replica's empty
// buffer cache), cold vs after `warm-db`, side by side in one run, each as a ratio to the steady-state execution.
// Target: after warm-db ≤ 1.2 × steady. RUNS=n (default 5) restarts per side, ROWS=n (default 300,000) the table.
// The cold side reads its blocks from the OS page cache, not from disk (and not from S3, as a new RDS replica
// does): locally, cold is the best case of cold.
import { Client } from "pg";
import { warmReplicas } from "../warmers/replica/warm";
import { createCatalogue, INDEX, relationBlocks, TABLE } from "../test/replica/fixtures";
import { coldRestartable } from "../test/replica/restart";
import { startPostgres } from "../warmers/local/servers";

const RUNS = Number(process.env.RUNS ?? 5);
const ROWS = Number(process.env.ROWS ?? 300_000);
const STEADY_RUNS = 5;
const TARGET = 1.2;
/** An index range scan over a third of the table: index and heap blocks. */
const HOT_QUERY = `SELECT sum(length(name)) FROM ${TABLE} WHERE id BETWEEN 1 AND ${Math.floor(ROWS / 3)}`;

interface Execution {
    ms: number;
    read: number;
    hit: number;
}

/** The hot query once on a fresh, already-connected backend: its execution time and shared buffers read / hit. */
async function execute(url: string): Promise<Execution> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        await client.query("SET enable_seqscan = off; SET enable_bitmapscan = off");
        // TIMING OFF: no per-node clock calls, so the execution time is the query's, not the instrumentation's.
        const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) ${HOT_QUERY}`);
        const [{ Plan: plan, "Execution Time": ms }] = rows[0]["QUERY PLAN"];
        return { ms, read: plan["Shared Read Blocks"], hit: plan["Shared Hit Blocks"] };
    } finally {
        await client.end();
    }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) =>
    `median ${median(xs).toFixed(2)} ms (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;

async function main(): Promise<void> {
    const pg = await coldRestartable(await startPostgres());
    try {
        const url = pg.server.url;
        await createCatalogue(url, ROWS);
        await (async () => {
            const c = new Client({ connectionString: url });
            await c.connect();
            await c.query("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
            await c.end();
        })();
        const blocks = (await relationBlocks(url, TABLE)) + (await relationBlocks(url, INDEX));
        const cold: Execution[] = [];
        const warm: Execution[] = [];
        const steady: number[] = [];
        const warmDbMs: number[] = [];
        // Alternate the sides, so drift on a shared machine lands on both.
        for (let run = 0; run < RUNS; run++) {
            await pg.restart();
            cold.push(await execute(url));
            await pg.restart();
            const report = await warmReplicas({ replicas: [url], relations: [TABLE, INDEX] });
            warmDbMs.push(report.durationMs);
            warm.push(await execute(url));
            for (let i = 0; i < STEADY_RUNS; i++) steady.push((await execute(url)).ms);
        }
        const steadyMs = median(steady);
        const ratio = (xs: Execution[]) => median(xs.map((x) => x.ms)) / steadyMs;
        const row = (name: string, xs: Execution[]) =>
            `${name.padEnd(16)}${spread(xs.map((x) => x.ms)).padEnd(44)}${ratio(xs).toFixed(2)}×   read ${median(
                xs.map((x) => x.read),
            )}, hit ${median(xs.map((x) => x.hit))}`;
        console.log(
            `bench:replica: ${ROWS.toLocaleString("en-US")} rows, ${TABLE} + ${INDEX} = ${blocks} blocks; ` +
                `hot query: ${HOT_QUERY}; ${RUNS} restarts per side, ${STEADY_RUNS} steady executions after each warm one`,
        );
        console.log(`${"".padEnd(16)}${"first execution after a restart".padEnd(44)}ratio to steady, shared blocks`);
        console.log(row("cold buffers", cold));
        console.log(row("after warm-db", warm));
        console.log(`${"steady state".padEnd(16)}${spread(steady)}`);
        console.log(`warm-db itself: ${spread(warmDbMs)} for ${blocks} blocks`);
        const ok = ratio(warm) <= TARGET;
        console.log(`target after warm-db ≤ ${TARGET}× steady: ${ok ? "met" : "NOT met"}`);
        if (!ok) process.exitCode = 1;
    } finally {
        await pg.stop();
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
