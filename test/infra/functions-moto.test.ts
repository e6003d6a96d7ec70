// The scalable targets and scheduled actions the program sends for warmstack:functions, replayed against moto's
// Application Auto Scaling (on loopback, started and stopped here): the API accepts their shape — the resource
// id, the dimension, the at() schedule in UTC, the capacities — and answers them back as sent.
import { strict as assert } from "node:assert";
import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { answeredRamp, replayRamp, sentRamp } from "../support/app-autoscaling";
import { startMoto, type Moto } from "../support/moto";
import { BUILT_EVENT, editedConfig, NOW, runProgram, type ProgramRun } from "../support/pulumi";

const FUNCTIONS = [
    { name: "checkout", alias: "live", peakRps: 900, durationMs: 180 },
    { name: "search", alias: "7", peakRps: 2500, durationMs: 40, baseline: 10 },
];

describe("warmstack:functions' Application Auto Scaling shape, against moto", function () {
    this.timeout(60_000);
    let moto: Moto;
    let run: ProgramRun;
    let client: ApplicationAutoScalingClient;
    before(async () => {
        run = await runProgram(
            editedConfig(BUILT_EVENT, { functions: () => FUNCTIONS }),
            () => warmstackFromPulumiConfig(NOW),
            "blackfriday",
        );
        moto = await startMoto();
        client = new ApplicationAutoScalingClient({ ...moto.client, requestHandler: { requestTimeout: 10_000 } });
    });
    after(async () => {
        client?.destroy();
        await moto?.stop();
    });

    it("registers every target and puts every action as the program sends them", async () => {
        const sent = sentRamp(run);
        assert.equal(sent.targets.length, 2);
        assert.equal(sent.actions.length, 4);
        await replayRamp(client, run);
        assert.deepEqual(await answeredRamp(client, "lambda"), sent);
    });

    it("refuses a target whose resource id is not function:NAME:ALIAS (so the test above can fail)", async () => {
        await assert.rejects(
            client.send(
                new RegisterScalableTargetCommand({
                    ServiceNamespace: "lambda",
                    ScalableDimension: "lambda:function:ProvisionedConcurrency",
                    ResourceId: "checkout:live",
                    MinCapacity: 0,
                    MaxCapacity: 0,
                }),
            ),
            /Unsupported service namespace, resource type or scalable dimension/,
        );
    });
});
