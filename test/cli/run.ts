// Runs bin/warmstack as operators do: a child process, its exit code and both streams.
import { execFile } from "node:child_process";
import path from "node:path";

export const BIN = path.join(__dirname, "..", "..", "bin", "warmstack");

export interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

/**
 * `bin` defaults to the checkout's launcher; the packaging test passes an installed one. `env` is added to this
 * process's environment; `stdin` is written to the child's.
 */
export function runCli(
    args: readonly string[],
    options: { bin?: string; cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<Run> {
    return new Promise((resolve) => {
        const env = options.env && { ...process.env, ...options.env };
        const child = execFile(
            options.bin ?? BIN,
            args,
            { timeout: 60_000, cwd: options.cwd, env },
            (err, stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
                resolve({ code, stdout, stderr });
            },
        );
        if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    });
}

/**
 * A plan (`warmstack plan --json`, or the program's `plan` output) without the instance type's facts, which the
 * program reads from AWS at preview and the CLI takes from the config or the table offline: the root volume, and
 * the memory a Hibernated pool is priced on. What is left is the same for both.
 */
export function apartFromInstanceFacts(plan: any): { rootVolume: any; memory: any; rest: any } {
    const rest = structuredClone(plan);
    const { rootVolume } = rest;
    const memory = rest.cost.prices.instanceMemoryGiB;
    delete rest.rootVolume;
    delete rest.cost.prices.instanceMemoryGiB;
    return { rootVolume, memory, rest };
}
