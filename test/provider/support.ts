// Runs the pre-warm's code as Pulumi and Lambda run it: in a fresh node process, from the serialized provider's
// text or the bundle, with only the environment a test gives it.
import { spawn } from "node:child_process";
import path from "node:path";
import type { PrewarmOutputs } from "../../warmers/provider/inputs";

export interface Answer<T> {
    result?: T;
    error?: string;
    /** Everything the process printed, to check that no secret is in it. */
    output: string;
}

export type ProviderAnswer = Answer<{ id?: string; outs?: PrewarmOutputs; changes?: boolean; replaces?: string[] }>;

function inFreshProcess<T>(
    driver: string,
    request: Record<string, unknown>,
    env: NodeJS.ProcessEnv,
): Promise<Answer<T>> {
    const file = path.join(__dirname, "fixtures", driver);
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [file], {
            cwd: path.dirname(file),
            env: { PATH: process.env.PATH, ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("error", reject);
        child.on("exit", (code) => {
            try {
                resolve({ ...(JSON.parse(stdout) as Answer<T>), output: stdout + stderr });
            } catch {
                reject(new Error(`${driver} exited ${code}: ${stdout}${stderr}`));
            }
        });
        child.stdin.end(JSON.stringify(request));
    });
}

/** One provider operation (create, update, diff) on the serialized provider `text`, as Pulumi's dynamic-provider host runs it. */
export function runProvider(
    text: string,
    request: Record<string, unknown>,
    env: NodeJS.ProcessEnv = {},
): Promise<ProviderAnswer> {
    return inFreshProcess("run-provider.js", { text, ...request }, env);
}

/** The warmer function's handler, from the runtime bundle `text`, invoked once with `event`. */
export function runHandler(text: string, event: unknown, env: NodeJS.ProcessEnv = {}): Promise<Answer<PrewarmOutputs>> {
    return inFreshProcess("run-handler.js", { text, event }, env);
}
