// `npm run bench:cli`: what starting `warmstack` costs, the compiled launcher (bin/warmstack → dist/cli, copied
// out as a package installs it) beside the old one (ts-node transpiling the sources on load), in the same run, rounds alternating so a noisy machine
// hurts both alike. (1) `warmstack --help`: wall time and peak RSS. (2) `warmstack warm` of --keys rows from
// PostgreSQL into Redis (private servers): peak RSS through each launcher and through the engine bundled into one
// CommonJS file as bench/warm.ts runs it (as the Lambda ships it). Every figure is the median over --rounds with
// the min–max seen. Flags: --keys N (default 1,000,000; 0 skips the warm), --rounds N (default 5 for --help, 3 for warm).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import Redis from "ioredis";
import { startPostgres, startRedis, stopAllServers } from "../warmers/local/servers";
import { bundleScript } from "../scripts/bundle";
import { timed } from "./warm";
// Plain JavaScript: bin/warmstack calls it before any TypeScript tooling is loaded.
const { build } = require("../scripts/build.js") as {
    build(options: { clean: boolean }): { files: number; seconds: number };
};

const ROOT = path.join(__dirname, "..");
const QUERY = "SELECT key, value FROM bench_cli_items";
/** Targets of the issue: a command-line tool starts in a fraction of a second. */
const HELP_SECONDS = 0.3;
const HELP_MB = 80;

interface Usage {
    seconds: number;
    /** User + system CPU seconds: what the start costs, less swayed than wall time by a busy machine. */
    cpuSeconds: number;
    rssMb: number;
}

interface Contender {
    name: string;
    /** The command that runs `warmstack <args>`. */
    argv: (args: string[]) => string[];
}

function flag(name: string, fallback: number): number {
    const at = process.argv.indexOf(name);
    return at < 0 ? fallback : Number(process.argv[at + 1]);
}

/**
 * bin/warmstack and dist/cli copied out as a package installs them: no sources beside them, so no rebuild check,
 * and no edit to the checkout during the run can trigger a rebuild inside a measurement.
 */
function installed(dir: string): string {
    const root = path.join(dir, "package");
    fs.cpSync(path.join(ROOT, "bin", "warmstack"), path.join(root, "bin", "warmstack"));
    fs.cpSync(path.join(ROOT, "dist", "cli"), path.join(root, "dist", "cli"), { recursive: true });
    return path.join(root, "bin", "warmstack");
}

/** The launcher bin/warmstack was before the build: ts-node registered, then the TypeScript entry. */
function oldLauncher(dir: string): string {
    const file = path.join(dir, "warmstack-ts-node.js");
    fs.writeFileSync(
        file,
        `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true, project: ${JSON.stringify(path.join(ROOT, "tsconfig.json"))} });\n` +
            `require(${JSON.stringify(path.join(ROOT, "warmers", "cli", "main.ts"))});\n`,
    );
    return file;
}

/** The whole CLI in one CommonJS file, as bench/warm.ts bundles it (the agent and the drill left out). */
function bundledEngine(dir: string): string {
    const file = path.join(dir, "warmstack-bundle.js");
    const lazy = ["agent/agent.ts", "drill/drill.ts", "drill/report.ts"].map((f) => path.join(ROOT, "warmers", f));
    fs.writeFileSync(file, bundleScript(path.join(ROOT, "warmers", "cli", "main.ts"), lazy));
    return file;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
    name: string;
    runs: Usage[];
}

function describeRow({ name, runs }: Row): string {
    const cell = (xs: number[], digits: number) =>
        `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
    const wall = cell(
        runs.map((r) => r.seconds),
        2,
    );
    const cpu = cell(
        runs.map((r) => r.cpuSeconds),
        2,
    );
    const rss = cell(
        runs.map((r) => r.rssMb),
        0,
    );
    return `${name.padEnd(44)}${wall.padStart(20)}${cpu.padStart(20)}${rss.padStart(18)}`;
}

/** Runs every contender `rounds` times, alternating, and prints median (min–max) of wall seconds and RSS MB. */
async function compare(
    title: string,
    contenders: Contender[],
    args: string[],
    rounds: number,
    hooks: { before?: () => Promise<void>; check?: (stdout: string) => void } = {},
): Promise<Row[]> {
    const rows: Row[] = contenders.map((c) => ({ name: c.name, runs: [] }));
    for (let round = 0; round < rounds; round++) {
        for (const [i, contender] of contenders.entries()) {
            await hooks.before?.();
            const [command, ...rest] = contender.argv(args);
            const { stdout, seconds, clientCpu, rssMb } = await timed(command, rest);
            hooks.check?.(stdout);
            rows[i].runs.push({ seconds, cpuSeconds: clientCpu, rssMb });
        }
    }
    console.log(`\n${title}, ${rounds} rounds`);
    console.log(`${"launcher".padEnd(44)}${"wall s".padStart(20)}${"CPU s".padStart(20)}${"peak RSS MB".padStart(18)}`);
    rows.forEach((row) => console.log(describeRow(row)));
    return rows;
}

function ratio(label: string, a: Row, b: Row, field: keyof Usage): void {
    const value = median(a.runs.map((r) => r[field])) / median(b.runs.map((r) => r[field]));
    console.log(`${label}: ${value.toFixed(2)}`);
}

async function main(): Promise<void> {
    const keys = flag("--keys", 1_000_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-bench-cli-"));
    try {
        console.log(
            `warmstack CLI benchmark: node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
        );
        // Not a clean build: a warmstack of this checkout running meanwhile keeps its chunks.
        const built = build({ clean: false });
        console.log(`npm run build: ${built.files} files in ${built.seconds.toFixed(1)} s`);
        const [launcher, old, bundle] = [installed(dir), oldLauncher(dir), bundledEngine(dir)];
        const compiled: Contender = { name: "bin/warmstack (dist/cli, compiled)", argv: (a) => [launcher, ...a] };
        const tsNode: Contender = {
            name: "old launcher (ts-node, transpile-only)",
            argv: (a) => [process.execPath, old, ...a],
        };
        const bundled: Contender = {
            name: "bundled engine (bench/warm.ts's build)",
            argv: (a) => [process.execPath, bundle, ...a],
        };
        await startUp(compiled, tsNode, flag("--rounds", 5));
        if (keys > 0) await warmRss(compiled, tsNode, bundled, keys, flag("--rounds", 3));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function startUp(compiled: Contender, tsNode: Contender, rounds: number): Promise<void> {
    // The floor: Node starting and exiting, nothing loaded. On a busy machine every figure moves with it.
    const bare: Contender = { name: "node alone (node -e 0, the floor)", argv: () => [process.execPath, "-e", "0"] };
    const [newHelp, oldHelp, floor] = await compare("warmstack --help", [compiled, tsNode, bare], ["--help"], rounds);
    ratio("--help wall time, compiled / ts-node", newHelp, oldHelp, "seconds");
    ratio("--help CPU time, compiled / ts-node", newHelp, oldHelp, "cpuSeconds");
    ratio("--help peak RSS, compiled / ts-node", newHelp, oldHelp, "rssMb");
    ratio("--help wall time, compiled / node alone", newHelp, floor, "seconds");
    const helpSeconds = median(newHelp.runs.map((r) => r.seconds));
    const helpCpu = median(newHelp.runs.map((r) => r.cpuSeconds));
    const helpMb = median(newHelp.runs.map((r) => r.rssMb));
    const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
    console.log(
        `targets: --help within ${HELP_SECONDS} s: wall ${verdict(helpSeconds <= HELP_SECONDS)}, ` +
            `CPU ${verdict(helpCpu <= HELP_SECONDS)} (load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores); ` +
            `within ${HELP_MB} MB: ${verdict(helpMb <= HELP_MB)}`,
    );
}

async function warmRss(
    compiled: Contender,
    tsNode: Contender,
    bundled: Contender,
    keys: number,
    rounds: number,
): Promise<void> {
    const [postgres, server] = await Promise.all([startPostgres(), startRedis()]);
    const pg = new Client({ connectionString: postgres.url });
    await pg.connect();
    const redis = new Redis(server.url);
    try {
        // Server-side generation: 15-byte keys, 200-byte values, as bench/warm.ts seeds its table.
        await pg.query("DROP TABLE IF EXISTS bench_cli_items");
        await pg.query(
            `CREATE TABLE bench_cli_items AS
             SELECT 'k:' || lpad(g::text, 13, '0') AS key, left(repeat(md5(g::text), 7), 200) AS value
             FROM generate_series(1, $1::int) AS g`,
            [keys],
        );
        const args = ["warm", "--source", postgres.url, "--query", QUERY, "--redis", server.url];
        const [newWarm, oldWarm, engine] = await compare(
            `warmstack warm of ${keys.toLocaleString("en-US")} keys`,
            [compiled, tsNode, bundled],
            [...args, "--top", String(keys), "--json"],
            rounds,
            {
                before: () => redis.flushall().then(() => undefined),
                check(stdout) {
                    const written = JSON.parse(stdout).keysWritten;
                    if (written !== keys) throw new Error(`warmstack wrote ${written} keys, expected ${keys}`);
                },
            },
        );
        ratio("warm peak RSS, compiled / bundled engine", newWarm, engine, "rssMb");
        ratio("warm peak RSS, compiled / ts-node", newWarm, oldWarm, "rssMb");
    } finally {
        redis.disconnect();
        await pg.end();
        await stopAllServers();
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
