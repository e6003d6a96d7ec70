// The scalable targets and scheduled actions the program sends for warmstack:functions, replayed against moto's
// Application Auto Scaling (on loopback, started and stopped here): the API accepts their shape — the resource
// id, the dimension, the at() schedule in UTC, the capacities — and answers them back as sent.
import { strict as assert } from "node:assert";
import {
    ApplicationAutoScalingClient,
    DescribeScalableTargetsCommand,
    DescribeScheduledActionsCommand,
    PutScheduledActionCommand,
    RegisterScalableTargetCommand,
    type ScalableDimension,
    type ServiceNamespace,
} from "@aws-sdk/client-application-auto-scaling";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { startMoto, type Moto } from "../support/moto";
import { editedConfig, NOW, runProgram, T, type ProgramRun } from "../support/pulumi";

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
            editedConfig("blackfriday", { functions: () => FUNCTIONS }),
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
        const targets = run.ofType(T.scalableTarget).map((t) => t.inputs);
        const actions = run.ofType(T.scalingSchedule).map((a) => a.inputs);
        assert.equal(targets.length, 2);
        assert.equal(actions.length, 4);
        for (const t of targets) {
            await client.send(
                new RegisterScalableTargetCommand({
                    ServiceNamespace: t.serviceNamespace as ServiceNamespace,
                    ScalableDimension: t.scalableDimension as ScalableDimension,
                    ResourceId: t.resourceId,
                    MinCapacity: t.minCapacity,
                    MaxCapacity: t.maxCapacity,
                }),
            );
        }
        for (const a of actions) {
            await client.send(
                new PutScheduledActionCommand({
                    ServiceNamespace: a.serviceNamespace as ServiceNamespace,
                    ScalableDimension: a.scalableDimension as ScalableDimension,
                    ResourceId: a.resourceId,
                    ScheduledActionName: a.name,
                    Schedule: a.schedule,
                    Timezone: a.timezone,
                    ScalableTargetAction: {
                        MinCapacity: a.scalableTargetAction.minCapacity,
                        MaxCapacity: a.scalableTargetAction.maxCapacity,
                    },
                }),
            );
        }

        const registered = await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "lambda" }));
        assert.deepEqual(
            registered.ScalableTargets?.map((t) => [t.ResourceId, t.ScalableDimension, t.MinCapacity, t.MaxCapacity]),
            targets.map((t) => [t.resourceId, t.scalableDimension, t.minCapacity, t.maxCapacity]),
        );
        const answered = await client.send(new DescribeScheduledActionsCommand({ ServiceNamespace: "lambda" }));
        assert.deepEqual(
            answered.ScheduledActions?.map((a) => [
                a.ResourceId,
                a.ScheduledActionName,
                a.Schedule,
                a.Timezone,
                a.ScalableTargetAction?.MinCapacity,
                a.ScalableTargetAction?.MaxCapacity,
            ]).sort(),
            actions
                .map((a) => [
                    a.resourceId,
                    a.name,
                    a.schedule,
                    a.timezone,
                    a.scalableTargetAction.minCapacity,
                    a.scalableTargetAction.maxCapacity,
                ])
                .sort(),
        );
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
