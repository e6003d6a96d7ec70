// `npm run bench:partitioned`: one warm of PostgreSQL rows into a local three-primary Redis Cluster, as one
// unpartitioned run and as 1, 2 and 4 partitions running at once — each partition its own `warmstack warm
// --partition I/N` process, as users (and the state machine's items) run it — side by side on the same private
// servers. The CLI is bundled with esbuild (as the Lambda ships it) and every process runs under /usr/bin/time,
// so its peak RSS is its own. Rounds rotate the order, so a noisy machine hurts all alike; medians and the min–max
// spread are reported, with the machine's load. BENCH_KEYS (default 4,000,000) and BENCH_ROUNDS (default 1)
// shorten a quick run; the documented figure uses 4M keys.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { Client } from "pg";
import { startPostgres, startRedisCluster, stopAllServers } from "../warmers/local/servers";
import { bundleCli, seed, timed } from "./warm";

const ROOT = path.join(__dirname, "..");
const TTL = 3600;
const QUERY = "SELECT key, value FROM bench_items";
const PRIMARIES = 3;
/** Partitions per contender; 0 is the unpartitioned run. */
const CONTENDERS = [0, 1, 2, 4];

interface Run {
    seconds: number;
    /** Peak RSS of each process. */
    rssMb: number[];
    /** CPU seconds of the CLI processes together. */
    cpu: number;
}

const name = (partitions: number) => (partitions === 0 ? "unpartitioned" : `${partitions} partition(s) at once`);
const load = () =>
    os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ");

/** The warm as `partitions` concurrent processes (or one unpartitioned); checks every key is written exactly once. */
async function warm(bundle: string, pgUrl: string, clusterUrl: string, primaries: Redis[], keys: number, n: number) {
    await Promise.all(primaries.map((redis) => redis.flushall()));
    const base = [bundle, "warm", "--source", pgUrl, "--query", QUERY, "--redis", clusterUrl, "--cluster"];
    base.push("--ttl", String(TTL), "--top", String(keys), "--json");
    const shares = n === 0 ? [base] : Array.from({ length: n }, (_, i) => [...base, "--partition", `${i + 1}/${n}`]);
    const started = performance.now();
    const runs = await Promise.all(shares.map((args) => timed(process.execPath, args)));
    const seconds = (performance.now() - started) / 1000;
    const written = runs.reduce((sum, run) => sum + (JSON.parse(run.stdout) as { keysWritten: number }).keysWritten, 0);
    if (written !== keys) throw new Error(`${name(n)}: ${written} keys written, expected ${keys}`);
    const held = (await Promise.all(primaries.map((redis) => redis.dbsize()))).reduce((a, b) => a + b, 0);
    if (held !== keys) throw new Error(`${name(n)}: the cluster holds ${held} keys, expected ${keys}`);
    return {
        seconds,
        rssMb: runs.map((run) => run.rssMb),
        cpu: runs.reduce((sum, run) => sum + run.clientCpu, 0),
    };
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
    const keys = Number(process.env.BENCH_KEYS ?? 4_000_000);
    const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
    if (!(Number.isInteger(keys) && keys > 0 && Number.isInteger(rounds) && rounds > 0))
        throw new Error(`BENCH_KEYS and BENCH_ROUNDS: positive integers; given ${keys}, ${rounds}`);
    console.log(
        `warmstack partitioned benchmark: ${keys} keys (15 B keys, 200 B values) into ${PRIMARIES} primaries, ` +
            `${rounds} round(s), ${os.cpus().length} cores, load ${load()}`,
    );
    const [postgres, cluster] = await Promise.all([startPostgres(), startRedisCluster({ primaries: PRIMARIES })]);
    const pg = new Client({ connectionString: postgres.url });
    await pg.connect();
    const nodes = cluster.nodes.map((node) => new Redis(node.url));
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-bench-"));
    try {
        const bundle = bundleCli(ROOT, path.join(outDir, "warmstack.js"));
        await seed(pg, keys);
        const runs = new Map<number, Run[]>(CONTENDERS.map((n) => [n, []]));
        for (let round = 0; round < rounds; round++) {
            // Each round starts one contender later, so none always runs first (or last) on a busy machine.
            const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]);
            for (const n of order) {
                const run = await warm(bundle, postgres.url, cluster.url, nodes, keys, n);
                runs.get(n)!.push(run);
                console.log(`round ${round + 1}: ${name(n)} ${run.seconds.toFixed(2)} s (load ${load()})`);
            }
        }
        const base = median(runs.get(0)!.map((run) => run.seconds));
        const columns = ["median s", "spread", "/ unpartitioned", "keys/s", "peak RSS/process", "CLI CPU"];
        console.log(`\n${"contender".padEnd(28)}${columns.map((c) => c.padStart(18)).join("")}`);
        for (const [n, list] of runs) {
            const times = list.map((run) => run.seconds);
            const seconds = median(times);
            const rss = list.flatMap((run) => run.rssMb);
            const cells = [
                seconds.toFixed(2),
                `${Math.min(...times).toFixed(2)}–${Math.max(...times).toFixed(2)}`,
                (seconds / base).toFixed(2),
                Math.round(keys / seconds).toLocaleString("en-US"),
                `${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB`,
                `${median(list.map((run) => run.cpu)).toFixed(1)} s`,
            ];
            console.log(`${name(n).padEnd(28)}${cells.map((c) => c.padStart(18)).join("")}`);
        }
        console.log(`\nload at the end: ${load()}`);
    } finally {
        fs.rmSync(outDir, { recursive: true, force: true });
        for (const node of nodes) node.disconnect();
        await pg.end();
        await stopAllServers();
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
