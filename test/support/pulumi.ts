// Runs the warmstack program under pulumi.runtime.setMocks, as `pulumi up` would but with no engine and no
// cloud, and records every resource it registers with the inputs it sent.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

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

/** The `config:` block of a committed `Pulumi.<stack>.yaml`, flattened the way the CLI hands it to the program. */
export function stackConfig(stack: string): Record<string, string> {
    const file = path.join(REPO, `Pulumi.${stack}.yaml`);
    const config = (parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
    return Object.fromEntries(
        Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

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
            return {
                ...base,
                primaryEndpointAddress: `master.${name}.cache.amazonaws.com`,
                readerEndpointAddress: `replica.${name}.cache.amazonaws.com`,
            };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...base, latestVersion: 1 };
        case "aws:lb/loadBalancer:LoadBalancer":
            return { ...base, arnSuffix: `app/${name}/0123456789`, dnsName: `${name}.${REGION}.elb.amazonaws.com` };
        case "aws:lb/targetGroup:TargetGroup":
            return { ...base, arnSuffix: `targetgroup/${name}/0123456789` };
        case "random:index/randomPassword:RandomPassword":
            return { result: `token-${name}-${"x".repeat(40)}` };
        default:
            return base;
    }
}

const INVOKES: Record<string, (args: Record<string, any>) => Record<string, any>> = {
    "aws:ec2/getVpc:getVpc": () => ({ id: "vpc-0defa17000000000", cidrBlock: "172.31.0.0/16", default: true }),
    "aws:ec2/getSubnets:getSubnets": () => ({
        ids: ["subnet-0defa17000000001", "subnet-0defa17000000002", "subnet-0defa17000000003"],
    }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        userId: ACCOUNT,
    }),
    "aws:index/getRegion:getRegion": () => ({ region: REGION, name: REGION }),
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
    program: () => Record<string, unknown>,
    stack = "test",
): Promise<ProgramRun> {
    const resources: RegisteredResource[] = [];
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
                const answer = INVOKES[args.token];
                if (!answer) throw new Error(`no mock for invoke ${args.token}`);
                return answer(args.inputs);
            },
        },
        "warmstack",
        stack,
        false,
    );

    const exported = program();
    const outputs = await new Promise<Record<string, any>>((resolve) =>
        pulumi.output(exported).apply((o) => resolve(o as Record<string, any>)),
    );
    // Resources registered from inside applies (schedules, policies) finish after the outputs do.
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();

    return {
        resources,
        outputs,
        ofType: (type) => resources.filter((r) => r.type === type),
        one(type, name) {
            const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
            if (found.length !== 1)
                throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
            return found[0];
        },
    };
}
