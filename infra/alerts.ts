// Where the stack's alarms go: the topic `warmstack:alerts.topicArn` names (an on-call channel that exists
// already), or one the stack creates and outputs for someone to subscribe to. Nobody watches a warm at 04:30.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export function alertTopicArn(
    name: string,
    given: string | undefined,
    opts?: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
    // Unencrypted on purpose: CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key, and the
    // messages carry alarm names and states, nothing secret.
    return given ? pulumi.output(given) : new aws.sns.Topic(name, {}, opts).arn;
}
