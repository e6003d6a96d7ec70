// compute.platform ecs under mocks: the cluster, the capacity provider over the app tier's group (managed scaling
// and termination protection on, the group protected from scale-in, its pool not reused), the cluster's
// providers, the ECS lines of the user data, the instance role naming only the cluster and the tasks' ECR
// repositories, the service's tasks ramped on the event's schedule, the warning, and the refusals.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { namespaceValues, parseConfig } from "../../model/config";
import { plan } from "../../model/plan";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { parseAgentConfig } from "../../model/agent-config";
import {
    BUILT_EVENT,
    editedConfig,
    NOW,
    ProgramRun,
    refusedAtPreview,
    runProgram,
    statementsOf,
    T,
    userDataOf,
} from "../support/pulumi";

const ECR_WEB = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:2027.11";
const ECR_SIDECAR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/envoy@sha256:" + "b".repeat(64);
const IMAGES = [ECR_WEB, ECR_SIDECAR, "public.ecr.aws/datadog/agent:7"];
const E = {
    cluster: "aws:ecs/cluster:Cluster",
    capacityProvider: "aws:ecs/capacityProvider:CapacityProvider",
    providers: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
};
// The cluster is the project and the stack: the mocks run project warmstack.
const CLUSTER = "warmstack-blackfriday";

const ecsConfig = (ecs: Record<string, unknown>, compute: Record<string, unknown> = {}) =>
    editedConfig(BUILT_EVENT, { compute: (c) => ({ ...c, platform: "ecs", ecs, ...compute }) });

/** Runs the program, keeping what it warned. */
async function runWarned(config: Record<string, string>): Promise<{ run: ProgramRun; warned: string[] }> {
    const warned: string[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = async (message: string) => void warned.push(message);
    try {
        return { run: await runProgram(config, () => warmstackFromPulumiConfig(NOW), "blackfriday"), warned };
    } finally {
        pulumi.log.warn = warn;
    }
}

describe("program under mocks: compute.platform ecs", () => {
    let run: ProgramRun;
    let warned: string[];
    const config = ecsConfig({ service: "web", images: IMAGES, tasksPerInstance: 2, targetCapacity: 90 });
    const expected = plan(parseConfig(namespaceValues(config)), { now: NOW });
    before(async () => {
        ({ run, warned } = await runWarned(config));
    });

    it("makes the group the capacity provider of the stack's cluster: managed scaling and termination protection on", () => {
        const cluster = run.one(E.cluster);
        assert.equal(cluster.inputs.name, CLUSTER);
        const provider = run.one(E.capacityProvider).inputs;
        const asg = run.one(T.asg);
        assert.deepEqual(provider.autoScalingGroupProvider, {
            autoScalingGroupArn: asg.state.arn,
            managedTerminationProtection: "ENABLED",
            managedScaling: { status: "ENABLED", targetCapacity: 90 },
        });
        assert.match(provider.name, /^warmstack-/, "ECS refuses a name starting with aws, ecs or fargate");
        const providers = run.one(E.providers).inputs;
        assert.equal(providers.clusterName, CLUSTER);
        assert.deepEqual(providers.capacityProviders, [provider.name]);
        assert.deepEqual(providers.defaultCapacityProviderStrategies, [{ capacityProvider: provider.name, weight: 1 }]);
    });

    it("protects the group's instances from scale-in, and its pool does not reuse them", () => {
        const asg = run.one(T.asg).inputs;
        assert.equal(asg.protectFromScaleIn, true);
        assert.deepEqual(asg.warmPool.instanceReusePolicy, { reuseOnScaleIn: false });
        // The tasks serve: the instances join no target group, and managed scaling, not request count, sizes the group.
        assert.equal(asg.targetGroupArns, undefined);
        assert.equal(asg.healthCheckType, "EC2");
        assert.equal(run.ofType(T.scalingPolicy).length, 0);
        assert.equal(run.one(T.tg).inputs.targetType, "ip");
        assert.equal(run.outputs.ecsCluster, CLUSTER);
    });

    it("warns once, naming compute.warmPool.reuseOnScaleIn, that the committed stack's reuse does not apply", () => {
        const about = warned.filter((w) => w.includes("compute.warmPool.reuseOnScaleIn"));
        assert.equal(about.length, 1, warned.join("\n"));
        assert.match(about[0], /ECS capacity providers do not support reuse on scale-in/);
    });

    it("lets the instance role reach this cluster and read the tasks' ECR repositories, and nothing else", () => {
        const statements = statementsOf(run, "app-instance");
        const ecr = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("ecr:")));
        assert.deepEqual(ecr, [
            { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            {
                Effect: "Allow",
                Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                Resource: [
                    "arn:aws:ecr:us-east-1:123456789012:repository/shop/web",
                    "arn:aws:ecr:us-east-1:123456789012:repository/shop/envoy",
                ],
            },
        ]);
        const ecs = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("ecs:")));
        // The mocks' account and region.
        assert.deepEqual(
            ecs.map((s) => s.Resource),
            [
                "*",
                `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`,
                `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/*`,
            ],
        );
        assert.deepEqual(ecs[0], { Effect: "Allow", Action: "ecs:DiscoverPollEndpoint", Resource: "*" });
    });

    it("tells the ECS agent its cluster, and to register only once the instance leaves the pool", () => {
        const { script } = userDataOf(run);
        assert.match(
            script,
            new RegExp(
                `cat >> /etc/ecs/ecs.config <<'WARMSTACK_ECS_CONFIG'\\nECS_CLUSTER=${CLUSTER}\\nECS_WARM_POOLS_CHECK=true\\n`,
            ),
        );
    });

    it("gives the agent no app to warm on the host: the tasks are placed once the instance has joined", () => {
        const agent = parseAgentConfig(userDataOf(run).agentConfig, "user data");
        assert.deepEqual(agent.app.warmUp, []);
    });

    it("has the agent pull the tasks' images before it completes the hook, each under the pull timeout", () => {
        const agent = parseAgentConfig(userDataOf(run).agentConfig, "user data");
        assert.deepEqual(agent.containers.images, IMAGES);
        assert.equal(agent.timeouts.pullMs, expected.ecs!.pullTimeoutSeconds * 1000);
        assert.ok(agent.timeouts.pullMs <= agent.timeouts.overallMs);
    });

    it("ramps the service's tasks with the instances, on the group's instants, and back after", () => {
        const target = run.one(T.scalableTarget).inputs;
        assert.deepEqual(
            [target.serviceNamespace, target.scalableDimension, target.resourceId],
            ["ecs", "ecs:service:DesiredCount", `service/${CLUSTER}/web`],
        );
        const { tasks } = expected.ecs!;
        assert.equal(tasks.peak, 2 * expected.instances.peak);
        assert.deepEqual([target.minCapacity, target.maxCapacity], [tasks.baseline, tasks.peak]);
        const actions = run.ofType(T.scalingSchedule).map((a) => a.inputs);
        assert.deepEqual(
            actions.map((a) => [a.resourceId, a.name, a.schedule, a.scalableTargetAction]),
            [
                [
                    `service/${CLUSTER}/web`,
                    "blackfriday-ramp-up",
                    "at(2027-11-26T04:15:00)",
                    { minCapacity: tasks.peak, maxCapacity: tasks.peak },
                ],
                [
                    `service/${CLUSTER}/web`,
                    "blackfriday-ramp-down",
                    "at(2027-11-30T06:00:00)",
                    { minCapacity: tasks.baseline, maxCapacity: tasks.peak },
                ],
            ],
        );
        // The group's own ramp fires at the same instants.
        assert.deepEqual(
            run.ofType(T.schedule).map((s) => s.inputs.startTime),
            ["2027-11-26T04:15:00Z", "2027-11-30T06:00:00Z"],
        );
    });
});

describe("program under mocks: ec2, the default, has no ECS", () => {
    it("registers no cluster, protects nothing from scale-in and puts no ECS line in the user data", async () => {
        const { run } = await runWarned(editedConfig(BUILT_EVENT, {}));
        assert.equal(run.ofType(E.cluster).length + run.ofType(E.capacityProvider).length, 0);
        assert.equal(run.one(T.asg).inputs.protectFromScaleIn, false);
        assert.doesNotMatch(userDataOf(run).script, /ECS_CLUSTER/);
    });
});

describe("program under mocks: compute.platform ecs refused at preview", () => {
    it("compute.ecs on ec2, naming compute.ecs", async () => {
        const message = await refusedAtPreview(
            editedConfig(BUILT_EVENT, { compute: (c) => ({ ...c, ecs: { images: [] } }) }),
        );
        assert.match(message, /\(1 problem\)/);
        assert.match(message, /warmstack:compute\.ecs: only with compute\.platform ecs/);
    });

    it("a pull timeout the agent's deadline cannot hold, naming compute.ecs.pullTimeoutSeconds", async () => {
        // blackfriday boots in 240 s: the hook holds 480, the agent has 480 − 240 − 60 = 180.
        const message = await refusedAtPreview(ecsConfig({ pullTimeoutSeconds: 181 }));
        assert.match(message, /\(1 problem\)/);
        assert.match(message, /warmstack:compute\.ecs\.pullTimeoutSeconds: at most 180/);
    });

    it("an image that is no image reference, naming compute.ecs.images[i]", async () => {
        const message = await refusedAtPreview(ecsConfig({ images: [ECR_WEB, "shop web"] }));
        assert.match(message, /\(1 problem\)/);
        assert.match(message, /warmstack:compute\.ecs\.images\[1\]: a container image reference/);
    });

    it("an unknown platform, naming compute.platform", async () => {
        const message = await refusedAtPreview(ecsConfig({}, { platform: "eks" }));
        assert.match(message, /warmstack:compute\.platform: one of ec2 \| ecs; given "eks"/);
    });
});
