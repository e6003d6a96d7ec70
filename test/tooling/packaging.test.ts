// The package as a user gets it: `npm pack` of the project installed into an empty folder, where its
// `warmstack` must run from the tarball alone — no checkout, no node_modules of ours, no registry.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { emptyTarget, itemsTable, postgresUrl } from "../engine/fixtures";
import { runCli, type Run } from "../cli/run";

const ROOT = path.join(__dirname, "..", "..");

/** npm with none of the npm_* settings of an `npm test` that may be running us. */
function npm(args: string[], cwd: string): Promise<Run> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")));
    return new Promise((resolve) => {
        execFile("npm", args, { cwd, env, timeout: 180_000 }, (err, stdout, stderr) =>
            resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
        );
    });
}

describe("packaging: the warmstack CLI from its tarball", function () {
    this.timeout(240_000);
    let dir: string;
    let tarball: string;
    let bin: string;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-pack-"));
        // The launcher brings dist/cli up to date; --ignore-scripts keeps prepack's clean build from deleting
        // chunks another warmstack of this checkout may be loading.
        assert.equal((await runCli(["--version"])).code, 0);
        const pack = await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT);
        assert.equal(pack.code, 0, pack.stderr);
        tarball = path.join(dir, JSON.parse(pack.stdout)[0].filename);
        const app = path.join(dir, "app");
        fs.mkdirSync(app);
        fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
        // --offline: the package must need nothing from a registry.
        const install = await npm(["install", "--offline", "--no-audit", "--no-fund", tarball], app);
        assert.equal(install.code, 0, install.stderr);
        bin = path.join(app, "node_modules", ".bin", "warmstack");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("holds the compiled CLI and nothing of the checkout: no sources, tests, fixtures or reports", async () => {
        const list = await new Promise<string[]>((resolve, reject) =>
            execFile("tar", ["-tzf", tarball], (err, stdout) => (err ? reject(err) : resolve(stdout.split("\n")))),
        );
        const files = list.filter(Boolean).map((f) => f.replace(/^package\//, ""));
        assert.ok(files.includes("bin/warmstack") && files.includes("dist/cli/main.mjs"), files.join(", "));
        const stray = files.filter(
            (f) => !/^(bin\/warmstack|dist\/cli\/[\w-]+\.mjs|package\.json|README\.md|LICENSE)$/.test(f),
        );
        assert.deepEqual(stray, []);
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.equal(manifest.dependencies, undefined, "the bundle needs no runtime dependencies");
    });

    it("warmstack --help lists every command", async () => {
        const help = await runCli(["--help"], { bin, cwd: path.dirname(bin) });
        assert.equal(help.code, 0, help.stderr);
        for (const name of ["warm", "warm-db", "plan", "agent", "drill"])
            assert.match(help.stdout, new RegExp(`^  ${name} `, "m"));
    });

    it("warmstack warm --dry-run reads PostgreSQL and writes nothing to Redis", async () => {
        await itemsTable("packaging_items", 300);
        const target = await emptyTarget();
        try {
            const run = await runCli(
                [
                    "warm",
                    "--source",
                    await postgresUrl(),
                    "--query",
                    "SELECT key, value FROM packaging_items ORDER BY hits DESC",
                    "--redis",
                    target.url,
                    "--dry-run",
                    "--json",
                ],
                { bin, cwd: dir },
            );
            assert.equal(run.code, 0, run.stderr);
            const report = JSON.parse(run.stdout);
            assert.equal(report.dryRun, true);
            assert.equal(report.rowsRead, 300);
            assert.equal(await target.redis.dbsize(), 0);
        } finally {
            target.redis.disconnect();
        }
    });
});
