// The live half of `warmstack check`: what AWS says is there, read once per resource the stack outputs name,
// as verdict.ts's plain LiveState. Read-only calls, each under its own deadline; region, credentials and
// endpoints come from the SDK's standard environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ...).
// Anything AWS says does not exist is state for the verdict; anything that keeps AWS from answering (no
// endpoint, no credentials, access denied) is one CheckAwsError naming the endpoint or the permission.
import {
    AutoScalingClient,
    DescribeAutoScalingGroupsCommand,
    DescribeLifecycleHooksCommand,
    DescribeScalingActivitiesCommand,
    DescribeScheduledActionsCommand,
    DescribeWarmPoolCommand,
} from "@aws-sdk/client-auto-scaling";
import {
    CloudWatchClient,
    DescribeAlarmsCommand,
    GetMetricDataCommand,
    MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { WarmstackError } from "../../model/errors";
import { WARM_METRICS } from "../../model/warm-metrics";
import { CALL_TIMEOUT_MS, sdkClientOptions } from "../sdk-options";
import { abortAfter } from "../timeout";
import type { StackOutputs } from "./outputs";
import type { Datapoint, LiveState } from "./verdict";

/** How far back the last warm's report is looked for: CloudWatch keeps one-minute data 15 days. */
const WARM_LOOKBACK_MS = 14 * 24 * 3_600_000;
/** How recent a replica's lag or the pool's warmed capacity must be to count as now. */
const RECENT_MS = 10 * 60_000;

/** AWS did not answer, or refused: an endpoint unreachable, no region or credentials, access denied. */
export class CheckAwsError extends WarmstackError {
    readonly code = "CHECK_AWS";
}

/** The SDK's service id (AWS_ENDPOINT_URL_<ID>) and endpoint prefix of each client the check uses. */
const SERVICES = {
    autoscaling: { env: "AUTO_SCALING", prefix: "autoscaling" },
    elasticache: { env: "ELASTICACHE", prefix: "elasticache" },
    rds: { env: "RDS", prefix: "rds" },
    scheduler: { env: "SCHEDULER", prefix: "scheduler" },
    sns: { env: "SNS", prefix: "sns" },
    cloudwatch: { env: "CLOUDWATCH", prefix: "monitoring" },
} as const;
type Service = keyof typeof SERVICES;

/** Where the SDK sends `service`'s calls, as the standard environment decides it: for the error line. */
export function endpointOf(service: Service, env: NodeJS.ProcessEnv = process.env): string {
    const { env: id, prefix } = SERVICES[service];
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "(no region: set AWS_REGION)";
    return env[`AWS_ENDPOINT_URL_${id}`] ?? env.AWS_ENDPOINT_URL ?? `https://${prefix}.${region}.amazonaws.com`;
}

const DENIED = new Set([
    "AccessDenied",
    "AccessDeniedException",
    "AuthorizationError",
    "AuthorizationErrorException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
]);

interface SdkError {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
}

/** One call: its own deadline; `notFound` error names resolve to undefined (the thing does not exist). */
async function call<T>(
    service: Service,
    action: string,
    resource: string,
    send: (abortSignal: AbortSignal) => Promise<T>,
    notFound: readonly string[] = [],
): Promise<T | undefined> {
    try {
        return await abortAfter(CALL_TIMEOUT_MS, `${action} (${endpointOf(service)})`, send);
    } catch (err) {
        const e = err as SdkError;
        if (e.name && notFound.includes(e.name)) return undefined;
        const reason = (e.message ?? String(err)).split("\n")[0];
        if ((e.name && DENIED.has(e.name)) || e.$metadata?.httpStatusCode === 403)
            throw new CheckAwsError(`access denied: ${service}:${action} on ${resource}: ${reason}`, { cause: err });
        throw new CheckAwsError(`cannot read ${service}:${action} at ${endpointOf(service)}: ${reason}`, {
            cause: err,
        });
    }
}

function clients() {
    const options = sdkClientOptions();
    return {
        autoscaling: new AutoScalingClient(options),
        elasticache: new ElastiCacheClient(options),
        rds: new RDSClient(options),
        scheduler: new SchedulerClient(options),
        sns: new SNSClient(options),
        cloudwatch: new CloudWatchClient(options),
    };
}
type Clients = ReturnType<typeof clients>;

/** Everything the verdict needs, read now. */
export async function readLive(outputs: StackOutputs, now = Date.now()): Promise<LiveState> {
    const aws = clients();
    try {
        const [compute, cache, schedule, replicas, subscriptions, alarm, metrics] = await Promise.all([
            readCompute(aws, outputs.autoScalingGroup),
            readCache(aws, outputs.cacheReplicationGroup),
            readSchedule(aws, outputs.dataWarm),
            Promise.all(outputs.databaseReplicas.map((id) => readReplica(aws, id))),
            readSubscriptions(aws, outputs.alertTopicArn),
            readAlarm(aws, outputs.warmAlarm),
            readMetrics(aws, outputs, now),
        ]);
        const { warmPool, ...group } = compute;
        return {
            ...group,
            warmPool: warmPool && { ...warmPool, warmedCapacity: metrics.warmedCapacity },
            cache,
            schedule,
            lastWarm: metrics.warmth && { warmth: metrics.warmth, keysWritten: metrics.keysWritten?.value },
            replicas: Object.fromEntries(
                outputs.databaseReplicas.map((id, i) => [
                    id,
                    replicas[i] && { status: replicas[i].status, lag: metrics.lag[id] },
                ]),
            ),
            subscriptions,
            alarm,
        };
    } finally {
        for (const client of Object.values(aws)) client.destroy();
    }
}

async function readCompute(aws: Clients, name: string) {
    const groups = await call("autoscaling", "DescribeAutoScalingGroups", name, (abortSignal) =>
        aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }), { abortSignal }),
    );
    const group = groups?.AutoScalingGroups?.[0];
    if (!group) return { hooks: [], scheduledActions: [] } satisfies Partial<LiveState>;
    const [pool, hooks, actions] = await Promise.all([
        call("autoscaling", "DescribeWarmPool", name, (abortSignal) =>
            aws.autoscaling.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: name }), { abortSignal }),
        ),
        call("autoscaling", "DescribeLifecycleHooks", name, (abortSignal) =>
            aws.autoscaling.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: name }), { abortSignal }),
        ),
        call("autoscaling", "DescribeScheduledActions", name, (abortSignal) =>
            aws.autoscaling.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: name }), {
                abortSignal,
            }),
        ),
    ]);
    const instances = (pool?.Instances ?? []).map((i) => ({ id: i.InstanceId ?? "", state: i.LifecycleState ?? "" }));
    const waiting = instances.filter((i) => i.state === "Warmed:Pending:Wait");
    // How long an instance has waited is in the group's activities only: read them only when one waits.
    const since = waiting.length ? await launchTimes(aws, name) : new Map<string, number>();
    const config = pool?.WarmPoolConfiguration;
    return {
        group: {
            minSize: group.MinSize ?? 0,
            maxSize: group.MaxSize ?? 0,
            desiredCapacity: group.DesiredCapacity ?? 0,
        },
        warmPool: config && {
            state: config.PoolState ?? "",
            minSize: config.MinSize ?? 0,
            instances: instances.map((i) => ({ ...i, since: since.get(i.id) })),
        },
        hooks: (hooks?.LifecycleHooks ?? []).map((h) => ({
            name: h.LifecycleHookName ?? "",
            transition: h.LifecycleTransition ?? "",
            defaultResult: h.DefaultResult ?? "",
            heartbeatSeconds: h.HeartbeatTimeout ?? 0,
        })),
        scheduledActions: (actions?.ScheduledUpdateGroupActions ?? []).map((a) => ({
            name: a.ScheduledActionName ?? "",
            startTime: a.StartTime?.getTime() ?? 0,
            minSize: a.MinSize,
            maxSize: a.MaxSize,
            desiredCapacity: a.DesiredCapacity,
        })),
    };
}

/** When each instance's launch began, from the group's recent activities ("… instance: i-0abc…"). */
async function launchTimes(aws: Clients, name: string): Promise<Map<string, number>> {
    const answer = await call("autoscaling", "DescribeScalingActivities", name, (abortSignal) =>
        aws.autoscaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: 100 }), {
            abortSignal,
        }),
    );
    const times = new Map<string, number>();
    for (const activity of answer?.Activities ?? []) {
        const id = /\b(i-[0-9a-f]+)\b/.exec(activity.Description ?? "")?.[1];
        const start = activity.StartTime?.getTime();
        if (id && start !== undefined && !times.has(id)) times.set(id, start);
    }
    return times;
}

async function readCache(aws: Clients, id: string): Promise<LiveState["cache"]> {
    const answer = await call(
        "elasticache",
        "DescribeReplicationGroups",
        id,
        (abortSignal) =>
            aws.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }), { abortSignal }),
        ["ReplicationGroupNotFoundFault"],
    );
    const group = answer?.ReplicationGroups?.[0];
    if (!group) return undefined;
    const shards = group.NodeGroups ?? [];
    return {
        status: group.Status ?? "",
        shards: shards.length,
        replicasPerShard: shards.length ? Math.min(...shards.map((s) => (s.NodeGroupMembers?.length ?? 1) - 1)) : 0,
    };
}

async function readSchedule(aws: Clients, dataWarm: StackOutputs["dataWarm"]): Promise<LiveState["schedule"]> {
    if (typeof dataWarm === "string") return undefined;
    const answer = await call(
        "scheduler",
        "GetSchedule",
        dataWarm.schedule,
        (abortSignal) => aws.scheduler.send(new GetScheduleCommand({ Name: dataWarm.schedule }), { abortSignal }),
        ["ResourceNotFoundException"],
    );
    if (!answer) return undefined;
    return {
        state: answer.State ?? "",
        expression: answer.ScheduleExpression ?? "",
        timezone: answer.ScheduleExpressionTimezone,
        flexibleMode: answer.FlexibleTimeWindow?.Mode ?? "",
        targetArn: answer.Target?.Arn ?? "",
    };
}

async function readReplica(aws: Clients, id: string): Promise<{ status: string } | undefined> {
    const answer = await call(
        "rds",
        "DescribeDBInstances",
        id,
        (abortSignal) => aws.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), { abortSignal }),
        ["DBInstanceNotFoundFault", "DBInstanceNotFound"],
    );
    const instance = answer?.DBInstances?.[0];
    return instance && { status: instance.DBInstanceStatus ?? "" };
}

async function readSubscriptions(aws: Clients, topicArn: string): Promise<string[]> {
    const arns: string[] = [];
    let token: string | undefined;
    do {
        const answer = await call(
            "sns",
            "ListSubscriptionsByTopic",
            topicArn,
            (abortSignal) =>
                aws.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }), {
                    abortSignal,
                }),
            ["NotFoundException", "NotFound"],
        );
        arns.push(...(answer?.Subscriptions ?? []).map((s) => s.SubscriptionArn ?? ""));
        token = answer?.NextToken;
    } while (token);
    return arns;
}

async function readAlarm(aws: Clients, name: string | undefined): Promise<LiveState["alarm"]> {
    if (!name) return undefined;
    const answer = await call("cloudwatch", "DescribeAlarms", name, (abortSignal) =>
        aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }), { abortSignal }),
    );
    const alarm = answer?.MetricAlarms?.[0];
    return alarm && { state: alarm.StateValue ?? "" };
}

interface Metrics {
    warmth?: Datapoint;
    keysWritten?: Datapoint;
    warmedCapacity?: Datapoint;
    lag: Record<string, Datapoint | undefined>;
}

function query(id: string, namespace: string, metric: string, dimension: [string, string]): MetricDataQuery {
    return {
        Id: id,
        MetricStat: {
            Metric: {
                Namespace: namespace,
                MetricName: metric,
                Dimensions: [{ Name: dimension[0], Value: dimension[1] }],
            },
            Period: 60,
            Stat: "Maximum",
        },
    };
}

/** The newest datapoint of each query, over [now − lookback, now]. */
async function latest(
    aws: Clients,
    queries: MetricDataQuery[],
    lookbackMs: number,
    now: number,
): Promise<Record<string, Datapoint | undefined>> {
    const answer = await call(
        "cloudwatch",
        "GetMetricData",
        queries.map((q) => q.MetricStat?.Metric?.MetricName).join(", "),
        (abortSignal) =>
            aws.cloudwatch.send(
                new GetMetricDataCommand({
                    MetricDataQueries: queries,
                    StartTime: new Date(now - lookbackMs),
                    // A minute ahead: a datapoint stamped this minute is inside the window.
                    EndTime: new Date(now + 60_000),
                    ScanBy: "TimestampDescending",
                }),
                { abortSignal },
            ),
    );
    const found: Record<string, Datapoint | undefined> = {};
    for (const series of answer?.MetricDataResults ?? []) {
        const points = (series.Timestamps ?? []).map((t, i) => ({ at: t.getTime(), value: series.Values?.[i] ?? NaN }));
        found[series.Id ?? ""] = points.reduce<Datapoint | undefined>((a, b) => (!a || b.at > a.at ? b : a), undefined);
    }
    return found;
}

async function readMetrics(aws: Clients, outputs: StackOutputs, now: number): Promise<Metrics> {
    const stack: [string, string] = [WARM_METRICS.dimension, outputs.stack];
    const replicaIds = outputs.databaseReplicas;
    const [warm, recent] = await Promise.all([
        latest(
            aws,
            [
                query("warmth", WARM_METRICS.namespace, WARM_METRICS.warmth, stack),
                query("keys", WARM_METRICS.namespace, WARM_METRICS.keysWritten, stack),
            ],
            WARM_LOOKBACK_MS,
            now,
        ),
        latest(
            aws,
            [
                query("pool", "AWS/AutoScaling", "WarmPoolWarmedCapacity", [
                    "AutoScalingGroupName",
                    outputs.autoScalingGroup,
                ]),
                ...replicaIds.map((id, i) => query(`lag${i}`, "AWS/RDS", "ReplicaLag", ["DBInstanceIdentifier", id])),
            ],
            RECENT_MS,
            now,
        ),
    ]);
    return {
        warmth: warm.warmth,
        keysWritten: warm.keys,
        warmedCapacity: recent.pool,
        lag: Object.fromEntries(replicaIds.map((id, i) => [id, recent[`lag${i}`]])),
    };
}
