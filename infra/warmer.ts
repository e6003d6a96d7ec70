// The warmer function: the data tier's warm engine, deployed inside the VPC so it can reach the private cache
// and database that a `pulumi up` from a laptop or CI runner cannot. Its code is the same bundle the
// CachePrewarm provider runs. A deploy-time invoke carries its secrets in the (encrypted) payload; the
// scheduled run names them by ARN, so the role may read exactly those secrets and nothing else.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runtimeBundle } from "./bundles";
import { serviceRole } from "./roles";
import { WARMER_MEMORY_MB } from "../model/data-warm";
import { STACK_NAME_ENV, WARM_METRICS } from "../model/warm-metrics";

/**
 * Node 24, the active LTS line (Node 22 is in maintenance): the bundle targets Node 20 syntax, so it runs on
 * it unchanged, and the handler is async, as the nodejs24.x runtime requires.
 */
export const WARMER_RUNTIME = aws.lambda.Runtime.NodeJS24dX;

export interface WarmerFunctionArgs {
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupId: pulumi.Input<string>;
    /** The plan's function timeout: beyond the warm's own, so the engine's timeout message reaches the caller. */
    timeoutSeconds: number;
    /** The Secrets Manager secrets the scheduled run reads (the warmer role's password, the cache token). */
    secretArns: pulumi.Input<string>[];
}

export class WarmerFunction extends pulumi.ComponentResource {
    readonly functionName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: WarmerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:prewarm:WarmerFunction", name, {}, opts);
        const parent = { parent: this };
        const { role, policy: secrets } = serviceRole(
            `${name}-role`,
            {
                service: "lambda.amazonaws.com",
                policyName: `${name}-secrets`,
                statements: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.secretArns }],
            },
            this,
        );
        // Network interfaces in the VPC and its own logs: AWS's managed policy, whose ENI actions IAM cannot
        // scope to a resource.
        const access = new aws.iam.RolePolicyAttachment(
            `${name}-vpc-access`,
            { role: role.name, policyArn: aws.iam.ManagedPolicy.AWSLambdaVPCAccessExecutionRole },
            parent,
        );
        // The warm's report as metrics (`warmstack check`, the dashboard). PutMetricData takes no resource: the
        // condition keeps the role to the warm's own namespace.
        const metrics = new aws.iam.RolePolicy(
            `${name}-metrics`,
            {
                role: role.name,
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: "cloudwatch:PutMetricData",
                            Resource: "*",
                            Condition: { StringEquals: { "cloudwatch:namespace": WARM_METRICS.namespace } },
                        },
                    ],
                }),
            },
            parent,
        );
        const fn = new aws.lambda.Function(
            `${name}-fn`,
            {
                runtime: WARMER_RUNTIME,
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(runtimeBundle()) }),
                role: role.arn,
                timeout: args.timeoutSeconds,
                // The plan's estimate of the warm's duration assumes this memory (model/data-warm.ts).
                memorySize: WARMER_MEMORY_MB,
                vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
                // The metrics' Stack dimension: the name nothing in an invoke's payload carries.
                environment: { variables: { [STACK_NAME_ENV]: pulumi.getStack() } },
            },
            { parent: this, dependsOn: [access, secrets, metrics] },
        );
        this.functionName = fn.name;
        this.functionArn = fn.arn;
        this.roleName = role.name;
        this.registerOutputs({ functionName: this.functionName });
    }
}
