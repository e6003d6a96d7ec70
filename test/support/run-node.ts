// Runs a script in a fresh, bare Node process, as an instance or a Lambda runs it: in the script's folder, with
// only PATH and the environment a test gives it (no NODE_PATH, no ts-node, nothing of this checkout's own).
import { spawn } from "node:child_process";
import path from "node:path";

export interface NodeRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

export function runBareNode(
    file: string,
    args: string[] = [],
    options: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<NodeRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [file, ...args], {
            cwd: path.dirname(file),
            env: { PATH: process.env.PATH, ...options.env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(options.stdin);
    });
}
