// The IAM policy a CI job's role needs to run `warmstack check` on this stack: the read-only calls
// warmers/check/read.ts makes, each on exactly the stack's resource where IAM can name one. Auto Scaling's
// Describe* and CloudWatch's GetMetricData take no resource in IAM, so those two statements say `*`.

/** The resources the check reads, by ARN. */
export interface CheckResources {
    cacheGroupArn: string;
    replicaArns: string[];
    topicArn: string;
    /** The scheduled warm and its alarm, when the stack has them. */
    scheduleArn?: string;
    alarmArn?: string;
}

/** Every action the check calls, by what it reads. */
export const CHECK_ACTIONS = {
    /** IAM takes no resource for these. */
    unscoped: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeWarmPool",
        "autoscaling:DescribeLifecycleHooks",
        "autoscaling:DescribeScheduledActions",
        "autoscaling:DescribeScalingActivities",
        "cloudwatch:GetMetricData",
    ],
    cache: ["elasticache:DescribeReplicationGroups"],
    replicas: ["rds:DescribeDBInstances"],
    topic: ["sns:ListSubscriptionsByTopic"],
    schedule: ["scheduler:GetSchedule"],
    alarm: ["cloudwatch:DescribeAlarms"],
} as const;

export function checkPolicyDocument(r: CheckResources) {
    const statement = (sid: string, actions: readonly string[], resource: string | string[]) => ({
        Sid: sid,
        Effect: "Allow",
        Action: [...actions],
        Resource: resource,
    });
    return {
        Version: "2012-10-17",
        Statement: [
            statement("NoResourceLevelPermissions", CHECK_ACTIONS.unscoped, "*"),
            statement("Cache", CHECK_ACTIONS.cache, r.cacheGroupArn),
            statement("Replicas", CHECK_ACTIONS.replicas, r.replicaArns),
            statement("AlertTopic", CHECK_ACTIONS.topic, r.topicArn),
            ...(r.scheduleArn ? [statement("DataWarmSchedule", CHECK_ACTIONS.schedule, r.scheduleArn)] : []),
            ...(r.alarmArn ? [statement("WarmAlarm", CHECK_ACTIONS.alarm, r.alarmArn)] : []),
        ],
    };
}
