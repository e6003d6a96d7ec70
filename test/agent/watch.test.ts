import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentConfigFile, parseAgentConfig } from "../../model/agent-config";
import { runAgent } from "../../warmers/agent/agent";
import { TARGET_LIFECYCLE_STATES, watchLifecycle } from "../../warmers/agent/watch";
import { sleep } from "../../warmers/timeout";
import { closedPort } from "../support/servers";
import { CREDENTIALS, FakeImds, fakeAutoScaling, fakeImds } from "./endpoints";

const INSTANCE = { instanceId: "i-0123456789abcdef0", region: "us-east-1" };
const GROUP = "warmstack-test-app";
const HOOK = "warmstack-launch";
const POLL_MS = 50;
const STATE_READ = "GET /latest/meta-data/autoscaling/target-lifecycle-state";
const BIN = path.join(__dirname, "..", "..", "bin", "warmstack");

describe("agent watch", () => {
    let imds: FakeImds;
    let autoScaling: Awaited<ReturnType<typeof fakeAutoScaling>>;
    let lines: string[];

    beforeEach(async () => {
        imds = await fakeImds(INSTANCE);
        autoScaling = await fakeAutoScaling();
        lines = [];
    });
    afterEach(() => Promise.all([imds.close(), autoScaling.close()]));

    /** A config whose run needs only the fakes: identity from IMDS, then straight to CompleteLifecycleAction. */
    function config(changes: Partial<AgentConfigFile> = {}): AgentConfigFile {
        return {
            autoScalingGroupName: GROUP,
            lifecycleHookName: HOOK,
            timeouts: { imdsMs: 500, lifecycleMs: 2000 },
            watch: { pollMs: POLL_MS },
            endpoints: { imds: imds.url, autoScaling: autoScaling.url },
            ...changes,
        };
    }

    /** Starts a watch; stop() aborts it and resolves when it has ended. */
    function watch(file: AgentConfigFile = config()) {
        const controller = new AbortController();
        const done = watchLifecycle(parseAgentConfig(file, "test"), {
            log: (line) => lines.push(line),
            credentials: CREDENTIALS,
            signal: controller.signal,
        });
        const stop = () => {
            controller.abort();
            return done;
        };
        return { controller, done, stop };
    }

    async function until(
        what: string,
        condition: () => boolean,
        timeoutMs = 5000,
        log = () => lines.join("\n"),
    ): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!condition()) {
            if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; log:\n${log()}`);
            await sleep(10);
        }
    }

    const stateReads = () => imds.requests.filter((r) => r === STATE_READ).length;
    /** Waits for `n` more reads of the state than now. */
    async function polls(n: number): Promise<void> {
        const target = stateReads() + n;
        await until(`${n} more polls`, () => stateReads() >= target);
    }
    const results = () => autoScaling.actions.map((a) => [a.get("InstanceId"), a.get("LifecycleActionResult")]);

    it("runs once into the warm pool and once out of it, not on the polls in between", async () => {
        imds.targetLifecycleState = "Warmed:Stopped";
        const w = watch();
        try {
            await until("the first CONTINUE", () => autoScaling.actions.length === 1);
            await polls(5);
            assert.equal(autoScaling.actions.length, 1, "an unchanged state is not run again");

            imds.targetLifecycleState = "InService";
            await until("the second CONTINUE", () => autoScaling.actions.length === 2);
            await polls(5);
        } finally {
            await w.stop();
        }
        assert.deepEqual(results(), [
            [INSTANCE.instanceId, "CONTINUE"],
            [INSTANCE.instanceId, "CONTINUE"],
        ]);
        assert.equal(lines.filter((l) => l.startsWith("continue: ok in")).length, 2, "exactly two runs");
        const watchLines = lines.filter((l) => l.startsWith("watch: ") && !l.startsWith("watch: polling"));
        assert.deepEqual(
            watchLines.map((l) => l.replace(/\d+ ms/, "N ms")),
            [
                "watch: target lifecycle state (start) → Warmed:Stopped",
                "watch: Warmed:Stopped: warm, CONTINUE sent in N ms",
                "watch: target lifecycle state Warmed:Stopped → InService",
                "watch: InService: warm, CONTINUE sent in N ms",
                "watch: stopped",
            ],
        );
    });

    it("warms and completes the hook for every state a launch hook holds, and for no other", async () => {
        // The test's own list, not the code's: a state dropped from the code must fail here.
        const hooked = ["Warmed:Stopped", "Warmed:Hibernated", "Warmed:Running", "InService"];
        const none = ["Warmed:Terminated", "Terminated", "Detached", "Standby"];
        assert.deepEqual(
            Object.keys(TARGET_LIFECYCLE_STATES).sort(),
            [...hooked, ...none].sort(),
            "every state is tested",
        );
        const w = watch();
        try {
            for (const state of [...hooked, ...none, "Pending:Wait"]) {
                const before = autoScaling.actions.length;
                imds.targetLifecycleState = state;
                if (hooked.includes(state)) {
                    await until(`the CONTINUE for ${state}`, () => autoScaling.actions.length === before + 1);
                } else {
                    await polls(3);
                    assert.equal(autoScaling.actions.length, before, `nothing sent for ${state}`);
                }
            }
        } finally {
            await w.stop();
        }
        const outcomes = lines.flatMap((l) => /^watch: (\S+): warm, CONTINUE sent/.exec(l)?.[1] ?? []);
        assert.deepEqual(outcomes, hooked);
        for (const state of none)
            assert.ok(lines.includes(`watch: ${state} holds no launch hook: nothing to do`), state);
        assert.ok(lines.includes("watch: Pending:Wait is not a target lifecycle state the agent knows: nothing to do"));
    });

    it("logs states without a launch hook and runs nothing for them", async () => {
        imds.targetLifecycleState = "Warmed:Terminated";
        const w = watch();
        try {
            await polls(3);
            imds.targetLifecycleState = "Terminated";
            await polls(3);
        } finally {
            await w.stop();
        }
        assert.equal(autoScaling.actions.length, 0);
        assert.ok(!lines.some((l) => l.startsWith("identity:")), "no run started");
        assert.ok(lines.includes("watch: Warmed:Terminated holds no launch hook: nothing to do"), lines.join("\n"));
        assert.ok(lines.includes("watch: target lifecycle state Warmed:Terminated → Terminated"), lines.join("\n"));
    });

    it("retries a failed IMDS read at the next poll", async () => {
        imds.targetLifecycleState = "Warmed:Running";
        imds.failNext = 1;
        const w = watch();
        try {
            await until("the CONTINUE", () => autoScaling.actions.length === 1);
        } finally {
            await w.stop();
        }
        assert.deepEqual(results(), [[INSTANCE.instanceId, "CONTINUE"]]);
        assert.ok(
            lines.includes(
                "watch: cannot read the target lifecycle state, retrying at the next poll: IMDS /latest/api/token answered 500",
            ),
            lines.join("\n"),
        );
    });

    it("retries IMDS within the deadline: an identity answering 404 for a second still gets its CONTINUE", async () => {
        imds.missing = { "/meta-data/instance-id": Date.now() + 1_000 };
        await runAgent(
            parseAgentConfig(config({ timeouts: { imdsMs: 500, lifecycleMs: 2000, overallMs: 10_000 } }), "test"),
            {
                log: (line) => lines.push(line),
                credentials: CREDENTIALS,
            },
        );
        assert.deepEqual(results(), [[INSTANCE.instanceId, "CONTINUE"]]);
        assert.ok(imds.requests.filter((r) => r.endsWith("/instance-id")).length > 1, "retried");
    });

    it("runs a state again when its run could not complete the hook at all, and ABANDONs or CONTINUEs once it can", async () => {
        // Longer than the deadline: the first run cannot even learn the instance id.
        imds.missing = { "/meta-data/instance-id": Date.now() + 2_500 };
        imds.targetLifecycleState = "Warmed:Stopped";
        const w = watch(config({ timeouts: { imdsMs: 300, lifecycleMs: 2000, overallMs: 1_500 } }));
        try {
            await until("the CONTINUE", () => autoScaling.actions.length === 1, 10_000);
        } finally {
            await w.stop();
        }
        assert.deepEqual(results(), [[INSTANCE.instanceId, "CONTINUE"]]);
        assert.ok(
            lines.some((l) =>
                /^watch: Warmed:Stopped: run failed after \d+ ms: not completed, .*; running again at the next poll$/.test(
                    l,
                ),
            ),
            lines.join("\n"),
        );
    });

    it("goes on after a failed run, which has ABANDONed", async () => {
        const port = await closedPort();
        imds.targetLifecycleState = "Warmed:Stopped";
        const app = { warmUp: [{ url: `http://127.0.0.1:${port}/`, count: 1 }] };
        const w = watch(config({ app, timeouts: { imdsMs: 500, lifecycleMs: 2000, appMs: 100 } }));
        try {
            await until("the ABANDON", () => autoScaling.actions.length === 1);
            imds.targetLifecycleState = "InService";
            await until("the second ABANDON", () => autoScaling.actions.length === 2);
            await polls(2);
        } finally {
            await w.stop();
        }
        assert.deepEqual(results(), [
            [INSTANCE.instanceId, "ABANDON"],
            [INSTANCE.instanceId, "ABANDON"],
        ]);
        // A run that ABANDONed has completed its hook: its line ends with the reason, and promises no run again.
        const failed = lines.flatMap(
            (l) =>
                /^watch: (\S+): run failed after \d+ ms: ABANDONed: app: step timed out after 100 ms$/.exec(l)?.[1] ??
                [],
        );
        assert.deepEqual(failed, ["Warmed:Stopped", "InService"], lines.join("\n"));
    });

    it("stops at once when aborted between polls, with no poll after", async () => {
        const w = watch(config({ watch: { pollMs: 60_000 } }));
        await until("the CONTINUE", () => autoScaling.actions.length === 1);
        const started = Date.now();
        await w.stop();
        assert.ok(Date.now() - started < 200, `took ${Date.now() - started} ms`);
        const reads = stateReads();
        await sleep(3 * POLL_MS);
        assert.equal(stateReads(), reads);
        assert.equal(lines.at(-1), "watch: stopped");
    });

    it("lets a run in progress complete its hook when aborted, then stops", async () => {
        let w: ReturnType<typeof watch> | undefined;
        const aborting = await fakeAutoScaling(() => w?.controller.abort());
        try {
            w = watch(config({ endpoints: { imds: imds.url, autoScaling: aborting.url } }));
            await w.done;
            assert.deepEqual(
                aborting.actions.map((a) => a.get("LifecycleActionResult")),
                ["CONTINUE"],
            );
            assert.deepEqual(
                lines.slice(-2).map((l) => l.replace(/\d+ ms/, "N ms")),
                ["watch: InService: warm, CONTINUE sent in N ms", "watch: stopped"],
            );
            assert.equal(stateReads(), 1);
        } finally {
            await aborting.close();
        }
    });

    it("runs from the CLI with --watch, and exits 0 on SIGTERM", async function () {
        this.timeout(120_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-watch-"));
        const file = path.join(dir, "agent.json");
        fs.writeFileSync(file, JSON.stringify(config()));
        // The CLI takes no credentials: the SDK's default chain reads these first.
        const env = {
            ...process.env,
            AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        };
        const child = spawn(process.execPath, [BIN, "agent", "--config", file, "--watch"], {
            env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        // "close", not "exit": the output is complete only once the pipes are.
        const closed = once(child, "close");
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        try {
            await until(
                "the CONTINUE",
                () => autoScaling.actions.length === 1,
                90_000, // the CLI starts a Node process: slow on a loaded machine, never a hang
                () => output,
            );
            await polls(2);
            child.kill("SIGTERM");
            assert.deepEqual(await closed, [0, null], output);
        } finally {
            child.kill("SIGKILL");
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.deepEqual(results(), [[INSTANCE.instanceId, "CONTINUE"]]);
        assert.match(
            output,
            /^warmstack agent: watch: InService: warm, CONTINUE sent in \d+ ms\nwarmstack agent: watch: stopped\n/m,
        );
    });
});
