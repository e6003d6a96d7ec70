// `npm run bench:cluster`: the same warm of PostgreSQL rows into one standalone Redis and into a local
// three-primary Redis Cluster, side by side on the same private servers, through the CLI bundled with esbuild
// (as the Lambda ships it) in a child process under /usr/bin/time, so its peak RSS is its own. Rounds alternate
// standalone and cluster, so a noisy machine hurts both alike; medians and the min–max spread are reported.
// Flags: --rows N (default 1,000,000), --rounds N (default 3), --old-ref REF (also run the cluster warm with
// the CLI as it was at git REF, e.g. the per-key ioredis path before the pipelined one; one run per round).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { Client } from "pg";
import { startPostgres, startRedis, startRedisCluster, stopAllServers } from "../warmers/local/servers";
import { bundleCli, load, seed, spread, timed } from "./warm";

const ROOT = path.join(__dirname, "..");
const TTL = 3600;
const QUERY = "SELECT key, value FROM bench_items";
const PRIMARIES = 3;
/** Issue 23: the warm into three primaries at most this many times the same warm into one Redis. */
const TARGET = 1.15;

interface Run {
    seconds: number;
    rssMb: number;
    /** CPU seconds of the CLI process, and of the redis-servers written to: the cost behind the wall time. */
    cpu: number;
    redisCpu: number;
}

function flag(name: string): string | undefined {
    const at = process.argv.indexOf(name);
    return at < 0 ? undefined : process.argv[at + 1];
}

/** The CLI as committed at `ref`: its warmers/ (and package.json, for the version) extracted beside this tree's node_modules, then bundled. */
function bundleCliAt(ref: string, outDir: string): string {
    const tree = path.join(outDir, "old");
    fs.mkdirSync(tree);
    const archive = execFileSync("git", ["archive", ref, "warmers", "package.json"], {
        cwd: ROOT,
        maxBuffer: 256 * 1024 * 1024,
    });
    execFileSync("tar", ["-x", "-C", tree], { input: archive });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(tree, "node_modules"));
    return bundleCli(tree, path.join(outDir, "warmstack-old.js"));
}

/** One warm through the CLI; checks the report and that the target (every primary) holds exactly `rows` keys. */
async function warmOnce(
    bundle: string,
    pgUrl: string,
    target: { url: string; cluster: boolean; primaries: Redis[] },
    rows: number,
): Promise<Run> {
    await Promise.all(target.primaries.map((redis) => redis.flushall()));
    const before = await redisCpu(target.primaries);
    const args = [bundle, "warm", "--source", pgUrl, "--query", QUERY, "--redis", target.url, "--ttl", String(TTL)];
    args.push("--top", String(rows), "--json", ...(target.cluster ? ["--cluster"] : []));
    const { stdout, clientCpu, seconds, rssMb } = await timed(process.execPath, args);
    const redisSeconds = (await redisCpu(target.primaries)) - before;
    const report = JSON.parse(stdout);
    if (report.keysWritten !== rows) throw new Error(`warmstack wrote ${report.keysWritten} keys, expected ${rows}`);
    const sizes = await Promise.all(target.primaries.map((redis) => redis.dbsize()));
    const held = sizes.reduce((a, b) => a + b, 0);
    if (held !== rows) throw new Error(`${target.url} holds ${held} keys (${sizes}) after the warm, expected ${rows}`);
    return { seconds, rssMb, cpu: clientCpu, redisCpu: redisSeconds };
}

/** CPU seconds the servers have used so far, summed. */
async function redisCpu(servers: Redis[]): Promise<number> {
    const infos = await Promise.all(servers.map((redis) => redis.info("cpu")));
    const seconds = (info: string, field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1]);
    return infos.reduce((sum, info) => sum + seconds(info, "used_cpu_user") + seconds(info, "used_cpu_sys"), 0);
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function summary(
    name: string,
    runs: Run[],
): { name: string; seconds: number; rssMb: number; cpu: number; line: string } {
    const seconds = median(runs.map((run) => run.seconds));
    const rssMb = Math.max(...runs.map((run) => run.rssMb));
    const times = runs.map((run) => run.seconds);
    const spread = `${Math.min(...times).toFixed(2)}–${Math.max(...times).toFixed(2)} s`;
    const cells = [
        seconds.toFixed(2),
        spread,
        `${rssMb.toFixed(0)} MB`,
        `${median(runs.map((run) => run.cpu)).toFixed(2)} s`,
        `${median(runs.map((run) => run.redisCpu)).toFixed(2)} s`,
        String(runs.length),
    ];
    const cpu = median(runs.map((run) => run.cpu + run.redisCpu));
    return { name, seconds, rssMb, cpu, line: `${name.padEnd(40)}${cells.map((c) => c.padStart(16)).join("")}` };
}

async function main(): Promise<void> {
    const rows = Number(flag("--rows") ?? 1_000_000);
    const rounds = Number(flag("--rounds") ?? 3);
    const oldRef = flag("--old-ref");
    console.log(
        `warmstack cluster benchmark: ${rows} rows (15 B keys, 200 B values), standalone vs ${PRIMARIES} primaries, ` +
            `${rounds} round(s), ${os.cpus().length} cores, load ${load()}`,
    );
    const [postgres, standalone, cluster] = await Promise.all([
        startPostgres(),
        startRedis(),
        startRedisCluster({ primaries: PRIMARIES }),
    ]);
    const pg = new Client({ connectionString: postgres.url });
    await pg.connect();
    const single = new Redis(standalone.url);
    const nodes = cluster.nodes.map((node) => new Redis(node.url));
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-bench-"));
    try {
        const bundle = bundleCli(ROOT, path.join(outDir, "warmstack.js"));
        const oldBundle = oldRef === undefined ? undefined : bundleCliAt(oldRef, outDir);
        await seed(pg, rows);
        const standaloneTarget = { url: standalone.url, cluster: false, primaries: [single] };
        const clusterTarget = { url: cluster.url, cluster: true, primaries: nodes };
        const runs: Record<"standalone" | "cluster" | "old", Run[]> = { standalone: [], cluster: [], old: [] };
        for (let round = 1; round <= rounds; round++) {
            runs.standalone.push(await warmOnce(bundle, postgres.url, standaloneTarget, rows));
            runs.cluster.push(await warmOnce(bundle, postgres.url, clusterTarget, rows));
            if (oldBundle) runs.old.push(await warmOnce(oldBundle, postgres.url, clusterTarget, rows));
            const last = (name: keyof typeof runs) => runs[name].at(-1)?.seconds.toFixed(2);
            console.log(
                `round ${round}: standalone ${last("standalone")} s, cluster ${last("cluster")} s` +
                    (oldBundle ? `, cluster at ${oldRef} ${last("old")} s` : "") +
                    `, load ${load()}`,
            );
        }
        const results = [
            summary("standalone Redis", runs.standalone),
            summary(`cluster, ${PRIMARIES} primaries`, runs.cluster),
        ];
        if (oldBundle) results.push(summary(`cluster, CLI at ${oldRef}`, runs.old));
        const columns = ["median s", "spread", "peak RSS", "CLI CPU", "Redis CPU", "runs"];
        console.log(`\n${"contender".padEnd(40)}${columns.map((c) => c.padStart(16)).join("")}`);
        for (const result of results) console.log(result.line);

        const [base, clustered] = results;
        const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
        // Round by round (each pair ran back to back), with the median and the spread, against issue 23's target.
        const ratios = runs.cluster.map((run, i) => run.seconds / runs.standalone[i].seconds);
        const ratio = median(ratios);
        console.log(
            `\ncluster / standalone time: ${spread(ratios, 2)} (issue 23's target <= ${TARGET}: ${verdict(ratio <= TARGET)})`,
        );
        // On a busy machine wall time mostly measures the neighbours; CPU seconds say what the warm itself cost.
        const cpuRatios = runs.cluster.map(
            (run, i) => (run.cpu + run.redisCpu) / (runs.standalone[i].cpu + runs.standalone[i].redisCpu),
        );
        console.log(
            `cluster / standalone CPU (CLI + Redis): ${spread(cpuRatios, 2)} ` +
                `(against the same target: ${verdict(median(cpuRatios) <= TARGET)}); load ${load()}`,
        );
        console.log(
            `cluster peak RSS: ${clustered.rssMb.toFixed(0)} MB (target <= 150 MB: ${verdict(clustered.rssMb <= 150)})`,
        );
        if (oldBundle) {
            const old = results[2];
            console.log(
                `CLI at ${oldRef} / standalone time: ${(old.seconds / base.seconds).toFixed(2)}; ` +
                    `speed-up over it: ${(old.seconds / clustered.seconds).toFixed(1)}x`,
            );
        }
    } finally {
        fs.rmSync(outDir, { recursive: true, force: true });
        single.disconnect();
        for (const node of nodes) node.disconnect();
        await pg.end();
        await stopAllServers();
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
