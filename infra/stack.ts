// The event stack: config → plan → components. Everything that decides a number or an instant is in plan.ts;
// this file only wires the parts together in dependency order, passing each one endpoints and secrets (Inputs),
// never another component.
import * as pulumi from "@pulumi/pulumi";
import { PREWARM_OUTPUT_FIELDS } from "../model/prewarm-contract";
import { StoredAgent } from "./agent-artifact";
import { alertTopicArn } from "./alerts";
import { ConfigError, namespaceValues, parseConfig, WarmstackConfig } from "../model/config";
import { attachedWarmstack } from "./attached";
import { refusedAsRunError } from "./config-error";
import { PRODUCTION_OUTPUT } from "./production";
import { WarmCache } from "./cache";
import { WarmCompute } from "./compute";
import { MASTER_USERNAME, WarmDatabase } from "./database";
import { WarmNetwork } from "./network";
import type { ReadinessPlan } from "../model/plan";
import type { InstanceFacts } from "../model/root-volume";
import { planStack, type StackPlan } from "../model/stack-plan";
import { builtInstanceFacts } from "./instance-facts";
import type { ListedPrices } from "../model/price-list";
import { stackPrices } from "./price-list";
import { AgentArtifact } from "./userdata";
import { DataPrewarm } from "./prewarm";
import { WarmFunctions } from "./functions";
import { ecsClusterName, WarmEcs } from "./ecs";
import { checkPolicyDocument } from "./check-policy";
import { EventDashboard } from "./dashboard";

/**
 * Reads, validates and plans before any resource exists, so bad input fails the preview with one message.
 * `now` is the deploy's clock: it decides what is still to schedule (tests pass a fixed one). `facts`: what AWS
 * says of the instance type and image, and what the AWS Price List answered.
 */
export function readinessFromPulumiConfig(
    now = Date.now(),
    facts: { instance?: InstanceFacts; prices?: ListedPrices } = {},
): StackPlan {
    return refusedAsRunError(() => planStack(pulumi.runtime.allConfig(), now, facts));
}

export function warmstack(config: WarmstackConfig, readiness: ReadinessPlan) {
    // An event under way, a schedule already past, a flat stack: the preview says so before anything changes.
    for (const warning of readiness.warnings) pulumi.log.warn(warning);
    const certificateArn = config.compute.certificateArn;

    const network = new WarmNetwork("net", {
        network: config.network,
        appPort: config.compute.appPort,
        https: certificateArn !== undefined,
    });
    const database = new WarmDatabase("db", {
        config: config.database,
        plan: readiness.database,
        subnetIds: network.privateSubnetIds,
        securityGroupId: network.databaseSecurityGroupId,
    });
    const cache = new WarmCache("cache", {
        config: config.cache,
        plan: readiness.cache,
        event: readiness.event,
        subnetIds: network.privateSubnetIds,
        securityGroupId: network.cacheSecurityGroupId,
    });
    const alerts = alertTopicArn("alerts", config.alerts.topicArn);
    const data = new DataPrewarm("data", {
        plan: readiness,
        query: config.cache.prewarm.query,
        mode: config.cache.prewarm.mode,
        cache: {
            replicationGroupId: cache.group.id,
            host: cache.endpoint,
            port: cache.port,
            authToken: cache.authToken,
            authTokenSecretArn: cache.authTokenSecretArn,
        },
        database: {
            name: database.databaseName,
            port: database.port,
            primaryHost: database.writerEndpoint,
            replicaHosts: database.readerEndpoints,
            master: { user: MASTER_USERNAME, password: database.masterPassword },
            warmer: database.warmerRole,
            agent: database.agentRole,
        },
        subnetIds: network.privateSubnetIds,
        securityGroupId: network.warmerSecurityGroupId,
        alertTopicArn: alerts,
        after: network.rules,
    });

    const artifact = config.compute.agent.source === "stack" ? new StoredAgent("agent") : undefined;
    const ecsCluster = readiness.ecs ? ecsClusterName() : undefined;
    const compute = new WarmCompute("app", {
        config: config.compute,
        plan: readiness,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        albSecurityGroupId: network.albSecurityGroupId,
        appSecurityGroupId: network.appSecurityGroupId,
        certificateArn,
        agent: artifact ? artifact.artifact : pulumi.output<AgentArtifact>({ source: "ami" }),
        agentObjectArn: artifact?.objectArn,
        ecsCluster,
        dataTier: pulumi
            .all([
                database.writerEndpoint,
                database.readerEndpoints,
                database.agentRole.secretArn,
                cache.endpoint,
                cache.authTokenSecretArn,
            ])
            .apply(([databaseWriter, databaseReaders, databaseSecretArn, cacheHost, cacheTokenSecretArn]) => ({
                databaseWriter,
                databaseReaders,
                databaseSecretArn,
                cacheHost,
                cacheTokenSecretArn,
                databasePort: database.port,
                databaseName: database.databaseName,
                // Login only: the agent opens and checks its pools, it reads no data.
                databaseUser: database.agentRole.user,
                cachePort: cache.port,
                cacheClusterMode: cache.clusterMode,
            })),
    });

    const ecs =
        readiness.ecs && ecsCluster
            ? new WarmEcs("ecs", { clusterName: ecsCluster, groupArn: compute.group.arn, plan: readiness.ecs })
            : undefined;

    const functions =
        readiness.functions.functions.length > 0
            ? new WarmFunctions("functions", { functions: readiness.functions.functions })
            : undefined;

    const dashboard = new EventDashboard("event", {
        groupName: compute.group.name,
        loadBalancer: compute.loadBalancerArnSuffix,
        targetGroup: compute.targetGroupArnSuffix,
        cacheClusters: cache.group.memberClusters,
        databasePrimary: database.primary.identifier,
        databaseReplicas: database.replicas.map((r) => r.identifier),
        timeline: readiness.timeline,
        eventName: readiness.event?.name,
    });

    return {
        plan: readiness,
        url: compute.url,
        autoScalingGroup: compute.group.name,
        databaseWriter: database.writerEndpoint,
        databaseReaders: database.readerEndpoints,
        databaseMasterSecretArn: database.masterSecretArn,
        databaseWarmerSecretArn: database.warmerRole.secretArn,
        databaseAgentSecretArn: database.agentRole.secretArn,
        cacheEndpoint: cache.endpoint,
        cacheClusterMode: cache.clusterMode,
        cacheReader: cache.readerEndpoint,
        prewarm: Object.fromEntries(PREWARM_OUTPUT_FIELDS.map((field) => [field, data.prewarm[field]])),
        /** The scheduled warm's instant and schedule name, or why no warm is scheduled. */
        dataWarm: data.scheduled,
        alertTopicArn: alerts,
        /** The parts an event stack's `warmstack:production.stack` attaches to. */
        [PRODUCTION_OUTPUT]: {
            autoScalingGroup: compute.group.name,
            cacheReplicationGroup: cache.group.id,
            cacheAuthTokenSecretArn: cache.authTokenSecretArn,
            databaseInstance: database.primary.identifier,
            databaseWarmerSecretArn: database.warmerRole.secretArn,
        },
        ...(functions && { functionTargets: functions.targets }),
        ...(ecs && {
            ecsCluster: ecs.cluster.name,
            ecsCapacityProvider: ecs.capacityProvider.name,
            // The service registers its tasks here (awsvpc), in the app's security group.
            targetGroupArn: compute.targetGroupArn,
            ...(ecs.serviceTarget && { ecsServiceTarget: ecs.serviceTarget.id }),
        }),
        // What `warmstack check` reads (docs/check.md), and the least-privilege policy of the role that runs it.
        stack: pulumi.getStack(),
        cacheReplicationGroup: cache.group.id,
        databaseReplicas: pulumi.all(database.replicas.map((r) => r.identifier)),
        warmAlarm: data.warmAlarm?.name,
        warmerFunction: data.warmer?.functionName,
        checkPolicy: pulumi
            .all([
                cache.group.arn,
                pulumi.all(database.replicas.map((r) => r.arn)),
                alerts,
                data.warmSchedule?.arn,
                data.warmAlarm?.arn,
            ])
            .apply(([cacheGroupArn, replicaArns, topicArn, scheduleArn, alarmArn]) =>
                checkPolicyDocument({ cacheGroupArn, replicaArns, topicArn, scheduleArn, alarmArn }),
            ),
        dashboard: dashboard.url,
        agent: artifact
            ? { bucket: artifact.bucket, key: artifact.key, sha256: artifact.sha256 }
            : "baked into the AMI (compute.agent.source ami)",
    };
}

/**
 * The whole program as `pulumi up` runs it: the stack's config, validated and planned, then deployed — a whole
 * system, or with `warmstack:production` an event stack attached to the one that runs (infra/attached.ts).
 */
export function warmstackFromPulumiConfig(now = Date.now()) {
    const config = refusedAsRunError(() => parseConfig(namespaceValues(pulumi.runtime.allConfig())));
    if (config.production) return attachedWarmstack(config, now);
    // The config's own problems fail at once, before AWS is asked anything.
    readinessFromPulumiConfig(now);
    return builtWarmstack(config, now);
}

/**
 * The built system: AWS's facts on the instance type and image first (a refusal there comes before any resource,
 * the Price List's provider included), then the Price List's prices, then the plan on them, then resources.
 */
async function builtWarmstack(config: WarmstackConfig, now: number) {
    let instance: InstanceFacts;
    try {
        instance = await builtInstanceFacts(config.compute);
    } catch (err) {
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
    // What AWS's facts refuse is refused before the Price List's provider exists; the prices only inform the cost.
    readinessFromPulumiConfig(now, { instance });
    const { plan } = readinessFromPulumiConfig(now, { instance, prices: await stackPrices(config) });
    return warmstack(config, plan);
}
