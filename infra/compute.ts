// WarmCompute: the app tier. An Auto Scaling group whose warm pool holds booted, configured instances ready to
// join in seconds; a launch hook that keeps each instance out until it is really warm; the planned ramp;
// and the load balancer in front. Thin: every size, count and time comes from the plan; the config gives only
// what names the machine (AMI, instance type, root volume, app port and health path), and the few fixed
// settings below say why they are fixed.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TAGS } from "../policies/shared/contract";
import { ECS_MANAGED_TAG, ecsInstanceStatements } from "./ecs";
import { serviceRole } from "./roles";
import { WarmstackConfig } from "../model/config";
import { ReadinessPlan } from "../model/plan";
import { HTTP_PORT, HTTPS_PORT } from "./network";
import { AgentArtifact, agentConfigFor, DataEndpoints, userDataScript } from "./userdata";

export const LAUNCH_HOOK_NAME = "warmstack-launch";
/** During an instance refresh, at most this share of the desired capacity runs at once: a tenth more at a time. */
export const REFRESH_MAX_HEALTHY_PERCENT = 110;

/** The group metrics the event dashboard charts (and `warmstack check` counts a warm pool by). */
export const GROUP_METRICS: aws.autoscaling.Metric[] = [
    "GroupInServiceInstances",
    "GroupDesiredCapacity",
    "WarmPoolWarmedCapacity",
];
/** TLS 1.3 and 1.2 with forward-secret ciphers only: AWS's current recommended ALB policy. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * The tags the program publishes on the group for the `warm-readiness` policy pack, which judges the stack from
 * resource properties alone. The pack owns the names (it is published on its own): policies/shared/contract.ts.
 */
function groupTags(plan: ReadinessPlan): Record<string, string> {
    return {
        [TAGS.writerPool]: String(plan.database.writerPoolPerInstance),
        [TAGS.readerPoolPerReplica]: String(plan.database.readerPoolPerReplica),
        [TAGS.replicas]: String(plan.database.replicas),
        ...eventTags(plan),
    };
}

/** The event's own tags: a built group's, and an attached stack's EventWarmPool's (infra/event-capacity.ts). */
export function eventTags(plan: ReadinessPlan): Record<string, string> {
    if (!plan.event) return {};
    return {
        [TAGS.event]: plan.event.name,
        [TAGS.eventStart]: plan.event.start,
        [TAGS.eventEnd]: plan.event.end,
        [TAGS.rampLeadMinutes]: String(plan.event.rampLeadMinutes),
    };
}

export interface WarmComputeArgs {
    config: WarmstackConfig["compute"];
    plan: ReadinessPlan;
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    albSecurityGroupId: pulumi.Input<string>;
    appSecurityGroupId: pulumi.Input<string>;
    /** An ACM certificate: the load balancer serves HTTPS on 443 and redirects HTTP there. Without it, HTTP only. */
    certificateArn?: string;
    /** Endpoints and secret ARNs the agent warms on each instance. */
    dataTier: pulumi.Output<DataEndpoints>;
    /** Where instances get the agent; for `stack`, the one object the instance role may read. */
    agent: pulumi.Output<AgentArtifact>;
    agentObjectArn?: pulumi.Input<string>;
    /** compute.platform ecs: the cluster the instances' ECS agent registers with (infra/ecs.ts). */
    ecsCluster?: string;
}

type Parent = { parent: pulumi.Resource };

/**
 * The instance role: the agent completes this group's launch hook and reads exactly the secrets its config
 * names. The group's ARN is built from its fixed name, so the first instances can already complete their hook.
 */
function instanceProfile(name: string, groupName: string, args: WarmComputeArgs, parent: Parent) {
    const identity = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    const groupArn = pulumi.interpolate`arn:${partition.partition}:autoscaling:${region.region}:${identity.accountId}:autoScalingGroup:*:autoScalingGroupName/${groupName}`;
    const { role } = serviceRole(
        `${name}-instance`,
        {
            service: "ec2.amazonaws.com",
            policyName: `${name}-agent`,
            statements: pulumi
                .all([
                    groupArn,
                    args.dataTier,
                    args.agentObjectArn,
                    partition.partition,
                    region.region,
                    identity.accountId,
                ])
                .apply(([arn, d, objectArn, partitionName, regionName, accountId]) => [
                    {
                        Effect: "Allow",
                        Action: ["autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"],
                        Resource: arn,
                    },
                    {
                        Effect: "Allow",
                        Action: "secretsmanager:GetSecretValue",
                        Resource: [d.databaseSecretArn, d.cacheTokenSecretArn],
                    },
                    // The agent file the stack stored, and nothing else in S3.
                    ...(objectArn ? [{ Effect: "Allow", Action: "s3:GetObject", Resource: objectArn }] : []),
                    ...(args.ecsCluster && args.plan.ecs
                        ? ecsInstanceStatements(
                              { partition: partitionName, region: regionName, accountId },
                              args.ecsCluster,
                              args.plan.ecs,
                          )
                        : []),
                ]),
        },
        parent.parent,
    );
    return new aws.iam.InstanceProfile(`${name}-instance`, { role: role.name }, parent);
}

/** What every instance boots from: IMDSv2 only, an encrypted EBS root, and user data that starts the agent. */
function launchTemplate(
    name: string,
    args: WarmComputeArgs,
    groupName: string,
    profile: aws.iam.InstanceProfile,
    parent: Parent,
) {
    const { config, plan } = args;
    return new aws.ec2.LaunchTemplate(
        `${name}-template`,
        {
            imageId: config.amiId,
            instanceType: config.instanceType,
            iamInstanceProfile: { arn: profile.arn },
            vpcSecurityGroupIds: [args.appSecurityGroupId],
            // Fixed: IMDSv2 only, one hop, so a container on the instance cannot borrow the instance role.
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            // Stopped and Hibernated pools keep instances on their EBS root; hibernation also needs it encrypted.
            blockDeviceMappings: [
                {
                    deviceName: "/dev/xvda",
                    ebs: {
                        // The image's size at least, and a Hibernated pool's RAM besides (model/root-volume.ts).
                        volumeSize: plan.rootVolume.gb,
                        volumeType: "gp3",
                        encrypted: "true",
                        deleteOnTermination: "true",
                    },
                },
            ],
            hibernationOptions: { configured: plan.warmPool.state === "Hibernated" },
            userData: pulumi.all([args.dataTier, args.agent]).apply(([data, agent]) =>
                Buffer.from(
                    userDataScript(
                        agentConfigFor(plan, {
                            ...data,
                            groupName,
                            hookName: LAUNCH_HOOK_NAME,
                            appPort: config.appPort,
                            healthCheckPath: config.healthCheckPath,
                        }),
                        agent,
                        args.ecsCluster,
                    ),
                ).toString("base64"),
            ),
            updateDefaultVersion: true,
            tagSpecifications: [{ resourceType: "instance", tags: { "warmstack:group": groupName } }],
        },
        parent,
    );
}

/**
 * The internet-facing load balancer and the target group the Auto Scaling group registers into. The health
 * check is fixed at 10 s × 2 healthy / 3 unhealthy: an instance reaches the ALB only after its hook completed,
 * so it needs no slow start, and a dead one leaves within 30 s; deregistration drains for 30 s for the same reason.
 */
function loadBalancer(name: string, args: WarmComputeArgs, parent: Parent) {
    const { config } = args;
    const targetGroup = new aws.lb.TargetGroup(
        `${name}-targets`,
        {
            vpcId: args.vpcId,
            port: config.appPort,
            protocol: "HTTP",
            // On ECS the service registers its tasks (awsvpc: each its own address), not the group its instances.
            targetType: args.ecsCluster ? "ip" : "instance",
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
    const alb = new aws.lb.LoadBalancer(
        `${name}-alb`,
        {
            loadBalancerType: "application",
            internal: false,
            subnets: args.publicSubnetIds,
            securityGroups: [args.albSecurityGroupId],
        },
        parent,
    );
    const forward = { type: "forward", targetGroupArn: targetGroup.arn };
    if (args.certificateArn) {
        new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: alb.arn,
                port: HTTPS_PORT,
                protocol: "HTTPS",
                sslPolicy: TLS_POLICY,
                certificateArn: args.certificateArn,
                defaultActions: [forward],
            },
            parent,
        );
    }
    new aws.lb.Listener(
        `${name}-http`,
        {
            loadBalancerArn: alb.arn,
            port: HTTP_PORT,
            protocol: "HTTP",
            defaultActions: [
                args.certificateArn
                    ? {
                          type: "redirect",
                          redirect: { protocol: "HTTPS", port: String(HTTPS_PORT), statusCode: "HTTP_301" },
                      }
                    : forward,
            ],
        },
        parent,
    );
    return { alb, targetGroup };
}

export class WarmCompute extends pulumi.ComponentResource {
    readonly group: aws.autoscaling.Group;
    readonly launchTemplate: aws.ec2.LaunchTemplate;
    readonly loadBalancerDns: pulumi.Output<string>;
    /** The load balancer's and target group's metric dimensions (`app/…`, `targetgroup/…`). */
    readonly loadBalancerArnSuffix: pulumi.Output<string>;
    readonly targetGroupArnSuffix: pulumi.Output<string>;
    readonly targetGroupArn: pulumi.Output<string>;
    /** The app's address: https:// with a certificate, http:// without. */
    readonly url: pulumi.Output<string>;
    readonly groupName: string;

    constructor(name: string, args: WarmComputeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:compute:WarmCompute", name, {}, opts);
        const parent = { parent: this };
        const { plan } = args;
        const ecs = args.ecsCluster !== undefined;
        // A fixed name lets the instance role name the group before the group exists.
        this.groupName = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;

        const profile = instanceProfile(name, this.groupName, args, parent);
        this.launchTemplate = launchTemplate(name, args, this.groupName, profile, parent);
        const { alb, targetGroup } = loadBalancer(name, args, parent);

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
                // On ECS the tasks serve, not the instance: the instance's health is EC2's, the tasks' the ALB's.
                ...(ecs ? { healthCheckType: "EC2" } : { targetGroupArns: [targetGroup.arn], healthCheckType: "ELB" }),
                // Managed termination protection needs it: ECS lifts it from instances without tasks to scale in.
                protectFromScaleIn: ecs,
                healthCheckGracePeriod: plan.scaling.warmupSeconds,
                defaultInstanceWarmup: plan.scaling.warmupSeconds,
                metricsGranularity: "1Minute",
                enabledMetrics: GROUP_METRICS,
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
                tags: [
                    ...Object.entries(groupTags(plan)).map(([key, value]) => ({
                        key,
                        value,
                        propagateAtLaunch: false,
                    })),
                    // The capacity provider tags its group so; declared here, a `pulumi up` does not take it off.
                    ...(ecs ? [{ key: ECS_MANAGED_TAG, value: "", propagateAtLaunch: true }] : []),
                ],
                // User data runs once, at the first boot: a pooled instance keeps the agent config it was launched
                // with. A config change (pool sizes, an endpoint, the agent) is a new launch template version, and the
                // refresh it starts replaces every instance on an older one, the warm pool's too (docs/agent.md). The
                // replacements pass the launch hook like any launch; capacity never drops below the desired.
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: {
                        skipMatching: true,
                        minHealthyPercentage: 100,
                        maxHealthyPercentage: REFRESH_MAX_HEALTHY_PERCENT,
                        instanceWarmup: String(plan.scaling.warmupSeconds),
                    },
                },
            },
            {
                parent: this,
                // The schedule and target tracking own the live capacity: a `pulumi up` mid-event must not reset it.
                ignoreChanges: ["desiredCapacity"],
            },
        );

        // On ECS the capacity provider's managed scaling sizes the group from the tasks it must place.
        if (!ecs)
            new aws.autoscaling.Policy(
                `${name}-track-requests`,
                {
                    autoscalingGroupName: this.group.name,
                    policyType: "TargetTrackingScaling",
                    targetTrackingConfiguration: {
                        predefinedMetricSpecification: {
                            predefinedMetricType: "ALBRequestCountPerTarget",
                            resourceLabel: pulumi.interpolate`${alb.arnSuffix}/${targetGroup.arnSuffix}`,
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

        this.loadBalancerDns = alb.dnsName;
        this.loadBalancerArnSuffix = alb.arnSuffix;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.targetGroupArn = targetGroup.arn;
        this.url = pulumi.interpolate`${args.certificateArn ? "https" : "http"}://${alb.dnsName}`;
        this.registerOutputs({ groupName: this.groupName, loadBalancerDns: this.loadBalancerDns });
    }
}
