// The instance side of the agent's delivery, run for real: the start script the user data installs, by bash,
// with its paths in a temp folder and loopback stand-ins for IMDS, S3 (checking SigV4 as S3 does) and Auto
// Scaling. A good file is installed and runs; a tampered file, a failed download, a missing or old Node, or an
// image without the agent each stop with the reason, install nothing and ABANDON the hook.
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { agentBundle } from "../../infra/bundles";
import { AgentConfigFile, parseAgentConfig } from "../../model/agent-config";
import {
    AGENT_FILE,
    AGENT_START_PATH,
    AgentArtifact,
    CANNOT_RUN_EXIT,
    RDS_CA_PATH,
    agentConfigFor,
    StartScriptTarget,
    agentStartScript,
    ecsConfigScript,
    userDataScript,
} from "../../infra/userdata";
import { parseConfig } from "../../model/config";
import { plan } from "../../model/plan";
import { NOW, validRaw } from "../model/fixtures";
import { LoopbackHttp, fakeAutoScaling, fakeImds, fakeS3, silentHttp } from "../agent/endpoints";

const validConfig = () => parseConfig(validRaw());
const INSTANCE = { instanceId: "i-0123456789abcdef0", region: "eu-west-1" };
const HOOK = { groupName: "warmstack-app", hookName: "warmstack-launch", retrySeconds: 20 };
const BUCKET = "warmstack-agent-artefacts";
const KEY = "agent/warmstack-agent.js";
/** What the script needs besides Node, linked into a folder of their own so a test can leave Node out. */
const TOOLS = ["bash", "curl", "sha256sum", "sleep", "cut", "mktemp", "install", "mv", "chmod", "sed", "head", "rm"];

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function which(tool: string): string {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const file = path.join(dir, tool);
        if (fs.existsSync(file)) return file;
    }
    throw new Error(`${tool} not found on PATH`);
}

describe("agent delivery: the start script, run by bash against loopback IMDS, S3 and Auto Scaling", function () {
    this.timeout(60_000);
    let tmp: string;
    let tools: string;
    let nodeBin: string;
    let imds: Awaited<ReturnType<typeof fakeImds>>;
    let s3: LoopbackHttp & { gets: string[] };
    let autoScaling: Awaited<ReturnType<typeof fakeAutoScaling>>;
    let bundle: { code: string; sha256: string };
    let dir: string;
    let running: ChildProcess | undefined;

    const artifact = (sha256 = bundle.sha256): AgentArtifact => ({
        source: "stack",
        bucket: BUCKET,
        key: KEY,
        sha256,
        region: INSTANCE.region,
    });

    /** Writes the start script for `agent` with every path in this test's folder; returns its path. */
    function startScript(
        agent: AgentArtifact,
        overrides: Partial<StartScriptTarget> = {},
        hook: typeof HOOK = HOOK,
    ): string {
        const config: AgentConfigFile = {
            autoScalingGroupName: HOOK.groupName,
            lifecycleHookName: HOOK.hookName,
            endpoints: { imds: imds.url, autoScaling: autoScaling.url },
            watch: { pollMs: 200 },
        };
        fs.writeFileSync(path.join(tmp, "agent.json"), JSON.stringify(config));
        const script = path.join(tmp, "start");
        fs.writeFileSync(
            script,
            agentStartScript(agent, hook, {
                dir,
                config: path.join(tmp, "agent.json"),
                imds: imds.url,
                objectUrl: `${s3.url}/${BUCKET}/${KEY}`,
                autoScalingUrl: autoScaling.url,
                ...overrides,
            }),
        );
        return script;
    }

    function start(script: string, pathDirs: string[]): ChildProcess {
        // The AWS SDK in the agent takes the instance role's credentials from IMDS, as on EC2.
        const env = { PATH: pathDirs.join(path.delimiter), AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url };
        running = spawn(path.join(tools, "bash"), [script], { env, stdio: ["ignore", "pipe", "pipe"] });
        return running;
    }

    function finish(child: ChildProcess): Promise<Run> {
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (c) => (stdout += c));
        child.stderr?.on("data", (c) => (stderr += c));
        return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
    }

    async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
        const deadline = Date.now() + ms;
        while (!condition()) {
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }

    /** A folder holding only `node` as `name`, printing `version` when it is a fake. */
    function nodeDir(name: string, version?: string): string {
        const bin = fs.mkdtempSync(path.join(tmp, "node-"));
        if (version)
            fs.writeFileSync(path.join(bin, name), `#!${path.join(tools, "bash")}\necho ${version}\n`, { mode: 0o755 });
        else fs.symlinkSync(process.execPath, path.join(bin, name));
        return bin;
    }

    function assertNothingInstalled(): void {
        assert.deepEqual(fs.existsSync(dir) ? fs.readdirSync(dir) : [], [], "no agent and no partial download left");
    }

    function assertAbandoned(): void {
        assert.deepEqual(
            autoScaling.actions.map((a) => [
                a.get("LifecycleActionResult"),
                a.get("InstanceId"),
                a.get("AutoScalingGroupName"),
                a.get("LifecycleHookName"),
            ]),
            [["ABANDON", INSTANCE.instanceId, HOOK.groupName, HOOK.hookName]],
        );
    }

    before(async () => {
        bundle = agentBundle();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-userdata-"));
        tools = fs.mkdtempSync(path.join(tmp, "tools-"));
        for (const tool of TOOLS) fs.symlinkSync(which(tool), path.join(tools, tool));
        // Amazon Linux 2023's nodejs20 package installs node-20: the script looks for the versioned names too.
        nodeBin = nodeDir("node-20");
        imds = await fakeImds(INSTANCE);
    });

    beforeEach(async () => {
        dir = path.join(fs.mkdtempSync(path.join(tmp, "opt-")), "warmstack");
        s3 = await fakeS3(INSTANCE.region, { [`/${BUCKET}/${KEY}`]: bundle.code });
        autoScaling = await fakeAutoScaling();
    });

    afterEach(async () => {
        running?.kill("SIGKILL");
        running = undefined;
        await Promise.all([s3.close(), autoScaling.close()]);
    });

    after(async () => {
        await imds.close();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("downloads the agent with the instance role, checks its digest, installs it and runs it to CONTINUE", async () => {
        const child = start(startScript(artifact()), [tools, nodeBin]);
        const done = finish(child);
        await until(() => autoScaling.actions.length > 0, "the agent's CompleteLifecycleAction");
        assert.equal(autoScaling.actions[0].get("LifecycleActionResult"), "CONTINUE");
        const installed = fs.readFileSync(path.join(dir, "warmstack-agent.js"));
        assert.equal(createHash("sha256").update(installed).digest("hex"), bundle.sha256);
        assert.deepEqual(fs.readdirSync(dir), ["warmstack-agent.js"]);
        child.kill("SIGTERM"); // the watch stops on SIGTERM, as systemd stops it
        const run = await done;
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, new RegExp(`agent ${bundle.sha256} installed`));
        assert.match(run.stdout, /watch: InService: warm, CONTINUE sent/);
    });

    it("keeps an installed agent whose digest matches, without downloading it again", async () => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "warmstack-agent.js"), bundle.code);
        const child = start(startScript(artifact()), [tools, nodeBin]);
        const done = finish(child);
        await until(() => autoScaling.actions.length > 0, "CONTINUE");
        child.kill("SIGTERM");
        await done;
        assert.deepEqual(s3.gets, []);
    });

    it("refuses a tampered file: says so, installs nothing and ABANDONs", async () => {
        await s3.close();
        s3 = await fakeS3(INSTANCE.region, { [`/${BUCKET}/${KEY}`]: `${bundle.code}\nrequire("child_process");` });
        const run = await finish(start(startScript(artifact()), [tools, nodeBin]));
        assert.equal(run.code, CANNOT_RUN_EXIT);
        assert.match(run.stderr, /has SHA-256 [0-9a-f]{64}, the stack expects [0-9a-f]{64}: not installed/);
        assert.match(run.stderr, new RegExp(bundle.sha256));
        assertNothingInstalled();
        assertAbandoned();
    });

    it("reports a failed download (the object is not there) and ABANDONs", async () => {
        const script = startScript(artifact(), { objectUrl: `${s3.url}/${BUCKET}/agent/missing.js` });
        const run = await finish(start(script, [tools, nodeBin]));
        assert.equal(run.code, CANNOT_RUN_EXIT);
        assert.match(run.stderr, /could not download the agent from .*missing\.js with the instance role/);
        assertNothingInstalled();
        assertAbandoned();
    });

    it("refuses to run without Node, or with a Node older than 20, and ABANDONs", async () => {
        for (const pathDirs of [[tools], [tools, nodeDir("node", "v18.20.4")]]) {
            autoScaling.actions.length = 0;
            const run = await finish(start(startScript(artifact()), pathDirs));
            assert.equal(run.code, CANNOT_RUN_EXIT);
            assert.match(run.stderr, /no Node 20 or later on PATH/);
            if (pathDirs.length > 1) assert.match(run.stderr, /is Node v18\.20\.4, the agent needs 20 or later/);
            assertNothingInstalled();
            assertAbandoned();
        }
    });

    it("with the agent baked into the image: runs it; without it: says so and ABANDONs", async () => {
        const missing = await finish(start(startScript({ source: "ami" }), [tools, nodeBin]));
        assert.equal(missing.code, CANNOT_RUN_EXIT);
        assert.match(missing.stderr, /no agent at .*warmstack-agent\.js: bake it into the AMI/);
        assertAbandoned();

        autoScaling.actions.length = 0;
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "warmstack-agent.js"), bundle.code);
        const child = start(startScript({ source: "ami" }), [tools, nodeBin]);
        const done = finish(child);
        await until(() => autoScaling.actions.length > 0, "CONTINUE");
        assert.equal(autoScaling.actions[0].get("LifecycleActionResult"), "CONTINUE");
        child.kill("SIGTERM");
        await done;
        assert.deepEqual(s3.gets, []);
    });

    it("never waits on a silent IMDS: each curl has its own timeout, and without ABANDON sent it exits for a restart", async () => {
        const silent = await silentHttp();
        try {
            const script = startScript(artifact(), { imds: silent.url }, { ...HOOK, retrySeconds: 3 });
            const started = Date.now();
            const run = await finish(start(script, [tools, nodeBin]));
            // Not CANNOT_RUN_EXIT, which systemd never restarts: the instance would wait out the hook.
            assert.equal(run.code, 1);
            assert.match(run.stderr, /no instance role credentials from IMDS/);
            assert.match(run.stderr, /could not send ABANDON within 3 s; exiting for systemd to retry/);
            assert.ok(Date.now() - started < 45_000);
        } finally {
            await silent.close();
        }
        // Started again once IMDS answers, the same failure ABANDONs at last.
        const run = await finish(start(startScript(artifact(), { objectUrl: `${s3.url}/missing` }), [tools, nodeBin]));
        assert.equal(run.code, CANNOT_RUN_EXIT);
        assertAbandoned();
    });

    it("rides out credentials that answer 404 for seconds: retries, installs and runs the agent to CONTINUE", async () => {
        imds.missing = { "/iam/security-credentials/": Date.now() + 3_000 };
        try {
            const child = start(startScript(artifact()), [tools, nodeBin]);
            const done = finish(child);
            await Promise.race([
                until(() => autoScaling.actions.length > 0, "CONTINUE", 40_000),
                done.then((r) => assert.fail(`the script ended: ${r.code} ${r.stderr}`)),
            ]);
            assert.equal(autoScaling.actions[0].get("LifecycleActionResult"), "CONTINUE");
            child.kill("SIGTERM");
            const run = await done;
            assert.equal(run.code, 0, run.stderr);
            assert.ok(imds.requests.filter((r) => r.includes("/iam/security-credentials/")).length > 2, "retried");
        } finally {
            imds.missing = {};
        }
    });

    it("rides out an IMDS slower than the first try's 5 s: the next try waits longer", async () => {
        imds.slowMs = 6_000;
        imds.slowUntil = Date.now() + 1_000;
        try {
            const child = start(startScript(artifact()), [tools, nodeBin]);
            const done = finish(child);
            await until(() => autoScaling.actions.length > 0, "CONTINUE", 40_000);
            assert.equal(autoScaling.actions[0].get("LifecycleActionResult"), "CONTINUE");
            child.kill("SIGTERM");
            assert.equal((await done).code, 0);
        } finally {
            imds.slowUntil = 0;
        }
    });
});

describe("the agent config in user data", () => {
    const endpoints = {
        groupName: HOOK.groupName,
        hookName: HOOK.hookName,
        databaseWriter: "writer.db.example",
        databaseReaders: ["reader-1.db.example", "reader-2.db.example"],
        databasePort: 5432,
        databaseName: "app",
        databaseUser: "warmstack_agent",
        databaseSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:agent",
        cacheHost: "master.cache.example",
        cachePort: 6379,
        cacheTokenSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token",
        appPort: 8080,
        healthCheckPath: "/health",
    };

    it("turns TLS on for Redis and PostgreSQL (the database checked against the RDS CA), secrets only by ARN", () => {
        const config = parseAgentConfig(agentConfigFor(plan(validConfig(), { now: NOW }), endpoints), "test");
        // ElastiCache has transit encryption on: a config without redis.tls fails every instance's Redis step.
        assert.deepEqual(config.redis?.tls, { rejectUnauthorized: true });
        assert.deepEqual(config.postgres?.tls, { caFile: RDS_CA_PATH, rejectUnauthorized: true });
        assert.deepEqual(config.redis?.authToken, { secretArn: endpoints.cacheTokenSecretArn });
        assert.deepEqual(config.postgres?.writer.password, { secretArn: endpoints.databaseSecretArn });
        assert.equal(config.postgres?.writer.user, "warmstack_agent");
        assert.equal(config.redis?.cluster, false, "a replication group without cluster mode is one server");
    });

    it("tells the agent to speak Redis Cluster to a cluster-mode group's configuration endpoint", () => {
        const cluster = { ...endpoints, cacheHost: "clustercfg.cache.example", cacheClusterMode: true };
        const config = parseAgentConfig(agentConfigFor(plan(validConfig(), { now: NOW }), cluster), "test");
        assert.deepEqual(config.redis, {
            host: "clustercfg.cache.example",
            port: 6379,
            tls: { rejectUnauthorized: true },
            authToken: { secretArn: endpoints.cacheTokenSecretArn },
            cluster: true,
        });
    });
});

describe("user data", () => {
    const config: AgentConfigFile = {
        autoScalingGroupName: HOOK.groupName,
        lifecycleHookName: HOOK.hookName,
        redis: { host: "cache.example", port: 6379, tls: {} },
    };
    const stack: AgentArtifact = {
        source: "stack",
        bucket: BUCKET,
        key: KEY,
        sha256: "ab".repeat(32),
        region: "eu-west-1",
    };

    it("installs the start script and a unit that runs it, and never restarts an instance that cannot run the agent", () => {
        const script = userDataScript(config, stack);
        assert.ok(
            // The script retries for the agent's deadline: the config's timeouts.overallMs, 240 s by default.
            script.includes(
                `cat > ${AGENT_START_PATH} <<'WARMSTACK_AGENT_START'\n${agentStartScript(stack, { ...HOOK, retrySeconds: 240 })}`,
            ),
        );
        assert.match(script, new RegExp(`ExecStart=${AGENT_START_PATH}\\n`));
        assert.match(script, new RegExp(`RestartPreventExitStatus=${CANNOT_RUN_EXIT}\\n`));
        assert.match(agentStartScript(stack, HOOK), new RegExp(`SHA256='${"ab".repeat(32)}'`));
        assert.match(
            agentStartScript(stack, HOOK),
            new RegExp(`OBJECT_URL='https://${BUCKET}\\.s3\\.eu-west-1\\.amazonaws\\.com/${KEY}'`),
        );
        assert.match(agentStartScript({ source: "ami" }, HOOK), new RegExp(`AGENT='${AGENT_FILE}'`));
    });

    it("the start script is a shell file shellcheck finds nothing in, and so is each script it becomes", async () => {
        const shellcheck = (args: string[], input?: string) =>
            new Promise<{ code: number | null; out: string }>((resolve, reject) => {
                const child = spawn("shellcheck", args, { stdio: ["pipe", "pipe", "pipe"] });
                let out = "";
                child.stdout.on("data", (c) => (out += c));
                child.stderr.on("data", (c) => (out += c));
                child.on("error", () => reject(new Error("shellcheck is not installed: npm run setup installs it")));
                child.on("close", (code) => resolve({ code, out }));
                child.stdin.end(input ?? "");
            });
        const file = await shellcheck([path.join(__dirname, "..", "..", "infra", "agent-start.sh")]);
        assert.equal(file.code, 0, file.out);
        for (const agent of [stack, { source: "ami" } as const]) {
            const generated = await shellcheck(["-"], agentStartScript(agent, HOOK));
            assert.equal(generated.code, 0, generated.out);
        }
    });

    it("is valid bash, and the config it writes is one the agent accepts", async () => {
        for (const agent of [stack, { source: "ami" } as const]) {
            const script = userDataScript(config, agent);
            const check = spawn("bash", ["-n"], { stdio: ["pipe", "ignore", "pipe"] });
            let stderr = "";
            check.stderr.on("data", (c) => (stderr += c));
            check.stdin.end(script);
            assert.equal(await new Promise((resolve) => check.on("close", resolve)), 0, stderr);
            const json = /<<'WARMSTACK_AGENT_CONFIG'\n([\s\S]*?)\nWARMSTACK_AGENT_CONFIG/.exec(script)![1];
            assert.deepEqual(parseAgentConfig(json, "user data"), parseAgentConfig(config, "config"));
        }
    });

    describe("on ECS", () => {
        const shellOut = (script: string, args: string[] = []) =>
            new Promise<{ code: number | null; out: string }>((resolve, reject) => {
                const child = spawn(args.length ? "shellcheck" : "bash", args, { stdio: ["pipe", "pipe", "pipe"] });
                let out = "";
                child.stdout.on("data", (c) => (out += c));
                child.stderr.on("data", (c) => (out += c));
                child.on("error", reject);
                child.on("close", (code) => resolve({ code, out }));
                child.stdin.end(script);
            });

        it("appends the cluster and the warm pools check to the ECS agent's file, keeping what the AMI put there", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-ecs-"));
            try {
                const file = path.join(dir, "ecs", "ecs.config");
                fs.mkdirSync(path.dirname(file));
                fs.writeFileSync(file, "ECS_ENABLE_CONTAINER_METADATA=true\n");
                const run = await shellOut(`set -euo pipefail\n${ecsConfigScript("shop-blackfriday", file)}`);
                assert.equal(run.code, 0, run.out);
                assert.equal(
                    fs.readFileSync(file, "utf8"),
                    "ECS_ENABLE_CONTAINER_METADATA=true\nECS_CLUSTER=shop-blackfriday\nECS_WARM_POOLS_CHECK=true\n",
                );
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("is a block shellcheck finds nothing in, written before the agent's, and only with a cluster", async () => {
            const check = await shellOut(`#!/bin/bash\n${ecsConfigScript("shop-blackfriday")}`, ["-"]);
            assert.equal(check.code, 0, check.out);
            const script = userDataScript(config, stack, "shop-blackfriday");
            assert.ok(script.includes(ecsConfigScript("shop-blackfriday")));
            assert.ok(script.indexOf("ECS_CLUSTER=") < script.indexOf("WARMSTACK_AGENT_CONFIG"));
            const syntax = await shellOut(script.replace(/^#!.*\n/, "set -n\n"));
            assert.equal(syntax.code, 0, syntax.out);
            assert.doesNotMatch(userDataScript(config, stack), /ECS_/);
        });

        it("refuses a cluster name that is not one (and so could be more than a word of shell)", () => {
            assert.throws(() => ecsConfigScript("shop; rm -rf /"), /not an ECS cluster name/);
        });
    });
});
