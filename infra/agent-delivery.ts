// AgentDelivery: the agent on instances warmstack did not launch. Production's launch template is production's, so
// its user data cannot carry the agent; instead an EventBridge rule on the group's "EC2 Instance-launch Lifecycle
// Action" events starts an SSM Automation for the instance, which runs the Command document (the same install the
// built stack's user data does: the digest-checked agent from the stack's bucket, its config, its systemd unit).
// The agent completes the hook (CONTINUE, or ABANDON with its reason); an instance that cannot run the command at
// all (no SSM agent, no permission, no Node) fails the Automation's step, whose onFailure ABANDONs the instance at
// once, the step's failure message being the reason in the execution's history — never left to the hook's timeout.
// Production's instance role gets one inline policy for the event, removed by `pulumi destroy`.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AgentConfigFile } from "../model/agent-config";
import { AgentArtifact, userDataScript } from "./userdata";

/** How long the Automation waits for the command to be delivered and the install to finish before it ABANDONs. */
export const DELIVERY_TIMEOUT_SECONDS = 300;

export interface AgentDeliveryArgs {
    groupName: pulumi.Input<string>;
    groupArn: pulumi.Input<string>;
    hookName: string;
    /** Production's instance role: it gets the event's inline policy. */
    instanceRoleName: pulumi.Input<string>;
    agentConfig: pulumi.Input<AgentConfigFile>;
    agent: pulumi.Input<AgentArtifact>;
    /** The one S3 object the instances may read (the stored agent); absent when the image carries it. */
    agentObjectArn?: pulumi.Input<string>;
    /** The secrets the agent reads: the database role's and the cache token's. */
    secretArns: pulumi.Input<pulumi.Input<string>[]>;
}

/** The Command document: the install script, carried as base64 so no shell quoting can change it. */
export function commandDocument(script: string): object {
    const encoded = Buffer.from(script, "utf8").toString("base64");
    return {
        schemaVersion: "2.2",
        description: "warmstack: install and start the agent, which warms this instance and completes its launch hook",
        mainSteps: [
            {
                action: "aws:runShellScript",
                name: "startAgent",
                inputs: {
                    timeoutSeconds: String(DELIVERY_TIMEOUT_SECONDS),
                    runCommand: [
                        "set -euo pipefail",
                        "install -d -m 0700 /run/warmstack",
                        `echo '${encoded}' | base64 -d > /run/warmstack/install.sh`,
                        "exec bash /run/warmstack/install.sh",
                    ],
                },
            },
        ],
    };
}

/** The Automation document: run the command on the instance; if that fails for any reason, ABANDON it now. */
export function automationDocument(commandName: string, groupName: string, hookName: string): object {
    return {
        schemaVersion: "0.3",
        description: "warmstack: deliver the agent to a launching instance, or ABANDON it at once",
        assumeRole: "{{ AutomationAssumeRole }}",
        parameters: {
            InstanceId: { type: "String" },
            AutomationAssumeRole: { type: "String" },
        },
        mainSteps: [
            {
                name: "startAgent",
                action: "aws:runCommand",
                timeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
                onFailure: "step:abandon",
                inputs: { DocumentName: commandName, InstanceIds: ["{{ InstanceId }}"] },
                isEnd: true,
            },
            {
                name: "abandon",
                action: "aws:executeAwsApi",
                inputs: {
                    Service: "autoscaling",
                    Api: "CompleteLifecycleAction",
                    AutoScalingGroupName: groupName,
                    LifecycleHookName: hookName,
                    InstanceId: "{{ InstanceId }}",
                    LifecycleActionResult: "ABANDON",
                },
                isEnd: true,
            },
        ],
    };
}

export class AgentDelivery extends pulumi.ComponentResource {
    readonly rule: aws.cloudwatch.EventRule;

    constructor(name: string, args: AgentDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:compute:AgentDelivery", name, {}, opts);
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const region = aws.getRegionOutput({}, parent).region;
        const partition = aws.getPartitionOutput({}, parent).partition;

        new aws.iam.RolePolicy(
            `${name}-instance`,
            {
                role: args.instanceRoleName,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: [
                                "autoscaling:CompleteLifecycleAction",
                                "autoscaling:RecordLifecycleActionHeartbeat",
                            ],
                            Resource: args.groupArn,
                        },
                        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.secretArns },
                        ...(args.agentObjectArn
                            ? [{ Effect: "Allow", Action: "s3:GetObject", Resource: args.agentObjectArn }]
                            : []),
                    ],
                }),
            },
            parent,
        );

        const command = new aws.ssm.Document(
            `${name}-command`,
            {
                documentType: "Command",
                documentFormat: "JSON",
                content: pulumi
                    .all([args.agentConfig, args.agent])
                    .apply(([config, agent]) => JSON.stringify(commandDocument(userDataScript(config, agent)))),
            },
            parent,
        );
        const commandArn = pulumi.interpolate`arn:${partition}:ssm:${region}:${identity.accountId}:document/${command.name}`;
        const automationRole = new aws.iam.Role(
            `${name}-automation`,
            { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ssm.amazonaws.com" }) },
            parent,
        );
        new aws.iam.RolePolicy(
            `${name}-automation`,
            {
                role: automationRole.name,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: "ssm:SendCommand", Resource: commandArn },
                        {
                            // Only the group's instances: Auto Scaling tags each with its group's name.
                            Effect: "Allow",
                            Action: "ssm:SendCommand",
                            Resource: pulumi.interpolate`arn:${partition}:ec2:${region}:${identity.accountId}:instance/*`,
                            Condition: {
                                StringEquals: { "ssm:resourceTag/aws:autoscaling:groupName": args.groupName },
                            },
                        },
                        {
                            // Reading a command's progress has no resource-level permission in IAM.
                            Effect: "Allow",
                            Action: [
                                "ssm:ListCommands",
                                "ssm:ListCommandInvocations",
                                "ssm:DescribeInstanceInformation",
                            ],
                            Resource: "*",
                        },
                        { Effect: "Allow", Action: "autoscaling:CompleteLifecycleAction", Resource: args.groupArn },
                    ],
                }),
            },
            parent,
        );
        const automation = new aws.ssm.Document(
            `${name}-automation`,
            {
                documentType: "Automation",
                documentFormat: "JSON",
                content: pulumi
                    .all([command.name, args.groupName])
                    .apply(([commandName, group]) =>
                        JSON.stringify(automationDocument(commandName, group, args.hookName)),
                    ),
            },
            parent,
        );
        const definitionArn = pulumi.interpolate`arn:${partition}:ssm:${region}:${identity.accountId}:automation-definition/${automation.name}:$DEFAULT`;
        const starter = new aws.iam.Role(
            `${name}-events`,
            { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "events.amazonaws.com" }) },
            parent,
        );
        new aws.iam.RolePolicy(
            `${name}-events`,
            {
                role: starter.name,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: "ssm:StartAutomationExecution", Resource: definitionArn },
                        { Effect: "Allow", Action: "iam:PassRole", Resource: automationRole.arn },
                    ],
                }),
            },
            parent,
        );
        this.rule = new aws.cloudwatch.EventRule(
            `${name}-launching`,
            {
                description: "warmstack: deliver the agent to each instance the group launches",
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.autoscaling"],
                    "detail-type": ["EC2 Instance-launch Lifecycle Action"],
                    detail: { AutoScalingGroupName: [args.groupName], LifecycleHookName: [args.hookName] },
                }),
            },
            parent,
        );
        new aws.cloudwatch.EventTarget(
            `${name}-launching`,
            {
                rule: this.rule.name,
                arn: definitionArn,
                roleArn: starter.arn,
                inputTransformer: {
                    inputPaths: { instance: "$.detail.EC2InstanceId" },
                    inputTemplate: pulumi.interpolate`{"InstanceId":["<instance>"],"AutomationAssumeRole":["${automationRole.arn}"]}`,
                },
            },
            parent,
        );
        this.registerOutputs({});
    }
}
