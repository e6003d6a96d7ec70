// `npm run build`: the CLI as compiled JavaScript in dist/cli/, so `warmstack` starts without a TypeScript
// compiler. esbuild bundles warmers/cli/main.ts and every library it uses (the package needs no node_modules);
// ESM with code splitting, so each subcommand and its libraries are a chunk loaded only when that subcommand
// runs (`warmstack --help` never reads the AWS SDK or the charting code). Plain JavaScript because bin/warmstack
// calls it to rebuild a checkout whose sources changed, before any TypeScript tooling is loaded.
// Then the library (buildLibrary, `npm run build` only): warmstack/pulumi and warmstack/engine compiled by tsc to
// dist/lib with their declarations (tsconfig.lib.json), and beside them the two bundles the Pulumi components
// ship (dist/lib/bundles/), built exactly as a checkout builds them at deploy time (infra/bundles.ts).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { baseOptions } = require("./bundle");

const ROOT = path.join(__dirname, "..");
const OUT = path.join(ROOT, "dist", "cli");
const ENTRY = "main.mjs";
/** What the build read, and when: bin/warmstack rebuilds a checkout when one of these is newer. */
const MANIFEST = "build.json";

// Bundled CommonJS libraries call require() and read __dirname; an ES module has neither of its own.
const BANNER = [
    'import { createRequire as __createRequire } from "node:module";',
    'import { dirname as __pathDirname } from "node:path";',
    'import { fileURLToPath as __fileURLToPath } from "node:url";',
    "const require = __createRequire(import.meta.url);",
    "const __filename = __fileURLToPath(import.meta.url);",
    "const __dirname = __pathDirname(__filename);",
].join(" ");

/**
 * Builds dist/cli. `clean`: remove the previous build's chunks first (`npm run build`); a rebuild from bin/warmstack
 * leaves them, because a warmstack started before it may still load its own chunks.
 */
function build({ clean = true } = {}) {
    const { buildSync } = require("esbuild");
    const started = Date.now();
    const result = buildSync({
        ...baseOptions(),
        absWorkingDir: ROOT,
        entryPoints: { main: "warmers/cli/main.ts" },
        format: "esm",
        splitting: true,
        outdir: OUT,
        outExtension: { ".js": ".mjs" },
        banner: { js: BANNER },
        metafile: true,
    });
    if (clean) fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    // The entry goes last and every file by rename: a warmstack starting meanwhile sees the old build or the new one.
    const files = result.outputFiles.sort(
        (a, b) => (path.basename(a.path) === ENTRY) - (path.basename(b.path) === ENTRY),
    );
    for (const file of files) writeAtomically(file.path, file.contents);
    const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith("node_modules/"));
    const manifest = { builtAt: started, inputs: [...inputs, "package-lock.json"].sort() };
    writeAtomically(path.join(OUT, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return { files: files.length, seconds: (Date.now() - started) / 1000 };
}

function writeAtomically(file, contents) {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, contents);
    fs.renameSync(temporary, file);
}

/** The first input changed since the build (or "no build"), in a checkout; undefined when the build is current. */
function staleBecause() {
    let manifest;
    try {
        manifest = JSON.parse(fs.readFileSync(path.join(OUT, MANIFEST), "utf8"));
    } catch {
        return "no build";
    }
    for (const input of manifest.inputs) {
        let modified;
        try {
            modified = fs.statSync(path.join(ROOT, input)).mtimeMs;
        } catch {
            return `${input} is gone`;
        }
        if (modified > manifest.builtAt) return `${input} changed`;
    }
    return undefined;
}

const LIB = path.join(ROOT, "dist", "lib");
/** Files the library reads at run time that are not TypeScript (infra/userdata.ts reads the agent's start script). */
const LIBRARY_ASSETS = ["infra/agent-start.sh"];

/** Builds dist/lib: the compiled library and its declarations, then the prebuilt bundles. */
function buildLibrary() {
    const { execFileSync } = require("node:child_process");
    const started = Date.now();
    fs.rmSync(LIB, { recursive: true, force: true });
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.lib.json"], {
        cwd: ROOT,
        stdio: "inherit",
    });
    // Files the compiled code reads beside itself, which tsc does not emit.
    for (const asset of LIBRARY_ASSETS) fs.copyFileSync(path.join(ROOT, asset), path.join(LIB, asset));
    // The checkout's infra/bundles.ts builds them from the sources, as at deploy; the compiled copy reads these.
    require("ts-node").register({ transpileOnly: true, project: path.join(ROOT, "tsconfig.json") });
    const { agentBundle, runtimeBundle, BUNDLE_FILES } = require("../infra/bundles");
    const bundles = path.join(LIB, "bundles");
    fs.mkdirSync(bundles, { recursive: true });
    fs.writeFileSync(path.join(bundles, BUNDLE_FILES.runtime), runtimeBundle());
    fs.writeFileSync(path.join(bundles, BUNDLE_FILES.agent), agentBundle().code);
    let files = 0;
    const count = (dir) =>
        fs.readdirSync(dir, { withFileTypes: true }).forEach((e) => {
            if (e.isDirectory()) count(path.join(dir, e.name));
            else files++;
        });
    count(LIB);
    return { files, seconds: (Date.now() - started) / 1000 };
}

module.exports = { build, buildLibrary, staleBecause, ENTRY: path.join(OUT, ENTRY), LIB };

if (require.main === module) {
    const cli = build();
    console.log(`build: ${cli.files} files in ${path.relative(ROOT, OUT)}/ (${cli.seconds.toFixed(1)} s)`);
    const lib = buildLibrary();
    console.log(`build: ${lib.files} files in ${path.relative(ROOT, LIB)}/ (${lib.seconds.toFixed(1)} s)`);
}
