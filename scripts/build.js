// `npm run build`: the CLI as compiled JavaScript in dist/cli/, so `warmstack` starts without a TypeScript
// compiler. esbuild bundles warmers/cli/main.ts and every library it uses (the package needs no node_modules);
// ESM with code splitting, so each subcommand and its libraries are a chunk loaded only when that subcommand
// runs (`warmstack --help` never reads the AWS SDK or the charting code). Plain JavaScript because bin/warmstack
// calls it to rebuild a checkout whose sources changed, before any TypeScript tooling is loaded.
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

module.exports = { build, staleBecause, ENTRY: path.join(OUT, ENTRY) };

if (require.main === module) {
    const { files, seconds } = build();
    console.log(`build: ${files} files in ${path.relative(ROOT, OUT)}/ (${seconds.toFixed(1)} s)`);
}
