// The library as a user's own Pulumi program gets it: the checkout packed, the tarball installed into an empty
// folder beside its declared dependencies and peers alone (linked from the checkout: no registry), and there the
// program docs/adopting.md shows — taken from the page itself, so the page stays true — run under the program
// tests' mocks (test/support/pulumi.ts) and type-checked against the installed declarations. The import resolves
// from that folder through the package's `exports`; nothing of the checkout's sources is on its way.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { agentBundle, runtimeBundle } from "../../infra/bundles";
import { EVENT_HOOK_NAME } from "../../infra/event-capacity";
import type { Run } from "../cli/run";
import { Installed, installPacked, packCheckout, tarballFiles } from "../support/packed";
import {
    NOW,
    PRODUCTION,
    productionWorld,
    ProgramRun,
    REPO,
    RegisteredResource,
    runProgram,
    T,
} from "../support/pulumi";

const { buildLibrary } = require("../../scripts/build") as { buildLibrary(): unknown };

/** The fenced TypeScript blocks of docs/adopting.md's library section: the user's program, then the engine's use. */
function documentedExamples(): { program: string; engine: string } {
    const doc = fs.readFileSync(path.join(REPO, "docs", "adopting.md"), "utf8");
    const start = doc.indexOf("## From a program of your own");
    assert.ok(start >= 0, "docs/adopting.md has the library section");
    const section = doc.slice(start, doc.indexOf("\n## ", start + 1));
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.equal(blocks.length, 2, "the program and the engine's use");
    assert.match(blocks[0], /from "warmstack\/pulumi"/);
    assert.match(blocks[1], /from "warmstack\/engine"/);
    return { program: blocks[0], engine: blocks[1] };
}

/** Pulumi's TypeScript template's compiler options, with the one addition docs/adopting.md asks for. */
const USER_TSCONFIG = {
    compilerOptions: {
        strict: true,
        outDir: "bin",
        target: "es2020",
        module: "commonjs",
        moduleResolution: "node",
        sourceMap: true,
        experimentalDecorators: true,
        pretty: false,
        noFallthroughCasesInSwitch: true,
        noImplicitReturns: true,
        forceConsistentCasingInFileNames: true,
        esModuleInterop: true,
    },
};

function run(command: string, args: string[], cwd: string): Promise<Run> {
    return new Promise((resolve) =>
        execFile(command, args, { cwd, timeout: 180_000 }, (err, stdout, stderr) =>
            resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        ),
    );
}

/** tsc of the checkout, on a project in the user's folder: the types come from that folder's node_modules. */
function typecheck(app: string, project: string): Promise<Run> {
    return run(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", project], app);
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("packaging: warmstack/pulumi and warmstack/engine from the tarball, in a program of the user's own", function () {
    this.timeout(300_000);
    let dir: string;
    let tarball: string;
    let installed: Installed;
    let app: string;
    /**
     * Node's require as the user's program has it. Not require.resolve(…, { paths }): from a file of this checkout,
     * "warmstack/…" is the checkout's own package (a self-reference), whatever the paths say.
     */
    let userRequire: NodeJS.Require;

    before(async () => {
        // The library as the sources are now (prepack's build, which --ignore-scripts skips).
        buildLibrary();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-library-"));
        tarball = await packCheckout(dir);
        app = path.join(dir, "shop");
        fs.mkdirSync(app);
        fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "shop", private: true }));
        const manifest = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
        // What the package declares, and what a Pulumi TypeScript program has of its own (@types/node).
        const beside = [
            ...Object.keys(manifest.dependencies),
            ...Object.keys(manifest.peerDependencies),
            "@types/node",
        ];
        installed = await installPacked(tarball, app, beside);
        userRequire = createRequire(path.join(app, "index.ts"));
        const { program, engine } = documentedExamples();
        fs.writeFileSync(path.join(app, "index.ts"), program);
        fs.writeFileSync(path.join(app, "engine.ts"), engine);
        fs.writeFileSync(
            path.join(app, "tsconfig.json"),
            JSON.stringify({ ...USER_TSCONFIG, files: ["index.ts", "engine.ts"] }),
        );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("ships the compiled library, its declarations and the prebuilt bundles — no TypeScript sources", async () => {
        const files = await tarballFiles(tarball);
        for (const needed of [
            "dist/lib/infra/library.js",
            "dist/lib/infra/library.d.ts",
            "dist/lib/warmers/index.js",
            "dist/lib/warmers/index.d.ts",
            "dist/lib/bundles/prewarm-runtime.js",
            "dist/lib/bundles/agent.js",
        ])
            assert.ok(files.includes(needed), needed);
        assert.deepEqual(
            files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
            [],
        );
        // Every export's files are there.
        for (const [entry, target] of Object.entries<any>(installed.manifest.exports)) {
            for (const file of typeof target === "string" ? [target] : Object.values<string>(target))
                assert.ok(fs.existsSync(path.join(installed.root, file)), `${entry}: ${file}`);
        }
        // The bundles shipped are the ones the sources build now (a stale build would deploy old code).
        const shipped = (file: string) => fs.readFileSync(path.join(installed.root, "dist/lib/bundles", file), "utf8");
        assert.equal(sha256(shipped("agent.js")), agentBundle().sha256);
        assert.equal(shipped("prewarm-runtime.js"), runtimeBundle());
    });

    describe("the documented program, run under mocks from the user's folder", () => {
        let result: ProgramRun;
        let loaded: string[];
        const named = (type: string) => result.ofType(type);

        before(async () => {
            const realNow = Date.now;
            // The deploy's clock (the example takes Date.now()): a week before the documented event.
            Date.now = () => NOW;
            try {
                const before = new Set(Object.keys(require.cache));
                result = await runProgram({}, () => require(path.join(app, "index.ts")), "shop", productionWorld());
                loaded = Object.keys(require.cache).filter((f) => !before.has(f));
            } finally {
                Date.now = realNow;
            }
        });

        it("loads warmstack from the installed package, through its exports, and none of the checkout's sources", () => {
            const entry = userRequire.resolve("warmstack/pulumi");
            assert.equal(entry, path.join(installed.root, "dist", "lib", "infra", "library.js"));
            const program = require.cache[path.join(app, "index.ts")];
            assert.ok(
                program?.children.some((child) => child.id === entry),
                "the program's import is the installed entry",
            );
            const ours = loaded.filter((f) => f.startsWith(REPO) && !f.includes(`${path.sep}node_modules${path.sep}`));
            assert.deepEqual(ours, [], "no file of the checkout's own");
            // The build tool the checkout bundles with is not reachable from the package: the bundles are prebuilt.
            assert.throws(() => require.resolve("esbuild", { paths: [installed.root] }), /Cannot find module/);
        });

        it("registers one EventWarmth, every resource of it named after it, none of production's own", () => {
            const [component] = named("warmstack:event:EventWarmth");
            assert.equal(component.name, "blackfriday");
            assert.deepEqual(
                result.resources.filter((r) => r.name !== "blackfriday" && !r.name.startsWith("blackfriday-")),
                [],
            );
            for (const type of [T.asg, T.template, T.redis, T.alb, T.profile, T.params])
                assert.deepEqual(named(type), [], type);
            assert.ok(named(T.rds).length > 0 && named(T.rds).every((r) => r.inputs.replicateSourceDb === "shop-db"));
        });

        it("puts the hook and the planned warm pool on the user's group, and ramps it back to its own sizes", () => {
            const hook = result.one(T.hook);
            assert.deepEqual(
                [hook.inputs.autoscalingGroupName, hook.inputs.name, hook.inputs.lifecycleTransition],
                ["shop-web", EVENT_HOOK_NAME, "autoscaling:EC2_INSTANCE_LAUNCHING"],
            );
            const pool = result.one(T.warmPool);
            assert.equal(pool.inputs.autoScalingGroupName, "shop-web");
            assert.equal(pool.inputs.minSize, result.outputs.plan.warmPool.minSize);
            assert.ok(pool.inputs.minSize > 0);
            const schedules = Object.fromEntries(
                named(T.schedule).map((s) => [s.inputs.scheduledActionName, s.inputs]),
            );
            assert.deepEqual(Object.keys(schedules).sort(), ["blackfriday-ramp-down", "blackfriday-ramp-up"]);
            for (const s of Object.values<any>(schedules)) assert.equal(s.autoscalingGroupName, "shop-web");
            const down = schedules["blackfriday-ramp-down"];
            assert.deepEqual(
                [down.minSize, down.maxSize, down.desiredCapacity],
                [4, 30, 6],
                "the group's own, as read",
            );
            assert.deepEqual(result.outputs.attachedTo, {
                autoScalingGroup: "shop-web",
                cacheReplicationGroup: "shop-redis",
                databaseInstance: "shop-db",
            });
        });

        it("warms the user's cache from replicas of the user's database, with the prebuilt runtime bundle", () => {
            const prewarm: RegisteredResource = result.one(T.prewarm);
            assert.equal(prewarm.inputs.replicationGroupId, "shop-redis");
            assert.equal(prewarm.inputs.redisHost, "master.shop-redis.abc123.use1.cache.amazonaws.com");
            assert.ok(result.outputs.databaseReaders.includes(prewarm.inputs.sourceHost), "a new replica");
            const payload = JSON.parse(result.one(T.warmSchedule).inputs.target.input);
            assert.equal(payload.passwordSecretArn, PRODUCTION.warmerSecretArn);
            assert.equal(payload.authTokenSecretArn, PRODUCTION.tokenSecretArn);
            // The provider Pulumi serialized into the state carries the bundle's text, and requires nothing of
            // warmstack by path (a deep require would be refused by the exports map in the deploy's process).
            const provider: string = prewarm.inputs.__provider;
            assert.ok(provider.includes(JSON.stringify(runtimeBundle()).slice(1, 2000)), "the runtime bundle");
            assert.doesNotMatch(provider, /require\("warmstack/);
            const agent = result.one(T.bucketObject);
            assert.equal(sha256(agent.inputs.content), agentBundle().sha256);
            assert.equal(agent.inputs.key, `warmstack-agent/${agentBundle().sha256}.js`);
        });
    });

    it("refuses a bad value before any resource, with one RunError naming the field", async () => {
        const { EventWarmth } = userRequire("warmstack/pulumi");
        const refused = async (args: Record<string, unknown>) => {
            let error: unknown;
            const registered: RegisteredResource[] = [];
            await runProgram(
                {},
                () => {
                    try {
                        new EventWarmth("blackfriday", args);
                    } catch (err) {
                        error = err;
                    }
                    return {};
                },
                "shop",
                productionWorld(),
                registered,
            );
            assert.ok(pulumi.RunError.isInstance(error), `a RunError, not ${String(error)}`);
            assert.deepEqual(registered, [], "nothing registered, not even the component");
            return (error as Error).message;
        };
        const valid = {
            production: { autoScalingGroup: "shop-web" },
            traffic: { baselineRps: 100, peakRps: -1, rpsPerInstance: 100 },
        };
        assert.match(await refused(valid), /warmstack:traffic\.peakRps: a number > 0; given -1/);
        assert.match(await refused({ traffic: valid.traffic }), /warmstack:production: required/);
    });

    it("type-checks the documented program and the engine's use against the installed declarations", async () => {
        const node = await typecheck(app, "tsconfig.json");
        assert.equal(node.code, 0, node.stdout + node.stderr);
        // Through the exports map itself, as a newer program resolves it.
        fs.writeFileSync(
            path.join(app, "tsconfig.node16.json"),
            JSON.stringify({
                extends: "./tsconfig.json",
                compilerOptions: { module: "node16", moduleResolution: "node16" },
                files: ["index.ts", "engine.ts"],
            }),
        );
        const node16 = await typecheck(app, "tsconfig.node16.json");
        assert.equal(node16.code, 0, node16.stdout + node16.stderr);
        // The declarations are the real types, not `any`: a wrong value fails the check, naming the field.
        fs.writeFileSync(
            path.join(app, "wrong.ts"),
            'import { EventWarmth } from "warmstack/pulumi";\n' +
                'new EventWarmth("x", { production: { autoScalingGroup: "g" }, traffic: { peakRps: "lots" } });\n',
        );
        fs.writeFileSync(
            path.join(app, "tsconfig.wrong.json"),
            JSON.stringify({ extends: "./tsconfig.json", files: ["wrong.ts"] }),
        );
        const wrong = await typecheck(app, "tsconfig.wrong.json");
        assert.notEqual(wrong.code, 0);
        assert.match(
            wrong.stdout,
            /^wrong\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/m,
        );
    });

    it("exposes the engine, and refuses a deep import the exports map does not list", async () => {
        const script = [
            'const { warm, ColdCacheError, WARM_DEFAULTS } = require("warmstack/engine");',
            'if (typeof warm !== "function" || typeof ColdCacheError !== "function" || !WARM_DEFAULTS) process.exit(3);',
            'try { require("warmstack/dist/lib/infra/attached"); } catch (err) { console.log(err.code); }',
        ].join("\n");
        const deep = await run(process.execPath, ["-e", script], app);
        assert.equal(deep.code, 0, deep.stderr);
        assert.equal(deep.stdout.trim(), "ERR_PACKAGE_PATH_NOT_EXPORTED");
    });
});
