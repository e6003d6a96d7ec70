// The package as a user gets it: `npm pack` of the project installed into an empty folder, where its
// `warmstack` must run from the tarball alone — no checkout, no node_modules of ours, no registry. The package
// declares dependencies (the library's: test/packaging/library.test.ts); the CLI's bundle needs none of them, so
// none is installed beside it here.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { emptyTarget, itemsTable, postgresUrl } from "../engine/fixtures";
import { runCli } from "../cli/run";
import { installPacked, packCheckout, tarballFiles } from "../support/packed";

const ROOT = path.join(__dirname, "..", "..");

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
        tarball = await packCheckout(dir);
        const app = path.join(dir, "app");
        fs.mkdirSync(app);
        fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
        // Nothing beside it: not one of the package's dependencies, no registry.
        await installPacked(tarball, app);
        bin = path.join(app, "node_modules", ".bin", "warmstack");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("holds the compiled CLI and library and nothing of the checkout: no sources, tests, fixtures or reports", async () => {
        const files = await tarballFiles(tarball);
        assert.ok(files.includes("bin/warmstack") && files.includes("dist/cli/main.mjs"), files.join(", "));
        const stray = files.filter(
            (f) =>
                !/^(bin\/warmstack|dist\/cli\/[\w-]+\.mjs|dist\/lib\/[\w/-]+\.(js|d\.ts|sh)|package\.json|README\.md|LICENSE)$/.test(
                    f,
                ),
        );
        assert.deepEqual(stray, []);
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        // The library's; the CLI runs below with none of them installed.
        assert.deepEqual(Object.keys(manifest.dependencies).sort(), [
            "@aws-sdk/client-auto-scaling",
            "ioredis",
            "pg",
            "pg-cursor",
            "zod",
        ]);
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
