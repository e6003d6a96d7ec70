// Reading the production an event stack attaches to, at preview and before any resource: every fact through the
// provider's data sources (model/production.ts lists them). A part that is not there — or that this account may
// not read — fails the preview with one error naming the `warmstack:production.*` key and the value. The reads
// are the invokes' promise forms inside one apply over the names, because only a promise lets the failure be
// caught and named; the result is an Output like the Output forms'.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { WarmstackConfig } from "../model/config";
import type { DatabaseFacts, NamesFrom, ProductionFacts, ServiceFacts } from "../model/production";
import { readInstanceType } from "./instance-facts";

/** The names of production's parts: `warmstack:production`'s, or the `production` output of the stack it names. */
export interface ProductionNames {
    autoScalingGroup: string;
    cacheReplicationGroup: string;
    cacheAuthTokenSecretArn?: string;
    databaseInstance?: string;
    databaseCluster?: string;
    databaseWarmerSecretArn: string;
    /** Always the config's own key: a stack's outputs do not name it. */
    ecsService?: string;
}

/** The stack output a built stack publishes its parts' names under, for `production.stack` to read. */
export const PRODUCTION_OUTPUT = "production";

/** The names, from the config or from the stack it names (a `pulumi.StackReference`). */
export function productionNames(
    production: NonNullable<WarmstackConfig["production"]>,
    opts?: pulumi.CustomResourceOptions,
): pulumi.Output<ProductionNames> {
    if (production.stack === undefined) return pulumi.output(production as ProductionNames);
    const reference = new pulumi.StackReference(production.stack, {}, opts);
    return reference.requireOutput(PRODUCTION_OUTPUT).apply((names) => {
        const given = names as Partial<ProductionNames> | undefined;
        const missing = ["autoScalingGroup", "cacheReplicationGroup", "databaseWarmerSecretArn"].filter(
            (k) => !given?.[k as keyof ProductionNames],
        );
        if (missing.length > 0 || (!given?.databaseInstance && !given?.databaseCluster)) {
            throw new pulumi.RunError(
                `warmstack:production.stack: a stack whose "${PRODUCTION_OUTPUT}" output names ` +
                    "autoScalingGroup, cacheReplicationGroup, databaseWarmerSecretArn and databaseInstance or " +
                    `databaseCluster; ${production.stack}'s lacks ${[...missing, ...(given?.databaseInstance || given?.databaseCluster ? [] : ["databaseInstance"])].join(", ")}`,
            );
        }
        return { ...(given as ProductionNames), ecsService: production.ecsService };
    });
}

function keyOf(part: string, from: NamesFrom): string {
    return from === "stack" ? `warmstack:production.stack (its ${part})` : `warmstack:production.${part}`;
}

/** The read's answer, or the one error naming the key, the value, what was looked for and AWS's reason. */
async function found<T>(read: Promise<T>, key: string, given: string, what: string): Promise<T> {
    try {
        return await read;
    } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new pulumi.RunError(
            `warmstack cannot attach to production: ${key}: ${what} that exists in this account and region, and ` +
                `that this deploy may read; given ${JSON.stringify(given)} (AWS: ${reason.replace(/\s+/g, " ").trim()})`,
        );
    }
}

const lastSegment = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

async function groupAndInstances(name: string, from: NamesFrom, opts: pulumi.InvokeOptions) {
    const key = keyOf("autoScalingGroup", from);
    const group = await found(aws.autoscaling.getGroup({ name }, opts), key, name, "an Auto Scaling group");
    const mixed = group.mixedInstancesPolicies[0];
    const mixedTemplate = mixed?.launchTemplates[0];
    const templateId = group.launchTemplates[0]?.id || mixedTemplate?.launchTemplateSpecifications[0]?.launchTemplateId;
    if (!templateId) {
        throw new pulumi.RunError(
            `warmstack cannot attach to production: ${key}: a group that launches from a launch template (its ` +
                `instance type and role are read there); given ${JSON.stringify(name)}, which has none`,
        );
    }
    const template = await found(
        aws.ec2.getLaunchTemplate({ id: templateId }, opts),
        key,
        name,
        `a group whose launch template ${templateId} is readable`,
    );
    const instanceType = mixedTemplate?.overrides[0]?.instanceType || template.instanceType;
    const type = await found(
        readInstanceType(instanceType, opts),
        key,
        name,
        `a group whose instance type ${instanceType} is offered here`,
    );
    const profileRef = template.iamInstanceProfiles[0];
    const profileName = profileRef?.name || (profileRef?.arn ? lastSegment(profileRef.arn) : "");
    const profile = profileName
        ? await found(
              aws.iam.getInstanceProfile({ name: profileName }, opts),
              key,
              name,
              `a group whose instance profile ${profileName} is readable`,
          )
        : undefined;
    const subnetIds = group.vpcZoneIdentifier.split(",").filter((s) => s.length > 0);
    const subnet = await found(
        aws.ec2.getSubnet({ id: subnetIds[0] }, opts),
        key,
        name,
        `a group in VPC subnets (${subnetIds[0] ?? "none"})`,
    );
    const distribution = mixed?.instancesDistributions[0];
    const pool = group.warmPools[0];
    return {
        group: {
            name: group.name,
            arn: group.arn,
            minSize: group.minSize,
            maxSize: group.maxSize,
            desiredCapacity: group.desiredCapacity,
            subnetIds,
            vpcId: subnet.vpcId,
            ...(distribution && {
                instancesDistribution: {
                    onDemandBaseCapacity: distribution.onDemandBaseCapacity,
                    onDemandPercentageAboveBaseCapacity: distribution.onDemandPercentageAboveBaseCapacity,
                },
            }),
            ...(template.instanceMarketOptions[0] && { marketType: template.instanceMarketOptions[0].marketType }),
            ...(pool && {
                warmPool: {
                    minSize: pool.minSize,
                    maxGroupPreparedCapacity: pool.maxGroupPreparedCapacity,
                    state: pool.poolState,
                    reuseOnScaleIn: pool.instanceReusePolicies[0]?.reuseOnScaleIn ?? false,
                },
            }),
            tags: Object.fromEntries((group.tags ?? []).map((tag) => [tag.key, tag.value])),
        },
        instances: {
            instanceType,
            memoryMiB: type.memoryMiB,
            hibernationSupported: type.hibernationSupported,
            hibernationConfigured: template.hibernationOptions[0]?.configured ?? false,
            ...(profile && { roleName: profile.roleName }),
            securityGroupIds: template.vpcSecurityGroupIds,
        },
    };
}

async function cacheFacts(id: string, from: NamesFrom, opts: pulumi.InvokeOptions): Promise<ProductionFacts["cache"]> {
    const key = keyOf("cacheReplicationGroup", from);
    const group = await found(
        aws.elasticache.getReplicationGroup({ replicationGroupId: id }, opts),
        key,
        id,
        "an ElastiCache replication group",
    );
    const member = await found(
        aws.elasticache.getCluster({ clusterId: group.memberClusters[0] }, opts),
        key,
        id,
        `a replication group whose member ${group.memberClusters[0] ?? "(none)"} is readable`,
    );
    const clusterMode = group.clusterMode === "enabled";
    return {
        id: group.replicationGroupId,
        nodeType: group.nodeType,
        clusterMode,
        shards: group.numNodeGroups,
        replicasPerShard: group.replicasPerNodeGroup,
        authTokenEnabled: group.authTokenEnabled,
        host: clusterMode ? group.configurationEndpointAddress : group.primaryEndpointAddress,
        ...(group.readerEndpointAddress && { readerHost: group.readerEndpointAddress }),
        port: group.port,
        securityGroupIds: member.securityGroupIds,
    };
}

async function databaseFacts(
    names: ProductionNames,
    from: NamesFrom,
    opts: pulumi.InvokeOptions,
): Promise<DatabaseFacts> {
    if (names.databaseInstance) {
        const id = names.databaseInstance;
        const db = await found(
            aws.rds.getInstance({ dbInstanceIdentifier: id }, opts),
            keyOf("databaseInstance", from),
            id,
            "an RDS DB instance",
        );
        return {
            kind: "instance",
            identifier: db.dbInstanceIdentifier,
            engine: db.engine,
            engineVersion: db.engineVersion,
            instanceClass: db.dbInstanceClass,
            writer: db.address,
            port: db.port,
            dbName: db.dbName,
            parameterGroups: db.dbParameterGroups,
            subnetGroup: db.dbSubnetGroup,
            securityGroupIds: db.vpcSecurityGroups,
            members: [],
            storageEncrypted: db.storageEncrypted,
        };
    }
    const id = names.databaseCluster as string;
    const key = keyOf("databaseCluster", from);
    const cluster = await found(aws.rds.getCluster({ clusterIdentifier: id }, opts), key, id, "an Aurora DB cluster");
    const member = cluster.clusterMembers[0];
    const writer = await found(
        aws.rds.getInstance({ dbInstanceIdentifier: member }, opts),
        key,
        id,
        `a cluster whose member ${member ?? "(none)"} is readable`,
    );
    return {
        kind: "cluster",
        identifier: cluster.clusterIdentifier,
        engine: cluster.engine,
        engineVersion: cluster.engineVersion,
        instanceClass: writer.dbInstanceClass,
        writer: cluster.endpoint,
        reader: cluster.readerEndpoint,
        port: cluster.port,
        dbName: cluster.databaseName,
        parameterGroups: [cluster.dbClusterParameterGroupName, ...writer.dbParameterGroups],
        subnetGroup: cluster.dbSubnetGroupName,
        securityGroupIds: cluster.vpcSecurityGroupIds,
        members: cluster.clusterMembers,
        storageEncrypted: cluster.storageEncrypted,
    };
}

async function serviceFacts(ref: string, opts: pulumi.InvokeOptions): Promise<ServiceFacts> {
    const [cluster, name] = ref.split("/");
    const service = await found(
        aws.ecs.getService({ clusterArn: cluster, serviceName: name }, opts),
        "warmstack:production.ecsService",
        ref,
        "an ECS service (CLUSTER/SERVICE)",
    );
    return { cluster, name, desiredCount: service.desiredCount };
}

/** A part that could not be read: the one message naming its key, for the caller to fail the preview with. */
export interface Unreadable {
    unreadable: string;
}

/**
 * Every fact about production, read once at preview, or why a part could not be read. Tagged rather than
 * rejected: the caller throws from its own apply, where the failure reaches the engine as the preview's error.
 */
export function readProduction(
    names: pulumi.Input<ProductionNames>,
    from: NamesFrom,
    opts: pulumi.InvokeOptions = {},
): pulumi.Output<ProductionFacts | Unreadable> {
    return pulumi.output(names).apply(async (n): Promise<ProductionFacts | Unreadable> => {
        try {
            const [compute, cache, database, service] = await Promise.all([
                groupAndInstances(n.autoScalingGroup, from, opts),
                cacheFacts(n.cacheReplicationGroup, from, opts),
                databaseFacts(n, from, opts),
                n.ecsService === undefined ? undefined : serviceFacts(n.ecsService, opts),
            ]);
            return { ...compute, cache, database, ...(service && { service }) };
        } catch (err) {
            if (err instanceof pulumi.RunError) return { unreadable: err.message };
            throw err;
        }
    });
}
