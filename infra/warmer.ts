// The warmer function: the cache pre-warm's engine, deployed inside the VPC so it can reach the private cache
// and database that a `pulumi up` from a laptop or CI runner cannot. Its code is the same bundle the
// CachePrewarm provider runs; its secrets arrive in each invoke payload, so its role needs no secret access.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runtimeBundle } from "../warmers/provider/bundle";

const FUNCTION_MARGIN_SECONDS = 30;

export interface WarmerFunctionArgs {
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupId: pulumi.Input<string>;
    timeoutSeconds: number;
}

export class WarmerFunction extends pulumi.ComponentResource {
    readonly functionName: pulumi.Output<string>;

    constructor(name: string, args: WarmerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:cache:WarmerFunction", name, {}, opts);
        const parent = { parent: this };
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
            },
            parent,
        );
        // Network interfaces in the VPC and its own logs: all it needs.
        const access = new aws.iam.RolePolicyAttachment(
            `${name}-vpc-access`,
            {
                role: role.name,
                policyArn: aws.iam.ManagedPolicy.AWSLambdaVPCAccessExecutionRole,
            },
            parent,
        );
        const fn = new aws.lambda.Function(
            `${name}-fn`,
            {
                runtime: aws.lambda.Runtime.NodeJS20dX,
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(runtimeBundle()) }),
                role: role.arn,
                // Beyond the warm's own limit, so the engine's timeout message, not Lambda's, reaches the deploy.
                timeout: args.timeoutSeconds + FUNCTION_MARGIN_SECONDS,
                memorySize: 1024,
                vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
            },
            { parent: this, dependsOn: [access] },
        );
        this.functionName = fn.name;
        this.registerOutputs({ functionName: this.functionName });
    }
}
