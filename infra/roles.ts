// The one way the stack makes an IAM role: a role one AWS service assumes, with one inline policy whose statements
// name single resources. Every role of the stack (the instances', the warmer function's, the Scheduler's) is one.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceRoleArgs {
    /** The service principal that assumes it, e.g. `lambda.amazonaws.com`. */
    service: string;
    /** The inline policy's statements. */
    statements: pulumi.Input<pulumi.Input<object>[]>;
    /** The inline policy's resource name. @defaultValue the role's name */
    policyName?: string;
}

export interface ServiceRole {
    role: aws.iam.Role;
    /** What must exist before the role is used with its permissions. */
    policy: aws.iam.RolePolicy;
}

export function serviceRole(name: string, args: ServiceRoleArgs, parent: pulumi.Resource): ServiceRole {
    const role = new aws.iam.Role(
        name,
        { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: args.service }) },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        args.policyName ?? name,
        { role: role.name, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: args.statements }) },
        { parent },
    );
    return { role, policy };
}
