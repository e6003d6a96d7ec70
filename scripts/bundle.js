// The one esbuild setup every warmstack bundle shares: the CLI (scripts/build.js), the instance agent and the
// warmer function (infra/bundles.ts), and the benchmarks' bundled CLI. Plain JavaScript, because bin/warmstack
// rebuilds the CLI with it before any TypeScript tooling is loaded.
"use strict";

/** Options every bundle shares: one Node platform, readable names, pg's native binding and the SDK's CRT left out. */
function baseOptions(target = "node20") {
    return {
        bundle: true,
        platform: "node",
        target,
        minify: true,
        legalComments: "none",
        keepNames: true, // typed errors keep their names (ColdCacheError…) in messages and logs
        // pg's optional native binding and the SDK's optional CRT signer: the pure-JS paths are what run.
        external: ["pg-native", "@aws-sdk/signature-v4-crt"],
        write: false,
    };
}

/**
 * `entry` and everything it imports as one CommonJS script: how the warmer function and the agent ship (and the
 * benchmarks run the CLI). `leaveOut`: files that stay a run-time require (modules the measured path never loads).
 * `target`: the oldest Node that must run it (esbuild lowers newer syntax).
 */
function bundleScript(entry, leaveOut = [], target = "node20") {
    const { buildSync } = require("esbuild");
    const base = baseOptions(target);
    return buildSync({ ...base, entryPoints: [entry], format: "cjs", external: [...base.external, ...leaveOut] })
        .outputFiles[0].text;
}

module.exports = { baseOptions, bundleScript };
