// One self-contained script holding the pre-warm's run-time code and its libraries (ioredis, pg, the Lambda
// client). The provider's serialized closure captures this text instead of modules, so it runs in Pulumi's
// dynamic-provider process without node_modules or TypeScript; the warmer Lambda ships the same text.
import path from "node:path";
import { buildSync } from "esbuild";

let built: string | undefined;

export function runtimeBundle(): string {
    built ??= bundleScript(path.join(__dirname, "runtime.ts"));
    return built;
}

/**
 * `entry` and everything it imports as one CommonJS script: how the warmer and the agent ship (and the benchmark
 * runs the CLI). `leaveOut`: files that stay a run-time require (modules the measured path never loads).
 * `target`: the oldest Node that must run it (esbuild lowers newer syntax).
 */
export function bundleScript(entry: string, leaveOut: string[] = [], target = "node20"): string {
    return buildSync({
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        target,
        format: "cjs",
        minify: true,
        legalComments: "none",
        keepNames: true, // typed errors keep their names (ColdCacheError…) in messages and logs
        write: false,
        // pg's optional native binding; the pure-JS client is what runs.
        external: ["pg-native", ...leaveOut],
    }).outputFiles[0].text;
}
