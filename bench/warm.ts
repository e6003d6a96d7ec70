// `npm run bench:warm`: warmstack against the two ways people load Redis from PostgreSQL, side by side on
// the same private servers: (a) mass insertion, `psql | awk | redis-cli --pipe`; (b) a naive loop with one
// awaited SET per key (on at most 100,000 rows, scaled); (c) the engine, as the CLI bundled with esbuild (as the
// Lambda ships it) in a child process under /usr/bin/time, so its peak RSS is its own. Every size runs every
// contender in every round, alternating, so a noisy machine hurts all alike; each ratio is reported as its
// median with the lowest and highest of the rounds, per size, beside the machine's load: the spread is part of
// the figure. Flags: --sizes N,N,… (default 100000,200000,1000000), --rounds N (default 3).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bundleScript } from "../scripts/bundle";
import Redis from "ioredis";
import { Client } from "pg";
import { startPostgres, startRedis, stopAllServers } from "../warmers/local/servers";

const ROOT = path.join(__dirname, "..");
const TTL = 3600;
const NAIVE_ROWS = 100_000;
/** Issue 23: the engine's warm at most this fraction of the pipe baseline's time. */
const TARGET = 0.5;
const QUERY = "SELECT key, value FROM bench_items"; // heap order: LIMIT and --top take the same rows

interface Run {
    name: string;
    rows: number;
    seconds: number;
    rssMb?: number;
    /** CPU seconds of the client processes, and of redis-server, for the run: the cost behind the wall time. */
    clientCpu?: number;
    redisCpu?: number;
    note?: string;
}

function flag(name: string, fallback: string): string {
    const at = process.argv.indexOf(name);
    return at < 0 ? fallback : process.argv[at + 1];
}

/** Runs a command under /usr/bin/time: its stdout, wall seconds, peak RSS (largest process) and CPU seconds. */
export function timed(
    command: string,
    args: string[],
): Promise<{ stdout: string; seconds: number; rssMb: number; clientCpu: number }> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn("/usr/bin/time", ["-f", "maxrss_kb=%M cpu=%U+%S", command, ...args], { cwd: ROOT });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => {
            const seconds = (performance.now() - started) / 1000;
            const usage = /maxrss_kb=(\d+) cpu=([\d.]+)\+([\d.]+)/.exec(stderr);
            if (code !== 0 || !usage) reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${stderr}`));
            else
                resolve({
                    stdout,
                    seconds,
                    rssMb: Number(usage[1]) / 1024,
                    clientCpu: Number(usage[2]) + Number(usage[3]),
                });
        });
    });
}

export async function seed(pg: Client, rows: number): Promise<void> {
    // Server-side generation: 15-byte keys, 200-byte values, no client round trips.
    await pg.query("DROP TABLE IF EXISTS bench_items");
    await pg.query(
        `CREATE TABLE bench_items AS
         SELECT g AS id, 'k:' || lpad(g::text, 13, '0') AS key, left(repeat(md5(g::text), 7), 200) AS value
         FROM generate_series(1, $1::int) AS g`,
        [rows],
    );
    await pg.query("VACUUM ANALYZE bench_items");
}

/**
 * The CLI as one JavaScript file, bundled as the Lambda's code is: no TypeScript compiler in the measured process.
 * The other subcommands (warm-db, plan, check, agent, drill), which the CLI loads only when they run
 * (warmers/cli/index.ts), stay out, as they stay unloaded in `warmstack warm` itself and out of the chunks the
 * built CLI reads for it: bundled in, Node parsed all 3.4 MB of them (the AWS SDK, the charts) at every start.
 * `root`: another checkout's tree (bench:cluster's older CLI).
 */
export function bundleCli(
    root = ROOT,
    outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-bench-")), "warmstack.js"),
): string {
    const lazy = [
        "cli/warm-db.ts",
        "cli/plan.ts",
        "cli/check.ts",
        "agent/command.ts",
        "agent/agent.ts",
        "drill/command.ts",
        "drill/drill.ts",
        "drill/report.ts",
    ].map((file) => path.join(root, "warmers", file));
    fs.writeFileSync(outfile, bundleScript(path.join(root, "warmers", "cli", "main.ts"), lazy));
    return outfile;
}

async function baseline(pgUrl: string, redisPort: number, rows: number): Promise<Run> {
    // The classic mass insertion: rows as text, awk writes RESP, redis-cli --pipe streams it.
    const awk = `{ printf "*5\\r\\n$3\\r\\nSET\\r\\n$%d\\r\\n%s\\r\\n$%d\\r\\n%s\\r\\n$2\\r\\nEX\\r\\n$${String(TTL).length}\\r\\n${TTL}\\r\\n", length($1), $1, length($2), $2 }`;
    const pipeline = `psql -At -F ' ' '${pgUrl}' -c '${QUERY} LIMIT ${rows}' | LC_ALL=C awk '${awk}' | redis-cli -p ${redisPort} --pipe`;
    const { stdout, ...usage } = await timed("bash", ["-o", "pipefail", "-c", pipeline]);
    if (!/errors: 0, replies: \d+/.test(stdout)) throw new Error(`redis-cli --pipe reported errors:\n${stdout}`);
    return { name: "redis-cli --pipe (psql | awk)", rows, ...usage };
}

async function naive(pg: Client, redis: Redis, rows: number): Promise<Run> {
    const started = performance.now();
    const { rows: items } = await pg.query<{ key: string; value: string }>(
        `${QUERY} LIMIT ${Math.min(NAIVE_ROWS, rows)}`,
    );
    for (const { key, value } of items) await redis.set(key, value, "EX", TTL);
    const scale = rows / items.length;
    const seconds = ((performance.now() - started) / 1000) * scale;
    return {
        name: "naive awaited SET",
        rows,
        seconds,
        note: `measured on ${items.length} rows, x${scale}`,
    };
}

/** The engine's run as the CLI; `under`: a command that runs it, held (bench:function's cpulimit). */
export async function engine(
    bundle: string,
    pgUrl: string,
    redisUrl: string,
    rows: number,
    under: string[] = [],
): Promise<Run & { engineSeconds: number }> {
    const args = [
        bundle,
        "warm",
        "--source",
        pgUrl,
        "--query",
        QUERY,
        "--redis",
        redisUrl,
        "--ttl",
        String(TTL),
        "--top",
        String(rows),
        "--json",
    ];
    const [command, ...prefix] = [...under, process.execPath];
    const { stdout, ...usage } = await timed(command, [...prefix, ...args]);
    const report = JSON.parse(stdout);
    if (report.keysWritten !== rows) throw new Error(`warmstack wrote ${report.keysWritten} keys, expected ${rows}`);
    return {
        name: "warmstack",
        rows,
        ...usage,
        engineSeconds: report.durationMs / 1000,
        note: `engine ${(report.durationMs / 1000).toFixed(2)} s`,
    };
}

export async function checkWarm(redis: Redis, rows: number): Promise<void> {
    const size = await redis.dbsize();
    if (size !== rows) throw new Error(`Redis holds ${size} keys after the run, expected ${rows}`);
    const key = (await redis.randomkey()) as string;
    if ((await redis.get(key))?.length !== 200 || (await redis.ttl(key)) <= 0)
        throw new Error(`${key} is short or has no TTL`);
}

async function redisCpu(redis: Redis): Promise<number> {
    const info = await redis.info("cpu");
    return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]);
}

/** Runs one contender on an empty Redis, checks it left `keys` good keys, and adds redis-server's CPU seconds. */
async function measure(redis: Redis, keys: number, contender: () => Promise<Run>): Promise<Run> {
    await redis.flushall();
    const before = await redisCpu(redis);
    const run = await contender();
    const redisSeconds = (await redisCpu(redis)) - before;
    await checkWarm(redis, keys);
    return { ...run, redisCpu: redisSeconds };
}

function median(runs: Run[]): Run {
    const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
    return sorted[Math.floor(sorted.length / 2)];
}

/** The median of the rounds' values. */
function middle(values: number[]): number {
    return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** The median of the rounds' values, with the lowest and highest: `7.4x (6.1–9.0)`. */
export function spread(values: number[], digits: number, unit = ""): string {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted[Math.floor(sorted.length / 2)];
    const at = (v: number) => `${v.toFixed(digits)}${unit}`;
    return sorted.length > 1 ? `${at(mid)} (${at(sorted[0])}–${at(sorted[sorted.length - 1])})` : at(mid);
}

export const load = () => os.loadavg()[0].toFixed(1);

async function main(): Promise<void> {
    const sizes = flag("--sizes", "100000,200000,1000000").split(",").map(Number);
    const rounds = Number(flag("--rounds", "3"));
    if (!sizes.every((n) => Number.isInteger(n) && n > 0) || !(Number.isInteger(rounds) && rounds > 0))
        throw new Error("--sizes takes whole numbers > 0 separated by commas, --rounds a whole number > 0");
    const largest = Math.max(...sizes);
    console.log(
        `warmstack benchmark: ${sizes.join(", ")} rows (15 B keys, 200 B values), ${rounds} round(s), ` +
            `${os.cpus().length} cores, load ${load()}`,
    );
    const [postgres, server] = await Promise.all([startPostgres(), startRedis()]);
    const pg = new Client({ connectionString: postgres.url });
    await pg.connect();
    const redis = new Redis(server.url);
    const bundle = bundleCli();
    const verdicts: string[] = [];
    try {
        await seed(pg, largest);
        for (const rows of sizes) {
            const naiveKeys = Math.min(NAIVE_ROWS, rows);
            const runs: Record<"baseline" | "naive" | "engine", Run[]> = { baseline: [], naive: [], engine: [] };
            for (let round = 0; round < rounds; round++) {
                runs.baseline.push(await measure(redis, rows, () => baseline(postgres.url, server.port, rows)));
                runs.engine.push(await measure(redis, rows, () => engine(bundle, postgres.url, server.url, rows)));
                const slow = await measure(redis, naiveKeys, () => naive(pg, redis, rows));
                runs.naive.push({ ...slow, redisCpu: (slow.redisCpu ?? 0) * (rows / naiveKeys) }); // scaled like its time
                console.log(
                    `${rows} rows, round ${round + 1}: baseline ${runs.baseline[round].seconds.toFixed(2)} s, ` +
                        `warmstack ${runs.engine[round].seconds.toFixed(2)} s, naive ${runs.naive[round].seconds.toFixed(2)} s (scaled), load ${load()}`,
                );
            }
            report(rows, [median(runs.baseline), median(runs.naive), median(runs.engine)]);
            const ratios = runs.engine.map((run, i) => run.seconds / runs.baseline[i].seconds);
            const cpu = (run: Run) => (run.clientCpu ?? 0) + (run.redisCpu ?? 0);
            const cpuRatios = runs.engine.map((run, i) => cpu(run) / cpu(runs.baseline[i]));
            const speedups = runs.engine.map((run, i) => runs.naive[i].seconds / run.seconds);
            const rss = runs.engine.map((run) => run.rssMb ?? 0);
            const met = (values: number[]) => (middle(values) <= TARGET ? "met" : "MISSED");
            console.log(
                `warmstack / baseline time: ${spread(ratios, 2)} (issue 23's target <= ${TARGET}: ${met(ratios)})`,
            );
            console.log(
                `warmstack / baseline CPU (clients + Redis): ${spread(cpuRatios, 2)} (same target: ${met(cpuRatios)})`,
            );
            console.log(`speed-up over the naive loop: ${spread(speedups, 1, "x")}`);
            console.log(`warmstack peak RSS: ${spread(rss, 0, " MB")}`);
            verdicts.push(
                `${String(rows).padStart(8)} rows: time ratio ${spread(ratios, 2)} (<= ${TARGET}: ${met(ratios)}), ` +
                    `CPU ratio ${spread(cpuRatios, 2)}, speed-up ${spread(speedups, 1, "x")}, peak RSS ${spread(rss, 0, " MB")}`,
            );
        }
        console.log(
            `\nsummary (median, lowest–highest of ${rounds} rounds; targets: ratio <= ${TARGET} (issue 23; <= 1.0 before it), ` +
                `speed-up >= 10x, RSS <= 150 MB; load ${load()})`,
        );
        for (const line of verdicts) console.log(line);
    } finally {
        fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
        redis.disconnect();
        await pg.end();
        await stopAllServers();
    }
}

function report(rows: number, runs: Run[]): void {
    const columns = ["rows", "wall s", "keys/s", "peak RSS", "client CPU", "redis CPU"];
    console.log(`\n${rows} rows, medians:`);
    console.log(`${"contender".padEnd(34)}${columns.map((c) => c.padStart(11)).join("")}  note`);
    for (const run of runs) {
        const cells = [
            String(run.rows),
            run.seconds.toFixed(2),
            String(Math.round(run.rows / run.seconds)),
            run.rssMb === undefined ? "-" : `${run.rssMb.toFixed(0)} MB`,
            run.clientCpu === undefined ? "-" : `${run.clientCpu.toFixed(2)} s`,
            run.redisCpu === undefined ? "-" : `${run.redisCpu.toFixed(2)} s`,
        ];
        console.log(`${run.name.padEnd(34)}${cells.map((c) => c.padStart(11)).join("")}  ${run.note ?? ""}`);
    }
}

if (require.main === module) {
    main().catch((err) => {
        console.error(err);
        process.exitCode = 1;
    });
}
