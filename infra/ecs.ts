// WarmEcs (compute.platform ecs): the app tier's group as an ECS cluster's capacity provider — managed scaling on,
// managed termination protection on (the group protects its instances from scale-in for it) — and the service's
// tasks ramped with the instances through Application Auto Scaling. Thin: the target capacity, the task counts and
// the instants come from the plan (model/plan/ecs.ts); the ramp is the one functions use (infra/ramped-target.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { repositoryArn } from "../model/container-images";
import { DESIRED_COUNT_DIMENSION, ECS_NAMESPACE, type EcsPlan } from "../model/plan/ecs";
import { rampedTarget } from "./ramped-target";

/** ECS refuses capacity provider names that start with aws, ecs or fargate: ours start with this. */
const CAPACITY_PROVIDER_PREFIX = "warmstack-";

/** The tag ECS puts on a capacity provider's group (and its instances). */
export const ECS_MANAGED_TAG = "AmazonECSManaged";

/** The cluster's fixed name, so the launch template's user data can name it before the cluster exists. */
export function ecsClusterName(): string {
    return `${pulumi.getProject()}-${pulumi.getStack()}`;
}

export interface WarmEcsArgs {
    /** {@link ecsClusterName}: the name the instances' ECS agent registers with. */
    clusterName: string;
    /** The app tier's group: protectFromScaleIn on, its warm pool without reuse. */
    groupArn: pulumi.Input<string>;
    plan: EcsPlan;
}

export class WarmEcs extends pulumi.ComponentResource {
    readonly cluster: aws.ecs.Cluster;
    readonly capacityProvider: aws.ecs.CapacityProvider;
    /** compute.ecs.service's scalable target; absent without a service named. */
    readonly serviceTarget?: aws.appautoscaling.Target;

    constructor(name: string, args: WarmEcsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:compute:WarmEcs", name, {}, opts);
        const parent = { parent: this };
        const { plan } = args;
        this.cluster = new aws.ecs.Cluster(`${name}-cluster`, { name: args.clusterName }, parent);
        this.capacityProvider = new aws.ecs.CapacityProvider(
            `${name}-capacity`,
            {
                name: `${CAPACITY_PROVIDER_PREFIX}${args.clusterName}`,
                autoScalingGroupProvider: {
                    autoScalingGroupArn: args.groupArn,
                    // Instances running tasks are not scaled in; AWS needs the group's protectFromScaleIn for it.
                    managedTerminationProtection: "ENABLED",
                    managedScaling: { status: "ENABLED", targetCapacity: plan.targetCapacity },
                },
            },
            parent,
        );
        const providers = new aws.ecs.ClusterCapacityProviders(
            `${name}-providers`,
            {
                clusterName: this.cluster.name,
                capacityProviders: [this.capacityProvider.name],
                defaultCapacityProviderStrategies: [{ capacityProvider: this.capacityProvider.name, weight: 1 }],
            },
            parent,
        );
        if (plan.service) {
            const { target } = rampedTarget(
                `${name}-${plan.service.name}`,
                {
                    serviceNamespace: ECS_NAMESPACE,
                    scalableDimension: DESIRED_COUNT_DIMENSION,
                    resourceId: pulumi.interpolate`service/${this.cluster.name}/${plan.service.name}`,
                    capacity: plan.service.capacity,
                    schedule: plan.service.schedule,
                },
                { parent: this, dependsOn: [providers] },
            );
            this.serviceTarget = target;
        }
        this.registerOutputs({ cluster: this.cluster.name, capacityProvider: this.capacityProvider.name });
    }
}

/**
 * What the instance role needs on ECS, naming the single resources: the ECS agent registers with and reports to
 * this cluster only; the warmstack agent and the ECS agent read the tasks' ECR repositories only.
 * ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken take no resource, so AWS requires "*" for them.
 */
export function ecsInstanceStatements(
    at: { partition: string; region: string; accountId: string },
    clusterName: string,
    plan: EcsPlan,
): Record<string, unknown>[] {
    const ecsArn = `arn:${at.partition}:ecs:${at.region}:${at.accountId}`;
    const repositories = [...new Set(plan.ecr.map(repositoryArn))];
    return [
        { Effect: "Allow", Action: "ecs:DiscoverPollEndpoint", Resource: "*" },
        {
            Effect: "Allow",
            Action: [
                "ecs:RegisterContainerInstance",
                "ecs:DeregisterContainerInstance",
                "ecs:SubmitContainerStateChange",
                "ecs:SubmitTaskStateChange",
                "ecs:SubmitAttachmentStateChanges",
            ],
            Resource: `${ecsArn}:cluster/${clusterName}`,
        },
        {
            Effect: "Allow",
            Action: ["ecs:Poll", "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState"],
            Resource: `${ecsArn}:container-instance/${clusterName}/*`,
        },
        ...(repositories.length > 0
            ? [
                  { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                  {
                      Effect: "Allow",
                      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                      Resource: repositories,
                  },
              ]
            : []),
    ];
}
