#!/usr/bin/env node
// npm run mutate:area -- AREA: mutation testing of one area's modules with only the tests that matter for them,
// in minutes instead of the hours of a whole `npm run mutate`. Each area gets its own report and incremental file
// under reports/mutation/AREA/, so a rerun after adding tests only runs the mutants those tests or edits touch.
// The areas together cover stryker.config.json's "mutate" list exactly (test/tooling/mutation-areas.test.ts holds that).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

/** Every test file in a folder, listed now: mocha's spec has no way to leave one out of a glob. */
function testsIn(dir) {
    return fs
        .readdirSync(path.join(__dirname, "..", dir))
        .filter((file) => file.endsWith(".test.ts"))
        .map((file) => `${dir}/${file}`);
}

const AREAS = {
    model: {
        mutate: [
            "model/plan/*.ts",
            "model/planned.ts",
            "model/redis-memory.ts",
            "model/stack-plan.ts",
            "model/config.ts",
            "model/cache-sizing.ts",
            "model/cost.ts",
            "model/timeline.ts",
            "model/data-warm.ts",
            "model/prices.ts",
        ],
        spec: ["test/model/*.test.ts"],
    },
    policies: {
        mutate: ["policies/*.ts", "!policies/index.ts", "policies/shared/*.ts"],
        // Not package.test.ts: it packs the pack and installs it apart, which a sandbox cannot, and it tests the
        // packaging, not the policies' logic.
        spec: testsIn("test/policies").filter((file) => file !== "test/policies/package.test.ts"),
    },
    engine: {
        mutate: [
            "warmers/engine/sink.ts",
            "warmers/engine/resp-pipe.ts",
            "warmers/engine/reopening-pipe.ts",
            "warmers/engine/verify.ts",
            "warmers/engine/options.ts",
            "warmers/engine/resolve.ts",
            "warmers/engine/resolved.ts",
            "warmers/engine/urls.ts",
        ],
        spec: ["test/engine/*.test.ts"],
    },
    "agent-prewarm": {
        mutate: ["warmers/agent/watch.ts", "warmers/agent/lifecycle.ts", "model/prewarm-contract.ts"],
        spec: [
            "test/agent/watch.test.ts",
            "test/agent/lifecycle.test.ts",

            "test/agent/agent.test.ts",
            "test/agent/config.test.ts",
            "test/prewarm/*.test.ts",
        ],
    },
    // Pure engine modules with pure tests (one redis-server answers CLUSTER KEYSLOT): a run of minutes. The rest of
    // cluster/, sources/ and the agent's pools need live servers in every test; docs/mutation.md has their
    // hand-planted audit instead.
    "engine-pure": {
        mutate: [
            "warmers/engine/key-set.ts",
            "warmers/engine/cluster/crc16.ts",
            "warmers/engine/cluster/key-slot.ts",
            "warmers/engine/cluster/slot-map.ts",
        ],
        spec: ["test/engine/key-set.test.ts", "test/engine/cluster-slots.test.ts"],
    },
    // Only the tests that call the report in process: plan.test.ts's spawned CLI runs dist/, never the mutant.
    "cli-report": {
        mutate: ["warmers/cli/plan-report.ts"],
        spec: ["test/cli/plan-report.test.ts", "test/cli/plan.test.ts"],
    },
};

function configFor(area) {
    const base = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "stryker.config.json"), "utf8"));
    delete base.$schema; // a path relative to the root, wrong from the area's folder; only editors read it
    const dir = `reports/mutation/${area}`;
    return {
        ...base,
        mutate: AREAS[area].mutate,
        mochaOptions: { ...base.mochaOptions, spec: AREAS[area].spec },
        // The TypeScript checker type-checks the whole project for each group of mutants: three times slower on two
        // cores. Without it a mutant that would not compile still runs (ts-node transpiles only) and almost always
        // fails its tests, so the score comes out a little higher than the full run's.
        checkers: [],
        typescriptChecker: undefined,
        plugins: base.plugins.filter((plugin) => plugin !== "@stryker-mutator/typescript-checker"),
        reporters: ["clear-text", "dots", "html", "json"],
        htmlReporter: { fileName: `${dir}/index.html` },
        jsonReporter: { fileName: `${dir}/mutation.json` },
        incremental: true,
        incrementalFile: `${dir}/incremental.json`,
        tempDirName: `.stryker-tmp/${area}`,
    };
}

function main(args) {
    const [area] = args;
    if (args.length !== 1 || !(area in AREAS)) {
        console.error(`usage: npm run mutate:area -- AREA, AREA one of: ${Object.keys(AREAS).join(", ")}`);
        return 2;
    }
    const file = path.join(`reports/mutation/${area}`, "stryker.config.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(configFor(area), null, 2));
    return spawnSync("npx", ["stryker", "run", file], { stdio: "inherit" }).status ?? 1;
}

module.exports = { AREAS, configFor };
if (require.main === module) process.exit(main(process.argv.slice(2)));
