// Runs the warmstack program under pulumi.runtime.setMocks, as `pulumi up` would but with no engine and no
// cloud, and records every resource it registers with the inputs it sent.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ReadinessPlan } from "../../model/plan";
import { planStack, type StackPlan } from "../../model/stack-plan";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { stackConfigValues } from "../../warmers/cli/stack-file";

export const REPO = path.resolve(__dirname, "..", "..");

export interface RegisteredResource {
    type: string;
    name: string;
    id: string;
    urn: string;
    /** What the program sent, secrets unwrapped: the mock monitor sees plaintext, the state would not. */
    inputs: Record<string, any>;
    /** Top-level inputs that arrived as Pulumi secrets (and so are encrypted in the state). */
    secretInputs: string[];
    /** What the mocks answered, inputs included; the policy pack is fed these. */
    state: Record<string, any>;
}

export interface ProgramRun {
    resources: RegisteredResource[];
    outputs: Record<string, any>;
    ofType(type: string): RegisteredResource[];
    one(type: string, name?: string): RegisteredResource;
}

/** The tests' own stack files: events as whole systems warmstack builds (the committed ones attach to baseline). */
export const FIXTURE_STACKS_DIR = path.join(__dirname, "stacks");
export const BUILT_EVENT = "built-blackfriday";
export const BUILT_HIBERNATED_EVENT = "built-launch";
const FIXTURE_STACKS = [BUILT_EVENT, BUILT_HIBERNATED_EVENT];

/** The file of a committed stack, or of one of the tests' own ({@link BUILT_EVENT}). */
export function stackFilePath(stack: string): string {
    return path.join(FIXTURE_STACKS.includes(stack) ? FIXTURE_STACKS_DIR : REPO, `Pulumi.${stack}.yaml`);
}

/** The `config:` block of a stack file, flattened the way the CLI hands it to the program. */
export function stackConfig(stack: string): Record<string, string> {
    const file = stackFilePath(stack);
    return stackConfigValues(fs.readFileSync(file, "utf8"), file);
}

/** The stacks that build a whole system: the committed baseline and the tests' built events. */
export const BUILT_STACKS = ["baseline", BUILT_EVENT, BUILT_HIBERNATED_EVENT];

/**
 * The one planned-stack fixture of the program tests: a built stack's config values and their plan at `now`,
 * as the program makes it (model/stack-plan.ts).
 */
export function plannedStack(stack: string, now = NOW): StackPlan & { values: Record<string, string> } {
    const values = stackConfig(stack);
    return { values, ...planStack(values, now) };
}

/** A config's plan, as the program makes it. */
export const planOf = (values: Record<string, string>, now = NOW): ReadinessPlan => planStack(values, now).plan;

export function committedStacks(): string[] {
    return fs
        .readdirSync(REPO)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** Computed attributes AWS would fill in, so outputs the program wires onwards have a value. */
function computed(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    const arn = `arn:aws:${type.split(":")[1].split("/")[0]}:${REGION}:${ACCOUNT}:${name}`;
    const base = { arn, name: inputs.name ?? name };
    switch (type) {
        case "aws:rds/instance:Instance":
            return {
                ...base,
                identifier: inputs.identifier ?? `${name}-id`,
                address: `${name}.cluster.${REGION}.rds.amazonaws.com`,
                endpoint: `${name}.cluster.${REGION}.rds.amazonaws.com:5432`,
                masterUserSecrets: inputs.manageMasterUserPassword
                    ? [{ secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!${name}` }]
                    : [],
            };
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            // Cluster mode has a configuration endpoint and neither of the others, as ElastiCache answers.
            return inputs.numNodeGroups
                ? {
                      ...base,
                      configurationEndpointAddress: `clustercfg.${name}.cache.amazonaws.com`,
                      memberClusters: memberClusters(name, inputs.numNodeGroups * (1 + inputs.replicasPerNodeGroup)),
                  }
                : {
                      ...base,
                      memberClusters: memberClusters(name, inputs.numCacheClusters),
                      primaryEndpointAddress: `master.${name}.cache.amazonaws.com`,
                      readerEndpointAddress: `replica.${name}.cache.amazonaws.com`,
                  };
        case "aws:iam/instanceProfile:InstanceProfile":
            // IAM's ARNs have no region, and a path: the attach reads the profile's name off the last segment.
            return { ...base, arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${inputs.name ?? name}` };
        case "aws:s3/bucket:Bucket":
            return { ...base, arn: `arn:aws:s3:::${name}-bucket-0123`, bucket: `${name}-bucket-0123` };
        case "aws:scheduler/schedule:Schedule":
            return { ...base, name: `${name}-0123456` };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...base, latestVersion: 1 };
        case "aws:lb/loadBalancer:LoadBalancer":
            return { ...base, arnSuffix: `app/${name}/0123456789`, dnsName: `${name}.${REGION}.elb.amazonaws.com` };
        case "aws:lb/targetGroup:TargetGroup":
            return { ...base, arnSuffix: `targetgroup/${name}/0123456789` };
        case "pulumi:pulumi:StackReference":
            return { name: inputs.name, outputs: lookup(world.stacks, inputs.name, "stack") };
        case "random:index/randomPassword:RandomPassword":
            return { result: `secret-${name}-${"x".repeat(40)}` };
        default:
            return base;
    }
}

/**
 * The production an attached stack reads, as AWS's data sources answer for it: a group (launch template, instance
 * profile), a cache, an RDS primary, an Aurora cluster, and the stacks a StackReference may name. A name that is
 * not here is answered with AWS's "not found". Tests edit a copy (runProgram's `world`).
 */
export interface AwsWorld {
    groups: Record<string, any>;
    launchTemplates: Record<string, any>;
    instanceProfiles: Record<string, any>;
    instanceTypes: Record<string, any>;
    /** Images by id, as aws.ec2.getAmi answers: the root device and its snapshot's size. */
    images: Record<string, any>;
    replicationGroups: Record<string, any>;
    cacheClusters: Record<string, any>;
    dbInstances: Record<string, any>;
    dbClusters: Record<string, any>;
    subnets: Record<string, any>;
    /** ECS services by CLUSTER/SERVICE, as aws.ecs.getService answers. */
    ecsServices: Record<string, any>;
    /** A stack's outputs, by the name a StackReference gives. */
    stacks: Record<string, Record<string, any>>;
    /** The stack's region, as aws.getRegion answers. */
    region: string;
    /** The AWS Price List's products, as GetProducts returns them (JSON text): see priceListProduct(). */
    priceList: string[];
    /** How long getProduct takes to answer, ms. */
    priceListDelayMs: number;
    /** Every invoke the program made, with the provider it went through (`urn::id`), for tests to inspect. */
    invokes: { token: string; inputs: Record<string, any>; provider?: string }[];
}

/**
 * One Price List product as GetProducts answers it: its attributes (the filters match these) and one on-demand
 * term with one per-hour dimension. The real answer has more (reserved terms, more attributes); this is its shape.
 */
export function priceListProduct(serviceCode: string, attributes: Record<string, string>, usdPerHour: string) {
    const sku = `SKU${Object.values(attributes).join("").length}${usdPerHour.replace(".", "")}`;
    return JSON.stringify({
        product: { productFamily: attributes.productFamily, attributes, sku },
        serviceCode,
        terms: {
            OnDemand: {
                [`${sku}.JRTCKXETXF`]: {
                    offerTermCode: "JRTCKXETXF",
                    sku,
                    priceDimensions: {
                        [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
                            unit: "Hrs",
                            pricePerUnit: { USD: usdPerHour },
                            description: `$${usdPerHour} per On Demand hour`,
                        },
                    },
                },
            },
            Reserved: {},
        },
    });
}

/** The products for the types the committed stacks use, at the table's prices, in `region`. */
export function committedPriceList(region = REGION): string[] {
    const ec2 = (type: string, usd: string) =>
        priceListProduct(
            "AmazonEC2",
            {
                regionCode: region,
                productFamily: "Compute Instance",
                instanceType: type,
                operatingSystem: "Linux",
                tenancy: "Shared",
                preInstalledSw: "NA",
                licenseModel: "No License required",
                capacitystatus: "Used",
            },
            usd,
        );
    const rds = (type: string, usd: string) =>
        priceListProduct(
            "AmazonRDS",
            {
                regionCode: region,
                productFamily: "Database Instance",
                instanceType: type,
                databaseEngine: "PostgreSQL",
                deploymentOption: "Single-AZ",
            },
            usd,
        );
    const cache = (type: string, usd: string) =>
        priceListProduct(
            "AmazonElastiCache",
            { regionCode: region, productFamily: "Cache Instance", instanceType: type, cacheEngine: "Redis" },
            usd,
        );
    return [
        ec2("c7i.large", "0.0892500000"),
        ec2("c7i.xlarge", "0.1785000000"),
        rds("db.r6g.large", "0.2250000000"),
        rds("db.r6g.xlarge", "0.4490000000"),
        rds("db.r6g.2xlarge", "0.8980000000"),
        cache("cache.r7g.large", "0.2190000000"),
        cache("cache.r7g.xlarge", "0.4370000000"),
    ];
}

/** GetProducts' TERM_MATCH: every filter's field has exactly the filter's value. */
export function matchingProducts(
    products: string[],
    serviceCode: string,
    filters: { field: string; value: string }[],
): string[] {
    return products.filter((text) => {
        let product: any;
        try {
            product = JSON.parse(text);
        } catch {
            return true; // a malformed answer a test planted matches whatever is asked
        }
        return (
            product.serviceCode === serviceCode &&
            filters.every((f) => product.product?.attributes?.[f.field] === f.value)
        );
    });
}

export const PRODUCTION = {
    groupArn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:0f1e2d3c:autoScalingGroupName/shop-web`,
    tokenSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:shop-redis-auth-AbCdEf`,
    warmerSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:shop-db-warmer-AbCdEf`,
    cacheSecurityGroup: "sg-0cac4e000000000c1",
    databaseSecurityGroup: "sg-0d474ba5e00000000",
    vpcId: "vpc-0c0ffee0c0ffee000",
};

export function productionWorld(): AwsWorld {
    const subnets = ["subnet-0a0000000000000a2", "subnet-0a0000000000000b2"];
    return {
        groups: {
            "shop-web": {
                id: "shop-web",
                name: "shop-web",
                arn: PRODUCTION.groupArn,
                minSize: 4,
                maxSize: 30,
                desiredCapacity: 6,
                vpcZoneIdentifier: subnets.join(","),
                launchTemplates: [{ id: "lt-0a1b2c3d4e5f60718", name: "shop-web", version: "$Latest" }],
                mixedInstancesPolicies: [],
                warmPools: [],
                warmPoolSize: 0,
            },
        },
        launchTemplates: {
            "lt-0a1b2c3d4e5f60718": {
                id: "lt-0a1b2c3d4e5f60718",
                name: "shop-web",
                instanceType: "c7i.xlarge",
                iamInstanceProfiles: [{ arn: `arn:aws:iam::${ACCOUNT}:instance-profile/shop-web`, name: "" }],
                instanceMarketOptions: [],
                hibernationOptions: [{ configured: false }],
                vpcSecurityGroupIds: ["sg-0a99000000000a001"],
            },
        },
        instanceProfiles: {
            "shop-web": {
                name: "shop-web",
                roleName: "shop-web-instance",
                arn: `arn:aws:iam::${ACCOUNT}:instance-profile/shop-web`,
            },
        },
        instanceTypes: {
            "c7i.large": { instanceType: "c7i.large", memorySize: 4096, hibernationSupported: true },
            "c7i.xlarge": { instanceType: "c7i.xlarge", memorySize: 8192, hibernationSupported: true },
            "m7i.large": { instanceType: "m7i.large", memorySize: 8192, hibernationSupported: true },
            // 64 GiB, and a type past hibernation's RAM limit, as DescribeInstanceTypes reports them.
            "r7i.2xlarge": { instanceType: "r7i.2xlarge", memorySize: 65536, hibernationSupported: true },
            "x2iedn.32xlarge": { instanceType: "x2iedn.32xlarge", memorySize: 4194304, hibernationSupported: false },
        },
        images: Object.fromEntries(
            ["ami-0a1b2c3d4e5f60718", "ami-0123456789abcdef0"].map((id) => [
                id,
                {
                    id,
                    imageId: id,
                    rootDeviceName: "/dev/xvda",
                    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volume_size: "8", volume_type: "gp3" } }],
                },
            ]),
        ),
        replicationGroups: {
            "shop-redis": {
                id: "shop-redis",
                replicationGroupId: "shop-redis",
                clusterMode: "disabled",
                nodeType: "cache.r7g.xlarge",
                numNodeGroups: 1,
                replicasPerNodeGroup: 2,
                authTokenEnabled: true,
                primaryEndpointAddress: "master.shop-redis.abc123.use1.cache.amazonaws.com",
                readerEndpointAddress: "replica.shop-redis.abc123.use1.cache.amazonaws.com",
                configurationEndpointAddress: "",
                port: 6379,
                memberClusters: ["shop-redis-001", "shop-redis-002", "shop-redis-003"],
            },
            "shop-redis-cluster": {
                id: "shop-redis-cluster",
                replicationGroupId: "shop-redis-cluster",
                clusterMode: "enabled",
                nodeType: "cache.r7g.large",
                numNodeGroups: 3,
                replicasPerNodeGroup: 1,
                authTokenEnabled: true,
                primaryEndpointAddress: "",
                readerEndpointAddress: "",
                configurationEndpointAddress: "clustercfg.shop-redis-cluster.abc123.use1.cache.amazonaws.com",
                port: 6379,
                memberClusters: ["shop-redis-cluster-0001-001"],
            },
        },
        cacheClusters: Object.fromEntries(
            ["shop-redis-001", "shop-redis-002", "shop-redis-003", "shop-redis-cluster-0001-001"].map((id) => [
                id,
                { clusterId: id, securityGroupIds: [PRODUCTION.cacheSecurityGroup] },
            ]),
        ),
        dbInstances: {
            "shop-db": {
                dbInstanceIdentifier: "shop-db",
                engine: "postgres",
                engineVersion: "16.4",
                dbInstanceClass: "db.r6g.2xlarge",
                address: "shop-db.abc123.us-east-1.rds.amazonaws.com",
                port: 5432,
                dbName: "shop",
                dbParameterGroups: ["shop-postgres16"],
                dbSubnetGroup: "shop-db-subnets",
                vpcSecurityGroups: [PRODUCTION.databaseSecurityGroup],
                storageEncrypted: true,
            },
            "shop-aurora-1": {
                dbInstanceIdentifier: "shop-aurora-1",
                engine: "aurora-postgresql",
                engineVersion: "16.4",
                dbInstanceClass: "db.r6g.xlarge",
                dbParameterGroups: ["shop-aurora16"],
            },
        },
        dbClusters: {
            "shop-aurora": {
                clusterIdentifier: "shop-aurora",
                engine: "aurora-postgresql",
                engineVersion: "16.4",
                endpoint: "shop-aurora.cluster-abc123.us-east-1.rds.amazonaws.com",
                readerEndpoint: "shop-aurora.cluster-ro-abc123.us-east-1.rds.amazonaws.com",
                port: 5432,
                databaseName: "shop",
                dbClusterParameterGroupName: "shop-aurora16-cluster",
                dbSubnetGroupName: "shop-aurora-subnets",
                vpcSecurityGroupIds: [PRODUCTION.databaseSecurityGroup],
                clusterMembers: ["shop-aurora-1", "shop-aurora-2"],
                storageEncrypted: true,
            },
        },
        subnets: Object.fromEntries(subnets.map((id) => [id, { id, vpcId: PRODUCTION.vpcId }])),
        ecsServices: {
            "shop/web": {
                clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/shop`,
                serviceName: "web",
                desiredCount: 5,
            },
        },
        stacks: {
            "acme/warmstack/baseline": {
                production: {
                    autoScalingGroup: "shop-web",
                    cacheReplicationGroup: "shop-redis",
                    cacheAuthTokenSecretArn: PRODUCTION.tokenSecretArn,
                    databaseInstance: "shop-db",
                    databaseWarmerSecretArn: PRODUCTION.warmerSecretArn,
                },
            },
        },
        region: REGION,
        priceList: committedPriceList(),
        priceListDelayMs: 0,
        invokes: [],
    };
}

let world: AwsWorld = productionWorld();

/** AWS's answer for a name it does not have, as the provider reports it. */
function lookup(table: Record<string, any>, name: string, what: string): Record<string, any> {
    const found = table[name];
    // The engine hands a provider's failure to the program as a gRPC error, whose text is in `details`.
    const message = `reading ${what} (${name}): couldn't find resource`;
    if (!found) throw Object.assign(new Error(message), { details: message });
    return found;
}

/** ElastiCache names a group's nodes `<group>-001`, `-002`, … */
const memberClusters = (group: string, nodes: number) =>
    Array.from({ length: nodes }, (_, i) => `${group}-${String(i + 1).padStart(3, "0")}`);

/** aws.pricing.getProduct: the one product the filters match, or the provider's error for none or several. */
async function getProduct(a: Record<string, any>): Promise<Record<string, any>> {
    if (world.priceListDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, world.priceListDelayMs));
    const found = matchingProducts(world.priceList, a.serviceCode, a.filters);
    if (found.length !== 1) {
        const message = `reading Pricing Product: query returned ${found.length} products, expected exactly one`;
        throw Object.assign(new Error(message), { details: message });
    }
    return { id: "pricing-product", serviceCode: a.serviceCode, filters: a.filters, result: found[0] };
}

const INVOKES: Record<string, (args: Record<string, any>) => Record<string, any> | Promise<Record<string, any>>> = {
    "aws:pricing/getProduct:getProduct": getProduct,
    "aws:autoscaling/getGroup:getGroup": (a) => lookup(world.groups, a.name, "Auto Scaling Group"),
    "aws:ec2/getLaunchTemplate:getLaunchTemplate": (a) => lookup(world.launchTemplates, a.id, "EC2 Launch Template"),
    "aws:iam/getInstanceProfile:getInstanceProfile": (a) =>
        lookup(world.instanceProfiles, a.name, "IAM Instance Profile"),
    "aws:ec2/getInstanceType:getInstanceType": (a) => lookup(world.instanceTypes, a.instanceType, "EC2 Instance Type"),
    "aws:ec2/getSubnet:getSubnet": (a) => lookup(world.subnets, a.id, "EC2 Subnet"),
    "aws:ec2/getAmi:getAmi": (a) => {
        const id = a.filters?.find((f: { name: string }) => f.name === "image-id")?.values?.[0];
        // The provider's words when no image matches.
        const message = "Your query returned no results. Please change your search criteria and try again.";
        if (!world.images[id]) throw Object.assign(new Error(message), { details: message });
        return world.images[id];
    },
    "aws:elasticache/getReplicationGroup:getReplicationGroup": (a) =>
        lookup(world.replicationGroups, a.replicationGroupId, "ElastiCache Replication Group"),
    "aws:elasticache/getCluster:getCluster": (a) => lookup(world.cacheClusters, a.clusterId, "ElastiCache Cluster"),
    "aws:rds/getInstance:getInstance": (a) => lookup(world.dbInstances, a.dbInstanceIdentifier, "RDS DB Instance"),
    "aws:ecs/getService:getService": (a) =>
        lookup(world.ecsServices, `${a.clusterArn}/${a.serviceName}`, "ECS Service"),
    "aws:rds/getCluster:getCluster": (a) => lookup(world.dbClusters, a.clusterIdentifier, "RDS Cluster"),
    "aws:ec2/getVpc:getVpc": () => ({ id: "vpc-0defa17000000000", cidrBlock: "172.31.0.0/16", default: true }),
    "aws:ec2/getSubnets:getSubnets": () => ({
        ids: ["subnet-0defa17000000001", "subnet-0defa17000000002", "subnet-0defa17000000003"],
    }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        userId: ACCOUNT,
    }),
    "aws:index/getRegion:getRegion": () => ({ region: world.region, name: world.region }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
    "aws:secretsmanager/getSecretVersion:getSecretVersion": (args) => ({
        arn: args.secretId,
        secretString: JSON.stringify({ username: "warmstack", password: `rds-managed-password-for-${args.secretId}` }),
    }),
};

const isSecret = (value: any) => !!value && value[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;

function unwrapSecrets(value: any): any {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        if (isSecret(value)) return unwrapSecrets(value.value);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/**
 * Sets the stack's config, installs the mocks, runs `program` and waits until every registration is done.
 * Returns the resources and the resolved stack outputs.
 */
export async function runProgram(
    config: Record<string, string>,
    program: () => Record<string, unknown> | Promise<Record<string, unknown>>,
    stack = "test",
    aws: AwsWorld = productionWorld(),
    registered: RegisteredResource[] = [],
): Promise<ProgramRun> {
    const resources = registered;
    world = aws;
    pulumi.runtime.setAllConfig(config);
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const id = args.id || `${args.name}-id`;
                const state = { ...args.inputs, ...computed(args.type, args.name, args.inputs) };
                const urn = `urn:pulumi:${stack}::warmstack::${args.type}::${args.name}`;
                const secretInputs = Object.keys(args.inputs).filter((k) => isSecret(args.inputs[k]));
                resources.push({
                    type: args.type,
                    name: args.name,
                    id,
                    urn,
                    inputs: unwrapSecrets(args.inputs),
                    secretInputs,
                    state: unwrapSecrets(state),
                });
                return { id, state };
            },
            call(args) {
                world.invokes.push({ token: args.token, inputs: args.inputs, provider: args.provider });
                const answer = INVOKES[args.token];
                if (!answer) throw new Error(`no mock for invoke ${args.token}`);
                return answer(args.inputs);
            },
        },
        "warmstack",
        stack,
        false,
    );

    // A throw inside an apply (a bad user data, a resource built from outputs) rejects no promise we hold: it
    // surfaces as an unhandled rejection while the outputs never resolve. Fail the run with it, at once.
    let failed: (reason: unknown) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => (failed = reject));
    process.on("unhandledRejection", failed);
    let outputs: Record<string, any>;
    try {
        const exported = program();
        outputs = await Promise.race([
            failure,
            new Promise<Record<string, any>>((resolve) =>
                pulumi.output(exported).apply((o) => resolve(o as Record<string, any>)),
            ),
        ]);
        // Resources registered from inside applies (schedules, policies) finish after the outputs do.
        await Promise.race([
            failure,
            (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs(),
        ]);
    } finally {
        process.off("unhandledRejection", failed);
    }

    return {
        resources,
        outputs,
        ofType: (type) => resources.filter((r) => r.type === type),
        one: (type, name) => only(resources, type, name),
    };
}

/** The one resource of `type` (and `name`, if given): any other count is a test failure that says so. */
export function only<R extends { type: string; name: string }>(resources: R[], type: string, name?: string): R {
    const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1)
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    return found[0];
}

/** The resource types the program tests look at. */
export const T = {
    asg: "aws:autoscaling/group:Group",
    schedule: "aws:autoscaling/schedule:Schedule",
    scalingPolicy: "aws:autoscaling/policy:Policy",
    template: "aws:ec2/launchTemplate:LaunchTemplate",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    tg: "aws:lb/targetGroup:TargetGroup",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    profile: "aws:iam/instanceProfile:InstanceProfile",
    role: "aws:iam/role:Role",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    rds: "aws:rds/instance:Instance",
    params: "aws:rds/parameterGroup:ParameterGroup",
    rdsSubnets: "aws:rds/subnetGroup:SubnetGroup",
    cacheSubnets: "aws:elasticache/subnetGroup:SubnetGroup",
    password: "random:index/randomPassword:RandomPassword",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    prewarm: "pulumi-nodejs:dynamic/warmstack:CachePrewarm",
    warmPool: "pulumi-nodejs:dynamic/warmstack:EventWarmPool",
    hook: "aws:autoscaling/lifecycleHook:LifecycleHook",
    groupTag: "aws:autoscaling/tag:Tag",
    scalableTarget: "aws:appautoscaling/target:Target",
    scalingSchedule: "aws:appautoscaling/scheduledAction:ScheduledAction",
    document: "aws:ssm/document:Document",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    record: "aws:route53/record:Record",
    stackReference: "pulumi:pulumi:StackReference",
    lambda: "aws:lambda/function:Function",
    invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    warmSchedule: "aws:scheduler/schedule:Schedule",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    topic: "aws:sns/topic:Topic",
    bucket: "aws:s3/bucket:Bucket",
    bucketObject: "aws:s3/bucketObjectv2:BucketObjectv2",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
} as const;

/** A deploy well before every committed event, so each gets its schedules. */
export const NOW = Date.parse("2026-12-01T12:00:00Z");

/** The committed stack's config with some `warmstack:*` blocks edited (each a function of the parsed block). */
export function editedConfig(stack: string, edits: Record<string, (block: any) => any>): Record<string, string> {
    const config = stackConfig(stack);
    for (const [key, edit] of Object.entries(edits)) {
        const full = `warmstack:${key}`;
        config[full] = JSON.stringify(edit(config[full] === undefined ? undefined : JSON.parse(config[full])));
    }
    return config;
}

export const primaryOf = (run: ProgramRun) => run.ofType(T.rds).find((d) => !d.inputs.replicateSourceDb)!;
export const replicasOf = (run: ProgramRun) => run.ofType(T.rds).filter((d) => d.inputs.replicateSourceDb);

export function securityGroup(run: ProgramRun, tier: string): RegisteredResource {
    const found = run.ofType(T.sg).filter((sg) => sg.inputs.tags?.["warmstack:tier"] === tier);
    if (found.length !== 1) throw new Error(`expected one ${tier} security group, found ${found.length}`);
    return found[0];
}

/** A group's rules in one direction, as `port ← or → peer` where peer is a tier name or a CIDR. */
export function rulesOf(run: ProgramRun, tier: string, direction: "in" | "out"): string[] {
    const tierOf = new Map(run.ofType(T.sg).map((sg) => [sg.id, sg.inputs.tags?.["warmstack:tier"]]));
    return run
        .ofType(direction === "in" ? T.ingress : T.egress)
        .filter((r) => r.inputs.securityGroupId === securityGroup(run, tier).id)
        .map((r) => {
            assert.equal(r.inputs.fromPort, r.inputs.toPort, "one port per rule");
            assert.equal(r.inputs.ipProtocol, "tcp");
            return `${r.inputs.fromPort} ${r.inputs.cidrIpv4 ?? tierOf.get(r.inputs.referencedSecurityGroupId)}`;
        })
        .sort();
}

/** The agent config the launch template's user data writes. */
export function userDataOf(run: ProgramRun): { script: string; agentConfig: string } {
    const script = Buffer.from(run.one(T.template).inputs.userData, "base64").toString("utf8");
    const agentConfig = /<<'WARMSTACK_AGENT_CONFIG'\n([\s\S]*?)\nWARMSTACK_AGENT_CONFIG/.exec(script)?.[1];
    if (!agentConfig) throw new Error("user data writes no agent config");
    return { script, agentConfig };
}

/** The statements of the inline policies on the role named `roleName` (the mock's role name). */
export function statementsOf(run: ProgramRun, roleName: string): any[] {
    const role = run.one(T.role, roleName);
    return run
        .ofType(T.rolePolicy)
        .filter((p) => p.inputs.role === role.state.name)
        .flatMap((p) => JSON.parse(p.inputs.policy).Statement);
}

/** Runs the program on a config it must refuse; returns what it threw and what it registered before. */
export async function runExpectingFailure(
    config: Record<string, string>,
): Promise<{ run: ProgramRun; error: unknown }> {
    let error: unknown;
    const run = await runProgram(config, () => {
        try {
            return warmstackFromPulumiConfig(NOW);
        } catch (err) {
            error = err;
            return {};
        }
    });
    return { run, error };
}

/** The message of a config the preview refuses, asserting it is one RunError with nothing registered. */
export async function refusedAtPreview(config: Record<string, string>): Promise<string> {
    const { run, error } = await runExpectingFailure(config);
    assert.ok(pulumi.RunError.isInstance(error), `a RunError, not ${String(error)}`);
    assert.equal(run.resources.length, 0, "no resource registered");
    return (error as Error).message;
}
