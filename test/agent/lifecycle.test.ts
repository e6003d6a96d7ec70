// Edges of the agent's IMDS and Auto Scaling calls and of the --watch loop that the main tests pass over: odd
// IMDS answers, AWS errors, the connection left behind, and what the watch logs and when it runs again.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentConfigError, AgentConfigFile, parseAgentConfig } from "../../model/agent-config";
import { LifecycleError } from "../../warmers/agent/errors";
import {
    LifecycleHook,
    completeLifecycleAction,
    imdsIdentity,
    targetLifecycleState,
} from "../../warmers/agent/lifecycle";
import { watchLifecycle, watchLifecycleFromFile } from "../../warmers/agent/watch";
import { TimeoutError, sleep } from "../../warmers/timeout";
import { CREDENTIALS, fakeAutoScaling, fakeImds, silentHttp, FakeImds, serve } from "./endpoints";

const INSTANCE = { instanceId: "i-0123456789abcdef0", region: "us-east-1" };

const TOKEN_PATH = "/latest/api/token";

const STATE_READ = "GET /latest/meta-data/autoscaling/target-lifecycle-state";

/** A loopback HTTP server answering each request with `answer(method, path)`, keeping idle connections 30 s. */
function loopback(answer: (method: string, path: string) => { status: number; body: string; type?: string }) {
    return serve(
        (req, _body, res) => {
            const { status, body, type } = answer(req.method ?? "", req.url ?? "");
            res.writeHead(status, { "content-type": type ?? "text/plain" }).end(body);
        },
        { keepAliveMs: 30_000 }, // so only the client can end a kept-alive connection within a test
    );
}

/** An IMDS that hands out a token, then answers metadata GETs from `metadata` (path → status and body). */
function imdsAnswering(metadata: Record<string, { status: number; body: string }>) {
    return loopback((method, path) => {
        if (method === "PUT" && path === TOKEN_PATH) return { status: 200, body: "imds-token" };
        return metadata[path] ?? { status: 404, body: "" };
    });
}

async function until(what: string, condition: () => boolean, timeoutMs = 5000, log = () => ""): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\n${log()}`);
        await sleep(10);
    }
}

describe("agent lifecycle", () => {
    it("reads the instance id and region through an IMDSv2 session token", async () => {
        const imds = await fakeImds({ instanceId: "i-0abc123def4567890", region: "eu-west-3" });
        try {
            assert.deepEqual(await imdsIdentity({ baseUrl: imds.url, timeoutMs: 1000 }), {
                instanceId: "i-0abc123def4567890",
                region: "eu-west-3",
            });
            assert.equal(imds.requests[0], "PUT /latest/api/token");
            assert.deepEqual(imds.requests.slice(1).sort(), [
                "GET /latest/meta-data/instance-id",
                "GET /latest/meta-data/placement/region",
            ]);
        } finally {
            await imds.close();
        }
    });

    it("reads the target lifecycle state through an IMDSv2 session token", async () => {
        const imds = await fakeImds({ instanceId: "i-0abc123def4567890", region: "eu-west-3" });
        try {
            imds.targetLifecycleState = "Warmed:Hibernated";
            assert.equal(await targetLifecycleState({ baseUrl: imds.url, timeoutMs: 1000 }), "Warmed:Hibernated");
            assert.deepEqual(imds.requests, [
                "PUT /latest/api/token",
                "GET /latest/meta-data/autoscaling/target-lifecycle-state",
            ]);
            imds.failNext = 1;
            await assert.rejects(
                targetLifecycleState({ baseUrl: imds.url, timeoutMs: 1000 }),
                (err: Error) => err instanceof LifecycleError && err.message === "IMDS /latest/api/token answered 500",
            );
        } finally {
            await imds.close();
        }
    });

    it("times out on an IMDS that does not answer", async () => {
        const silent = await silentHttp();
        try {
            await assert.rejects(
                imdsIdentity({ baseUrl: silent.url, timeoutMs: 200 }),
                (err: Error) =>
                    err instanceof TimeoutError &&
                    err.message === `PUT ${silent.url}/latest/api/token timed out after 200 ms`,
            );
        } finally {
            await silent.close();
        }
    });

    describe("CompleteLifecycleAction", () => {
        const hook = (endpoint: string): LifecycleHook => ({
            instanceId: "i-0abc123def4567890",
            region: "us-east-1",
            autoScalingGroupName: "warmstack-test-app",
            lifecycleHookName: "warmstack-launch",
            endpoint,
            credentials: CREDENTIALS,
        });

        for (const result of ["CONTINUE", "ABANDON"] as const) {
            it(`sends ${result} for this instance, group and hook in the Query API's form`, async () => {
                const api = await fakeAutoScaling();
                try {
                    await completeLifecycleAction(hook(api.url), result, { timeoutMs: 2000 });
                    assert.equal(api.actions.length, 1);
                    assert.deepEqual(Object.fromEntries(api.actions[0]), {
                        Action: "CompleteLifecycleAction",
                        Version: "2011-01-01",
                        AutoScalingGroupName: "warmstack-test-app",
                        LifecycleHookName: "warmstack-launch",
                        InstanceId: "i-0abc123def4567890",
                        LifecycleActionResult: result,
                    });
                } finally {
                    await api.close();
                }
            });
        }

        it("fails with a timeout, not a hang, when Auto Scaling does not answer", async () => {
            const silent = await silentHttp();
            const started = Date.now();
            try {
                await assert.rejects(
                    completeLifecycleAction(hook(silent.url), "CONTINUE", { timeoutMs: 300 }),
                    (err: Error) => {
                        assert.ok(err instanceof LifecycleError);
                        assert.equal(
                            err.message,
                            "CompleteLifecycleAction CONTINUE failed: the call timed out after 300 ms",
                        );
                        return true;
                    },
                );
                assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
            } finally {
                await silent.close();
            }
        });
    });
});

describe("agent lifecycle edges", () => {
    describe("IMDS", () => {
        it("takes an IMDS base URL with a trailing slash", async () => {
            const imds = await fakeImds(INSTANCE);
            try {
                assert.deepEqual(await imdsIdentity({ baseUrl: `${imds.url}/`, timeoutMs: 1000 }), INSTANCE);
                assert.equal(imds.requests[0], `PUT ${TOKEN_PATH}`);
            } finally {
                await imds.close();
            }
        });

        it("trims the whitespace around IMDS answers", async () => {
            const imds = await imdsAnswering({
                "/latest/meta-data/instance-id": { status: 200, body: `${INSTANCE.instanceId}\n` },
                "/latest/meta-data/placement/region": { status: 200, body: ` ${INSTANCE.region}\r\n` },
            });
            try {
                assert.deepEqual(await imdsIdentity({ baseUrl: imds.url, timeoutMs: 1000 }), INSTANCE);
            } finally {
                await imds.close();
            }
        });

        it("refuses an IMDS answer other than 200 even with a body, naming the path and status", async () => {
            const imds = await imdsAnswering({
                "/latest/meta-data/instance-id": { status: 401, body: "<html>401 - Unauthorized</html>" },
                "/latest/meta-data/placement/region": { status: 200, body: INSTANCE.region },
            });
            try {
                await assert.rejects(
                    imdsIdentity({ baseUrl: imds.url, timeoutMs: 1000 }),
                    (err: Error) =>
                        err instanceof LifecycleError &&
                        err.message === "IMDS /latest/meta-data/instance-id answered 401",
                );
            } finally {
                await imds.close();
            }
        });

        it("refuses an empty 200 answer from IMDS", async () => {
            const imds = await imdsAnswering({
                "/latest/meta-data/instance-id": { status: 200, body: INSTANCE.instanceId },
                "/latest/meta-data/placement/region": { status: 200, body: "" },
            });
            try {
                await assert.rejects(
                    imdsIdentity({ baseUrl: imds.url, timeoutMs: 1000 }),
                    (err: Error) =>
                        err instanceof LifecycleError &&
                        err.message === "IMDS /latest/meta-data/placement/region answered 200",
                );
            } finally {
                await imds.close();
            }
        });
    });

    describe("CompleteLifecycleAction", () => {
        const hook = (endpoint: string): LifecycleHook => ({
            ...INSTANCE,
            autoScalingGroupName: "warmstack-test-app",
            lifecycleHookName: "warmstack-launch",
            endpoint,
            credentials: CREDENTIALS,
        });
        const ok =
            '<CompleteLifecycleActionResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><CompleteLifecycleActionResult/>' +
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></CompleteLifecycleActionResponse>";
        const noAction =
            "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>" +
            `<Message>No active Lifecycle Action found with instance ID ${INSTANCE.instanceId}</Message></Error>` +
            "<RequestId>req-2</RequestId></ErrorResponse>";

        it("keeps the AWS error as the cause", async () => {
            const api = await loopback(() => ({ status: 400, body: noAction, type: "text/xml" }));
            try {
                await assert.rejects(
                    completeLifecycleAction(hook(api.url), "ABANDON", { timeoutMs: 2000 }),
                    (err: Error) => {
                        assert.ok(err instanceof LifecycleError);
                        assert.equal(
                            err.message,
                            `CompleteLifecycleAction ABANDON failed: No active Lifecycle Action found with instance ID ${INSTANCE.instanceId}`,
                        );
                        const cause = err.cause as Error & { $metadata?: { httpStatusCode?: number } };
                        assert.ok(cause instanceof Error, "the AWS error is the cause");
                        assert.equal(cause.name, "ValidationError");
                        assert.equal(cause.$metadata?.httpStatusCode, 400);
                        return true;
                    },
                );
            } finally {
                await api.close();
            }
        });

        for (const [outcome, status, body] of [
            ["succeeded", 200, ok],
            ["failed", 400, noAction],
        ] as const) {
            it(`closes its connection to Auto Scaling once the call has ${outcome}`, async () => {
                const api = await loopback(() => ({ status, body, type: "text/xml" }));
                try {
                    const call = completeLifecycleAction(hook(api.url), "CONTINUE", { timeoutMs: 2000 });
                    if (status === 200) await call;
                    else await assert.rejects(call, LifecycleError);
                    // The server keeps an idle connection for 30 s: only the agent's client can close it this soon.
                    await until("the connection to close", () => api.open.size === 0, 5000);
                } finally {
                    await api.close();
                }
            });
        }
    });

    describe("watch", () => {
        let imds: FakeImds;
        let lines: string[];

        beforeEach(async () => {
            imds = await fakeImds(INSTANCE);
            lines = [];
        });
        afterEach(() => imds.close());

        const config = (autoScaling: string, pollMs = 40): AgentConfigFile => ({
            autoScalingGroupName: "warmstack-test-app",
            lifecycleHookName: "warmstack-launch",
            timeouts: { imdsMs: 500, lifecycleMs: 2000 },
            watch: { pollMs },
            endpoints: { imds: imds.url, autoScaling },
        });
        const log = () => lines.join("\n");
        const stateReads = () => imds.requests.filter((r) => r === STATE_READ).length;
        async function polls(n: number): Promise<void> {
            const target = stateReads() + n;
            await until(`${n} more polls`, () => stateReads() >= target, 5000, log);
        }

        function watch(file: AgentConfigFile) {
            const controller = new AbortController();
            const done = watchLifecycle(parseAgentConfig(file, "test"), {
                log: (line) => lines.push(line),
                credentials: CREDENTIALS,
                signal: controller.signal,
            });
            return {
                stop: () => {
                    controller.abort();
                    return done;
                },
            };
        }

        it("says first how often it polls", async () => {
            const autoScaling = await fakeAutoScaling();
            const w = watch(config(autoScaling.url, 40));
            try {
                await polls(1);
            } finally {
                await w.stop();
                await autoScaling.close();
            }
            assert.equal(lines[0], "watch: polling the target lifecycle state every 40 ms");
        });

        it("does not run a state again after a failed read in between", async () => {
            const autoScaling = await fakeAutoScaling();
            imds.targetLifecycleState = "Warmed:Stopped";
            const w = watch(config(autoScaling.url));
            try {
                await until("the CONTINUE", () => autoScaling.actions.length === 1, 5000, log);
                await polls(2);
                imds.failNext = 1;
                await until("the failed read", () => lines.some((l) => l.includes("cannot read")), 5000, log);
                await polls(3);
            } finally {
                await w.stop();
                await autoScaling.close();
            }
            assert.equal(autoScaling.actions.length, 1, log());
            assert.deepEqual(
                lines.filter((l) => l.startsWith("watch: target lifecycle state")),
                ["watch: target lifecycle state (start) → Warmed:Stopped"],
            );
        });

        it("reports how long a run took", async () => {
            const RUN_MS = 200;
            const autoScaling = await fakeAutoScaling(() => sleep(RUN_MS));
            const started = performance.now();
            const w = watch(config(autoScaling.url));
            try {
                await until("the CONTINUE", () => lines.some((l) => l.includes("CONTINUE sent in")), 5000, log);
            } finally {
                await w.stop();
                await autoScaling.close();
            }
            const elapsed = performance.now() - started;
            const took = Number(/^watch: InService: warm, CONTINUE sent in (\d+) ms$/m.exec(log())?.[1]);
            assert.ok(took >= RUN_MS - 10 && took <= Math.ceil(elapsed), `took ${took} ms of ${elapsed} ms`);
        });

        it("runs from a config file", async () => {
            const autoScaling = await fakeAutoScaling();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-watch-file-"));
            const file = path.join(dir, "agent.json");
            fs.writeFileSync(file, JSON.stringify(config(autoScaling.url)));
            const controller = new AbortController();
            try {
                const done = watchLifecycleFromFile(file, {
                    log: (line) => lines.push(line),
                    credentials: CREDENTIALS,
                    signal: controller.signal,
                });
                try {
                    await until("the CONTINUE", () => autoScaling.actions.length === 1, 5000, log);
                } finally {
                    controller.abort();
                    await done;
                }
                assert.deepEqual(
                    autoScaling.actions.map((a) => [a.get("InstanceId"), a.get("LifecycleActionResult")]),
                    [[INSTANCE.instanceId, "CONTINUE"]],
                );
                assert.equal(lines.at(-1), "watch: stopped");
            } finally {
                await autoScaling.close();
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("rejects a bad config file before calling anything", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-watch-file-"));
            const file = path.join(dir, "agent.json");
            fs.writeFileSync(file, JSON.stringify({ ...config("http://127.0.0.1:1"), lifecycleHookName: "" }));
            const controller = new AbortController();
            try {
                await assert.rejects(
                    watchLifecycleFromFile(file, { log: (line) => lines.push(line), signal: controller.signal }),
                    (err: Error) => err instanceof AgentConfigError && err.source === file,
                );
                await assert.rejects(
                    watchLifecycleFromFile(path.join(dir, "missing.json"), { signal: controller.signal }),
                    AgentConfigError,
                );
            } finally {
                controller.abort();
                fs.rmSync(dir, { recursive: true, force: true });
            }
            assert.deepEqual(imds.requests, []);
            assert.deepEqual(lines, []);
        });
    });
});
