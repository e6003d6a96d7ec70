// The ECS service's task ramp (compute.platform ecs) replayed against moto's Application Auto Scaling and ECS (on
// loopback, started and stopped here): the API accepts the scalable target on ecs:service:DesiredCount for
// service/CLUSTER/SERVICE and both scheduled actions as the program sends them, once the service exists in the
// stack's cluster — and refuses the target before, as AWS does (docs/containers-and-functions.md says so).
import { strict as assert } from "node:assert";
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import {
    CreateClusterCommand,
    CreateServiceCommand,
    ECSClient,
    RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { answeredRamp, replayRamp, sentRamp } from "../support/app-autoscaling";
import { startMoto, type Moto } from "../support/moto";
import { BUILT_EVENT, editedConfig, NOW, runProgram, type ProgramRun } from "../support/pulumi";

const CLUSTER = "warmstack-blackfriday";

describe("compute.platform ecs: the service's ramp, against moto", function () {
    this.timeout(60_000);
    let moto: Moto;
    let run: ProgramRun;
    let autoScaling: ApplicationAutoScalingClient;
    let ecs: ECSClient;
    before(async () => {
        run = await runProgram(
            editedConfig(BUILT_EVENT, {
                compute: (c) => ({ ...c, platform: "ecs", ecs: { service: "web", tasksPerInstance: 2 } }),
            }),
            () => warmstackFromPulumiConfig(NOW),
            "blackfriday",
        );
        moto = await startMoto();
        const options = { ...moto.client, requestHandler: { requestTimeout: 10_000 } };
        autoScaling = new ApplicationAutoScalingClient(options);
        ecs = new ECSClient(options);
    });
    after(async () => {
        autoScaling?.destroy();
        ecs?.destroy();
        await moto?.stop();
    });

    it("is refused while the service does not exist in the stack's cluster", async () => {
        // The stack creates the cluster; the service is the user's.
        await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
        await assert.rejects(
            replayRamp(autoScaling, run),
            /ECS service doesn't exist: service\/warmstack-blackfriday\/web/,
        );
    });

    it("registers the target and puts both actions as the program sends them, once the service exists", async () => {
        await ecs.send(
            new RegisterTaskDefinitionCommand({
                family: "web",
                containerDefinitions: [{ name: "web", image: "redis:7", memory: 128 }],
            }),
        );
        await ecs.send(
            new CreateServiceCommand({ cluster: CLUSTER, serviceName: "web", taskDefinition: "web", desiredCount: 1 }),
        );
        const sent = sentRamp(run);
        assert.deepEqual(
            sent.actions.map((a) => [a[0], a[1]]),
            [
                [`service/${CLUSTER}/web`, "blackfriday-ramp-down"],
                [`service/${CLUSTER}/web`, "blackfriday-ramp-up"],
            ],
        );
        await replayRamp(autoScaling, run);
        assert.deepEqual(await answeredRamp(autoScaling, "ecs"), sent);
    });
});
