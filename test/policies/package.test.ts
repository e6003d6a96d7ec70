// The pack packs on its own: `npm pack` of policies/ gives a tarball that holds the pack and nothing else, and
// that pack, extracted into an empty folder with only its declared dependencies beside it, answers the analyzer
// protocol when started as the Pulumi CLI starts it. The dependencies are the checkout's own (symlinked, so the
// test needs no network); a package the pack uses without declaring it is not there and the start fails.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { TYPES } from "../../policies/shared/contract";
import { POLICY } from "../../policies/names";
import { REPO } from "../support/pulumi";
import { connect, reconciled, stackRequest, START_TIMEOUT_MS, startPack, verdicts } from "./analyzer";
import { warmStack } from "./fixtures";
import { PACK_DIR, PACK_VERSION } from "./harness";

interface Packed {
    filename: string;
    files: Array<{ path: string }>;
}

describe("the warm-readiness pack, packed on its own", function () {
    this.timeout(START_TIMEOUT_MS + 60_000);
    let dir: string;
    let packed: Packed;
    let pack: ReturnType<typeof connect> | undefined;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-readiness-"));
        const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
            cwd: PACK_DIR,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
        packed = JSON.parse(out)[0];
    });

    after(async () => {
        await pack?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("holds the pack's sources, its compiler options, its manifest and its README — no tests, no stack configs", () => {
        const files = packed.files.map((f) => f.path).sort();
        for (const needed of [
            "index.ts",
            "pack.ts",
            "shared/contract.ts",
            "tsconfig.json",
            "PulumiPolicy.yaml",
            "README.md",
            "package.json",
        ]) {
            assert.ok(files.includes(needed), `${needed} packed`);
        }
        assert.deepEqual(
            files.filter(
                (f) =>
                    !/^(shared\/)?[\w-]+\.ts$/.test(f) &&
                    !["tsconfig.json", "PulumiPolicy.yaml", "README.md", "package.json"].includes(f),
            ),
            [],
        );
        const sources = [
            ...fs.readdirSync(PACK_DIR).filter((f) => f.endsWith(".ts")),
            ...fs.readdirSync(path.join(PACK_DIR, "shared")).map((f) => `shared/${f}`),
        ];
        assert.deepEqual(
            files.filter((f) => f.endsWith(".ts")),
            sources.sort(),
            "every source of the pack, and only those",
        );
    });

    it("extracted beside its declared dependencies alone, answers the analyzer protocol as the CLI starts it", async () => {
        const root = path.join(dir, "installed");
        fs.mkdirSync(root);
        execFileSync("tar", ["-xzf", path.join(dir, packed.filename), "-C", root]);
        const packRoot = path.join(root, "package");
        const manifest = JSON.parse(fs.readFileSync(path.join(packRoot, "package.json"), "utf8"));
        for (const dependency of Object.keys(manifest.dependencies)) {
            const link = path.join(packRoot, "node_modules", dependency);
            fs.mkdirSync(path.dirname(link), { recursive: true });
            fs.symlinkSync(path.join(REPO, "node_modules", dependency), link, "dir");
        }

        const started = startPack(packRoot);
        pack = connect(await started.port, started.child);
        const info = await pack.unary<proto.AnalyzerInfo>("getAnalyzerInfo", new Empty());
        assert.equal(info.getName(), "warm-readiness");
        assert.equal(info.getVersion(), PACK_VERSION);
        assert.deepEqual(
            info.getPoliciesList().map((p) => p.getName()),
            Object.values(POLICY),
        );
        await pack.unary("configure", reconciled(info, {}));

        const stack = warmStack();
        assert.deepEqual(verdicts(await pack.unary<proto.AnalyzeResponse>("analyzeStack", stackRequest(stack))), []);
        const cold = stack.filter((r) => r.type !== TYPES.cachePrewarm);
        const found = verdicts(await pack.unary<proto.AnalyzeResponse>("analyzeStack", stackRequest(cold)));
        assert.ok(
            found.some((d) => d.policy === "cache-prewarmed" && d.level === "mandatory"),
            JSON.stringify(found),
        );
    });
});
