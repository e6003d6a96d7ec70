// The production the committed event stacks attach to: the committed baseline stack, run under mocks, and the
// AWS it leaves behind — its `production` output answered to `warmstack:production.stack`, and its group, launch
// template, cache and database answered to the data sources as AWS would describe what the program created. An
// output the baseline renames, or a part it stops publishing, fails the event stacks' attach.
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { AwsWorld, NOW, primaryOf, productionWorld, ProgramRun, runProgram, stackConfig, T } from "./pulumi";

/** The name the committed event stacks give baseline (`warmstack:production.stack`). */
export const BASELINE_REFERENCE = "organization/warmstack/baseline";

export interface Baseline {
    run: ProgramRun;
    world: AwsWorld;
}

/** Runs the baseline program (it resets the mocks: run it before the program under test). */
export async function baseline(): Promise<Baseline> {
    const run = await runProgram(stackConfig("baseline"), () => warmstackFromPulumiConfig(NOW), "baseline");
    return { run, world: worldOf(run) };
}

function worldOf(run: ProgramRun): AwsWorld {
    const group = run.one(T.asg);
    const template = run.one(T.template);
    const profile = run.one(T.profile);
    const cache = run.one(T.redis);
    const primary = primaryOf(run);
    const params = run.one(T.params);
    const subnets: string[] = group.inputs.vpcZoneIdentifiers;
    const vpcId = run.one(T.sg, "net-app").inputs.vpcId;
    const clusterMode = cache.inputs.numNodeGroups !== undefined;
    const members: string[] = cache.state.memberClusters;
    const pool = group.inputs.warmPool;
    return {
        ...productionWorld(),
        groups: {
            [group.state.name]: {
                id: group.state.name,
                name: group.state.name,
                arn: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0f1e2d3c:autoScalingGroupName/${group.state.name}`,
                minSize: group.inputs.minSize,
                maxSize: group.inputs.maxSize,
                desiredCapacity: group.inputs.desiredCapacity,
                vpcZoneIdentifier: subnets.join(","),
                launchTemplates: [{ id: template.id, name: template.state.name, version: "$Latest" }],
                mixedInstancesPolicies: [],
                warmPools: pool
                    ? [
                          {
                              minSize: pool.minSize,
                              maxGroupPreparedCapacity: pool.maxGroupPreparedCapacity,
                              poolState: pool.poolState,
                              instanceReusePolicies: [{ reuseOnScaleIn: pool.instanceReusePolicy.reuseOnScaleIn }],
                          },
                      ]
                    : [],
                tags: group.inputs.tags,
            },
        },
        launchTemplates: {
            [template.id]: {
                id: template.id,
                name: template.state.name,
                instanceType: template.inputs.instanceType,
                // The program names the profile by ARN; AWS's launch template data answers with it as given.
                iamInstanceProfiles: [{ arn: template.inputs.iamInstanceProfile.arn, name: "" }],
                instanceMarketOptions: [],
                hibernationOptions: [template.inputs.hibernationOptions],
                vpcSecurityGroupIds: template.inputs.vpcSecurityGroupIds ?? [],
            },
        },
        instanceProfiles: {
            // The last segment of the profile's ARN, as IAM names it.
            [profile.state.arn.slice(profile.state.arn.lastIndexOf("/") + 1)]: {
                name: profile.state.name,
                roleName: profile.inputs.role,
                arn: profile.state.arn,
            },
        },
        replicationGroups: {
            [cache.id]: {
                id: cache.id,
                replicationGroupId: cache.id,
                clusterMode: clusterMode ? "enabled" : "disabled",
                nodeType: cache.inputs.nodeType,
                numNodeGroups: cache.inputs.numNodeGroups ?? 1,
                replicasPerNodeGroup: clusterMode
                    ? cache.inputs.replicasPerNodeGroup
                    : cache.inputs.numCacheClusters - 1,
                authTokenEnabled: !!cache.inputs.authToken && cache.inputs.transitEncryptionEnabled === true,
                primaryEndpointAddress: cache.state.primaryEndpointAddress ?? "",
                readerEndpointAddress: cache.state.readerEndpointAddress ?? "",
                configurationEndpointAddress: cache.state.configurationEndpointAddress ?? "",
                port: cache.inputs.port,
                memberClusters: members,
            },
        },
        cacheClusters: Object.fromEntries(
            members.map((id) => [id, { clusterId: id, securityGroupIds: cache.inputs.securityGroupIds }]),
        ),
        dbInstances: {
            [primary.state.identifier]: {
                dbInstanceIdentifier: primary.state.identifier,
                engine: primary.inputs.engine,
                engineVersion: primary.inputs.engineVersion,
                dbInstanceClass: primary.inputs.instanceClass,
                address: primary.state.address,
                port: primary.inputs.port ?? 5432,
                dbName: primary.inputs.dbName,
                dbParameterGroups: [params.state.name],
                dbSubnetGroup: primary.inputs.dbSubnetGroupName,
                vpcSecurityGroups: primary.inputs.vpcSecurityGroupIds,
                storageEncrypted: primary.inputs.storageEncrypted,
            },
        },
        dbClusters: {},
        subnets: Object.fromEntries(subnets.map((id) => [id, { id, vpcId }])),
        stacks: { [BASELINE_REFERENCE]: run.outputs },
    };
}
