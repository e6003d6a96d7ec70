// bin/warmstack runs the compiled CLI (dist/cli): self-contained JavaScript, no TypeScript compiler, and in a
// checkout never a build older than the sources it was built from.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { version } from "../../package.json";
import { runCli } from "./run";

const DIST = path.join(__dirname, "..", "..", "dist", "cli");
const MANIFEST = path.join(DIST, "build.json");

function node(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) =>
            resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
        );
    });
}

describe("bin/warmstack (launcher)", function () {
    this.timeout(120_000);

    it("rebuilds a build older than its sources before running it", async () => {
        assert.equal((await runCli(["--version"])).code, 0);
        const manifest = JSON.parse(fs.readFileSync(MANIFEST, "utf8"));
        assert.ok(manifest.inputs.includes("warmers/cli/index.ts"), "the build lists what it was built from");
        // As if every source had changed since: the next start must rebuild, not run the old files.
        fs.writeFileSync(MANIFEST, JSON.stringify({ ...manifest, builtAt: 0 }));
        const run = await runCli(["--version"]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, `${version}\n`);
        assert.ok(JSON.parse(fs.readFileSync(MANIFEST, "utf8")).builtAt > 0, "dist/cli was rebuilt");
    });

    it("the build runs alone: copied where no node_modules can be found, every command loads", async () => {
        assert.equal((await runCli(["--version"])).code, 0); // current build
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-dist-"));
        try {
            fs.cpSync(DIST, dir, { recursive: true });
            const help = await node(["main.mjs", "--help"], dir);
            assert.equal(help.code, 0, help.stderr);
            assert.match(help.stdout, /^Usage: warmstack/);
            // A subcommand's chunk loads and its usage error ends the one way.
            const agent = await node(["main.mjs", "agent"], dir);
            assert.equal(agent.stderr, "warmstack: required option '--config <file>' not specified\n");
            assert.equal(agent.code, 2);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
