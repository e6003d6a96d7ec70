// `npm run bench:function`: the engine as the warmer Lambda runs it — one process held to the CPU share Lambda gives
// the function's memory (1,769 MB is one vCPU, and the share scales linearly: WARMER_MEMORY_MB's 1024 MB is 58 % of
// one) — side by side with the same engine unlimited, in the same run, against the same loopback redis-server and
// PostgreSQL. The hold is `cpulimit` (Debian's package; scripts/setup.sh installs it), which stops and resumes the
// process so its CPU time stays at the share, as Lambda's quota does. Each round runs both, alternating, so a noisy
// machine hurts both alike; keys/s is the engine's own (its report's duration: no process start), reported as the
// median with the lowest and highest of the rounds. Flags: --rows N (default 300000), --rounds N (default 3),
// --memory-mb N (default WARMER_MEMORY_MB). Loopback has no TLS and no VPC round trips: the plan's figure
// (WARM_RUN.keysPerSecond) is a floor below the held rate, and docs/benchmarks.md says by how much.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { Client } from "pg";
import { WARMER_MEMORY_MB } from "../model/data-warm";
import { WARM_RUN } from "../policies/shared/contract";
import { startPostgres, startRedis, stopAllServers } from "../warmers/local/servers";
import { bundleCli, checkWarm, engine, load, seed, spread } from "./warm";

/** Lambda allocates CPU in proportion to memory: one full vCPU at 1,769 MB. */
const LAMBDA_MB_PER_VCPU = 1769;

function flag(name: string, fallback: number): number {
    const at = process.argv.indexOf(name);
    const value = Number(at < 0 ? fallback : process.argv[at + 1]);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} takes a whole number > 0`);
    return value;
}

async function main(): Promise<void> {
    const rows = flag("--rows", 300_000);
    const rounds = flag("--rounds", 3);
    const memoryMb = flag("--memory-mb", WARMER_MEMORY_MB);
    const percent = Math.round((memoryMb / LAMBDA_MB_PER_VCPU) * 100);
    try {
        execFileSync("sh", ["-c", "command -v cpulimit"], { stdio: "ignore" });
    } catch {
        throw new Error("bench:function needs cpulimit (apt-get install cpulimit, or npm run setup)");
    }
    console.log(
        `bench:function: ${rows} rows (15 B keys, 200 B values), ${rounds} round(s), a ${memoryMb} MB function ` +
            `= ${percent} % of one vCPU (1,769 MB = one), ${os.cpus().length} cores, load ${load()}`,
    );
    const [postgres, server] = await Promise.all([startPostgres(), startRedis()]);
    const pg = new Client({ connectionString: postgres.url });
    await pg.connect();
    const redis = new Redis(server.url);
    const bundle = bundleCli();
    const held = ["cpulimit", "--limit", String(percent), "--quiet", "--foreground", "--"];
    const rate = { unlimited: [] as number[], held: [] as number[] };
    /** The share of one core each run had: CPU seconds over wall seconds. */
    const share = { unlimited: [] as number[], held: [] as number[] };
    /** Keys per CPU-second of the engine's process: what a full share would buy if its CPU were the bound. */
    const perCpu = { unlimited: [] as number[], held: [] as number[] };
    try {
        await seed(pg, rows);
        for (let round = 0; round < rounds; round++) {
            for (const [name, under] of [
                ["unlimited", []],
                ["held", held],
            ] as const) {
                await redis.flushall();
                const run = await engine(bundle, postgres.url, server.url, rows, [...under]);
                await checkWarm(redis, rows);
                rate[name].push(rows / run.engineSeconds);
                const cpu = run.clientCpu ?? 0;
                share[name].push((cpu / run.seconds) * 100);
                perCpu[name].push(rows / cpu);
                console.log(
                    `round ${round + 1} ${name.padEnd(9)}: ${Math.round(rows / run.engineSeconds)} keys/s ` +
                        `(engine ${run.engineSeconds.toFixed(2)} s, wall ${run.seconds.toFixed(2)} s, ` +
                        `CPU ${cpu.toFixed(2)} s = ${Math.round(share[name][round])} % of a core), load ${load()}`,
                );
            }
        }
        const ratios = rate.held.map((r, i) => r / rate.unlimited[i]);
        const floor = rate.held.map((r) => r / WARM_RUN.keysPerSecond);
        console.log(`\nsummary (median, lowest–highest of ${rounds} rounds)`);
        console.log(`unlimited engine:            ${spread(rate.unlimited, 0, " keys/s")}`);
        console.log(`held to ${percent} % of a vCPU:       ${spread(rate.held, 0, " keys/s")}`);
        console.log(`held / unlimited:            ${spread(ratios, 2)}`);
        console.log(`held / the plan's ${WARM_RUN.keysPerSecond}: ${spread(floor, 1, "x")}`);
        console.log(`share of a core, unlimited:  ${spread(share.unlimited, 0, " %")}`);
        console.log(`share of a core, held:       ${spread(share.held, 0, " %")}`);
        const all = [...perCpu.unlimited, ...perCpu.held];
        console.log(`keys per CPU-second:         ${spread(all, 0)}`);
        console.log(
            `× ${percent} % of a vCPU:            ${spread(
                all.map((k) => (k * percent) / 100),
                0,
                " keys/s",
            )} (the function's rate if its CPU were the only bound)`,
        );
        // Where the machine gives the unlimited engine less than the function's share, the hold never acts, and the
        // held figure is the machine's, not the function's.
        if (Math.max(...share.unlimited) < percent)
            console.log(`the hold did not bind: the unlimited engine never had ${percent} % of a core on this machine`);
    } finally {
        fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
        redis.disconnect();
        await pg.end();
        await stopAllServers();
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
