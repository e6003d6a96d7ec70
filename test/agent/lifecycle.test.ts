import assert from "node:assert/strict";
import { TimeoutError } from "../../warmers/timeout";
import { LifecycleError } from "../../warmers/agent/errors";
import {
    LifecycleHook,
    completeLifecycleAction,
    imdsIdentity,
    targetLifecycleState,
} from "../../warmers/agent/lifecycle";
import { CREDENTIALS, fakeAutoScaling, fakeImds, silentHttp } from "./endpoints";

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
