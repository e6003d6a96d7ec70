// WarmCompute: the app tier. An Auto Scaling group whose warm pool holds booted, configured instances ready to
// join in seconds; a launch hook that keeps each instance out until it is really warm; the planned ramp;
// and the load balancer in front. Thin: every number comes from the plan.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TAGS } from "../policies/contract";
import { WarmstackConfig } from "./config";
import { ReadinessPlan } from "./plan";
import { agentConfigFor, DataEndpoints, userDataScript } from "./userdata";

export const LAUNCH_HOOK_NAME = "warmstack-launch";

/**
 * The tags the program publishes on the group for the `warm-readiness` policy pack, which judges the stack from
 * resource properties alone. The pack owns the names (it is published on its own): policies/contract.ts.
 */
function groupTags(plan: ReadinessPlan): Record<string, string> {
    const tags: Record<string, string> = {
        [TAGS.writerPool]: String(plan.database.writerPoolPerInstance),
        [TAGS.readerPoolPerReplica]: String(plan.database.readerPoolPerReplica),
        [TAGS.replicas]: String(plan.database.replicas),
    };
    if (plan.event) {
        tags[TAGS.event] = plan.event.name;
        tags[TAGS.eventStart] = plan.event.start;
        tags[TAGS.rampLeadMinutes] = String(plan.event.rampLeadMinutes);
    }
    return tags;
}

export interface WarmComputeArgs {
    config: WarmstackConfig["compute"];
    plan: ReadinessPlan;
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    albSecurityGroupId: pulumi.Input<string>;
    appSecurityGroupId: pulumi.Input<string>;
    listenerPort: number;
    /** Endpoints and secret ARNs the agent warms on each instance. */
    dataTier: pulumi.Output<DataEndpoints>;
}

export class WarmCompute extends pulumi.ComponentResource {
    readonly group: aws.autoscaling.Group;
    readonly launchTemplate: aws.ec2.LaunchTemplate;
    readonly loadBalancerDns: pulumi.Output<string>;
    readonly groupName: string;

    constructor(name: string, args: WarmComputeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:compute:WarmCompute", name, {}, opts);
        const parent = { parent: this };
        const { config, plan } = args;
        // A fixed name lets the instance role name the group before the group exists, so the first
        // instances can already complete their launch hook.
        this.groupName = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;

        const role = new aws.iam.Role(
            `${name}-instance`,
            {
                assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ec2.amazonaws.com" }),
            },
            parent,
        );
        const identity = aws.getCallerIdentityOutput({}, parent);
        const region = aws.getRegionOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const groupArn = pulumi.interpolate`arn:${partition.partition}:autoscaling:${region.region}:${identity.accountId}:autoScalingGroup:*:autoScalingGroupName/${this.groupName}`;
        // The agent completes this group's launch hook and reads exactly the two secrets its config names.
        new aws.iam.RolePolicy(
            `${name}-agent`,
            {
                role: role.name,
                policy: pulumi.all([groupArn, args.dataTier]).apply(([arn, data]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: [
                                    "autoscaling:CompleteLifecycleAction",
                                    "autoscaling:RecordLifecycleActionHeartbeat",
                                ],
                                Resource: arn,
                            },
                            {
                                Effect: "Allow",
                                Action: "secretsmanager:GetSecretValue",
                                Resource: [data.databaseSecretArn, data.cacheTokenSecretArn],
                            },
                        ],
                    }),
                ),
            },
            parent,
        );
        const profile = new aws.iam.InstanceProfile(`${name}-instance`, { role: role.name }, parent);

        this.launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-template`,
            {
                imageId: config.amiId,
                instanceType: config.instanceType,
                iamInstanceProfile: { arn: profile.arn },
                vpcSecurityGroupIds: [args.appSecurityGroupId],
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                // Stopped and Hibernated pools keep instances on their EBS root; hibernation also needs it encrypted.
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: {
                            volumeSize: config.rootVolumeGb,
                            volumeType: "gp3",
                            encrypted: "true",
                            deleteOnTermination: "true",
                        },
                    },
                ],
                hibernationOptions: { configured: plan.warmPool.state === "Hibernated" },
                userData: args.dataTier.apply((data) =>
                    Buffer.from(
                        userDataScript(
                            agentConfigFor(plan, {
                                ...data,
                                groupName: this.groupName,
                                hookName: LAUNCH_HOOK_NAME,
                                appPort: config.appPort,
                                healthCheckPath: config.healthCheckPath,
                            }),
                        ),
                    ).toString("base64"),
                ),
                updateDefaultVersion: true,
                tagSpecifications: [{ resourceType: "instance", tags: { "warmstack:group": this.groupName } }],
            },
            parent,
        );

        const targetGroup = new aws.lb.TargetGroup(
            `${name}-targets`,
            {
                vpcId: args.vpcId,
                port: config.appPort,
                protocol: "HTTP",
                targetType: "instance",
                deregistrationDelay: 30,
                healthCheck: {
                    path: config.healthCheckPath,
                    matcher: "200",
                    interval: 10,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
            },
            parent,
        );
        const loadBalancer = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                loadBalancerType: "application",
                internal: false,
                subnets: args.publicSubnetIds,
                securityGroups: [args.albSecurityGroupId],
            },
            parent,
        );
        new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: loadBalancer.arn,
                port: args.listenerPort,
                protocol: "HTTP",
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            },
            parent,
        );

        this.group = new aws.autoscaling.Group(
            `${name}-group`,
            {
                name: this.groupName,
                vpcZoneIdentifiers: args.privateSubnetIds,
                minSize: plan.group.minSize,
                maxSize: plan.group.maxSize,
                desiredCapacity: plan.group.desiredCapacity,
                launchTemplate: {
                    id: this.launchTemplate.id,
                    version: this.launchTemplate.latestVersion.apply(String),
                },
                targetGroupArns: [targetGroup.arn],
                healthCheckType: "ELB",
                healthCheckGracePeriod: plan.scaling.warmupSeconds,
                defaultInstanceWarmup: plan.scaling.warmupSeconds,
                warmPool: {
                    poolState: plan.warmPool.state,
                    minSize: plan.warmPool.minSize,
                    maxGroupPreparedCapacity: plan.warmPool.maxGroupPreparedCapacity,
                    instanceReusePolicy: { reuseOnScaleIn: plan.warmPool.reuseOnScaleIn },
                },
                // Created with the group, so not even the first instance can slip into service half-ready.
                initialLifecycleHooks: [
                    {
                        name: LAUNCH_HOOK_NAME,
                        lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
                        defaultResult: "ABANDON",
                        heartbeatTimeout: plan.scaling.launchHookTimeoutSeconds,
                    },
                ],
                tags: Object.entries(groupTags(plan)).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
            },
            {
                parent: this,
                // The schedule and target tracking own the live capacity: a `pulumi up` mid-event must not reset it.
                ignoreChanges: ["desiredCapacity"],
            },
        );

        new aws.autoscaling.Policy(
            `${name}-track-requests`,
            {
                autoscalingGroupName: this.group.name,
                policyType: "TargetTrackingScaling",
                targetTrackingConfiguration: {
                    predefinedMetricSpecification: {
                        predefinedMetricType: "ALBRequestCountPerTarget",
                        resourceLabel: pulumi.interpolate`${loadBalancer.arnSuffix}/${targetGroup.arnSuffix}`,
                    },
                    targetValue: plan.scaling.requestsPerTargetPerMinute,
                },
            },
            parent,
        );
        for (const action of plan.schedule) {
            new aws.autoscaling.Schedule(
                `${name}-${action.name}`,
                {
                    autoscalingGroupName: this.group.name,
                    scheduledActionName: action.name,
                    startTime: action.startTime,
                    minSize: action.minSize,
                    maxSize: action.maxSize,
                    desiredCapacity: action.desiredCapacity,
                },
                parent,
            );
        }

        this.loadBalancerDns = loadBalancer.dnsName;
        this.registerOutputs({ groupName: this.groupName, loadBalancerDns: this.loadBalancerDns });
    }
}
