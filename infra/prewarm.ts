// DataPrewarm: the data tier's warm, at both times it must happen.
// - Deploy time: on every `pulumi up`, once the group and every replica exist, the CachePrewarm resource sets up
//   the database (pg_prewarm, the least-privilege roles), loads each replica's buffers, then warms the cache.
// - Event time: an EventBridge Scheduler one-time schedule invokes the warmer function at the plan's instant, with
//   a payload that names its secrets by ARN only; an alarm reports a failed warm to the alerts topic.
// A scheduled warm needs the function, so an event stack gets it whatever `cache.prewarm.mode` says (the plan's
// `dataPrewarm.warmerFunction`); the mode only chooses who runs the deploy-time warm (the function, or the
// deploy itself from inside the VPC).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { atExpression } from "../policies/shared/contract";
import { PrewarmMode, ScheduledWarm, scheduledWarm } from "../model/prewarm-contract";
import { CachePrewarm } from "./providers/cache-prewarm";
import { ReadinessPlan } from "../model/plan";
import type { RetryWindow } from "../model/plan/data-prewarm";
import { executionInput, executionLimitSeconds, warmStateMachine } from "../model/warm-state-machine";
import { serviceRole } from "./roles";
import { WarmerFunction } from "./warmer";

export interface DataPrewarmArgs {
    plan: Pick<ReadinessPlan, "event" | "cache" | "dataPrewarm">;
    /** The ranking query (`cache.prewarm.query`) and who runs the deploy-time warm. */
    query: string;
    mode: PrewarmMode;
    cache: {
        replicationGroupId: pulumi.Input<string>;
        /** The primary endpoint, or in cluster mode the configuration endpoint. */
        host: pulumi.Input<string>;
        port: number;
        authToken: pulumi.Input<string>;
        authTokenSecretArn: pulumi.Input<string>;
    };
    database: {
        name: string;
        port: number;
        primaryHost: pulumi.Input<string>;
        /** Every read replica: the first is the cache warm's source, each gets its buffers warmed. */
        replicaHosts: pulumi.Input<pulumi.Input<string>[]>;
        /** The master user, for the setup on the primary; absent (an attached stack): no setup, no role created. */
        master?: { user: string; password: pulumi.Input<string> };
        warmer: { user: pulumi.Input<string>; password: pulumi.Input<string>; secretArn: pulumi.Input<string> };
        agent?: { user: string; password: pulumi.Input<string> };
    };
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupId: pulumi.Input<string>;
    /** Where a failed scheduled warm is reported. */
    alertTopicArn: pulumi.Input<string>;
    /** Resources the warm's traffic needs besides its inputs (the security group rules). */
    after?: pulumi.Input<pulumi.Resource>[];
}

export class DataPrewarm extends pulumi.ComponentResource {
    readonly prewarm: CachePrewarm;
    /** The warm instant and the schedule's name, or why there is no schedule. */
    readonly scheduled: pulumi.Output<{ at: string; schedule: string } | string>;
    private readonly plan: DataPrewarmArgs["plan"];
    /** The warmer function, when the stack deploys one. */
    readonly warmer?: WarmerFunction;
    /** The scheduled warm and its (first) failure alarm, when a warm is scheduled: `warmstack check` reads both. */
    warmSchedule?: aws.scheduler.Schedule;
    warmAlarm?: aws.cloudwatch.MetricAlarm;

    constructor(name: string, args: DataPrewarmArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:prewarm:DataPrewarm", name, {}, opts);
        const parent = { parent: this };
        const { plan, cache, database } = args;
        this.plan = plan;
        const { scheduleAt, retry } = plan.dataPrewarm;

        const warmer = (this.warmer = plan.dataPrewarm.warmerFunction
            ? new WarmerFunction(
                  `${name}-warmer`,
                  {
                      subnetIds: args.subnetIds,
                      securityGroupId: args.securityGroupId,
                      timeoutSeconds: plan.dataPrewarm.functionTimeoutSeconds,
                      secretArns: [database.warmer.secretArn, cache.authTokenSecretArn],
                  },
                  parent,
              )
            : undefined);

        // What both warms share: where to read, where to write, what and how long for.
        const common = {
            replicationGroupId: cache.replicationGroupId,
            redisHost: cache.host,
            redisPort: cache.port,
            redisTls: true,
            // A cluster-mode group is reached through its configuration endpoint and spoken to as a cluster.
            redisCluster: plan.cache.clusterMode,
            // A replica, never the primary: the warm's full scan must not compete with the writes.
            sourceHost: pulumi.output(database.replicaHosts).apply((hosts) => hosts[0]),
            sourcePort: database.port,
            sourceSsl: "require" as const,
            database: database.name,
            user: database.warmer.user,
            query: args.query,
            topKeys: plan.cache.prewarmKeys,
            ttlSeconds: plan.cache.ttlSeconds,
            ttlJitter: plan.cache.ttlJitter,
            minWarmth: plan.cache.minWarmth,
            timeoutSeconds: plan.dataPrewarm.timeoutSeconds,
            replicaHosts: database.replicaHosts,
            relations: plan.dataPrewarm.relations,
        };

        // Past one run the partitions are an execution of a state machine: the schedule's, and in lambda mode the
        // deploy's too (direct mode's deploy runs them itself, from inside the VPC).
        const scheduled =
            warmer && scheduleAt && retry && plan.event ? { scheduleAt, retry, event: plan.event } : undefined;
        const payload = warmer && this.payload(pulumi.output(common), args);
        const fan = plan.dataPrewarm.fanOut;
        const machine =
            warmer && payload && fan && (args.mode === "lambda" || scheduled)
                ? this.stateMachine(
                      name,
                      warmer,
                      payload,
                      // Warm or failed, a scheduled execution ends before the event starts.
                      scheduled
                          ? Math.floor((Date.parse(scheduled.event.start) - Date.parse(scheduled.scheduleAt)) / 1000)
                          : executionLimitSeconds({
                                partitions: plan.dataPrewarm.partitions,
                                maxConcurrency: fan.maxConcurrency,
                                itemTimeoutSeconds: plan.dataPrewarm.functionTimeoutSeconds,
                            }),
                  )
                : undefined;

        this.prewarm = new CachePrewarm(
            `${name}-prewarm`,
            {
                ...common,
                password: database.warmer.password,
                authToken: cache.authToken,
                // The setup on the primary creates the extension and the two roles, as the master user.
                ...(database.master && {
                    primaryHost: database.primaryHost,
                    adminUser: database.master.user,
                    adminPassword: database.master.password,
                }),
                ...(database.agent && { agentUser: database.agent.user, agentPassword: database.agent.password }),
                mode: args.mode,
                // Past one run: as many partitions at once as the plan allows, on the state machine in lambda mode.
                ...(fan && {
                    partitions: plan.dataPrewarm.partitions,
                    maxConcurrency: fan.maxConcurrency,
                }),
                functionName: args.mode === "lambda" ? warmer?.functionName : undefined,
                stateMachineArn: args.mode === "lambda" ? machine?.arn : undefined,
                region: aws.getRegionOutput({}, parent).region,
            },
            { parent: this, dependsOn: args.after },
        );

        this.scheduled =
            warmer && payload && scheduled
                ? this.schedule(name, warmer, payload, machine, scheduled, args)
                : pulumi.output(noScheduleReason(plan));
        this.registerOutputs({ scheduled: this.scheduled });
    }

    /** What the function is invoked with at the event's instant: secrets by ARN only (the provider's own builder). */
    private payload(
        common: pulumi.Output<Omit<ScheduledWarm, "kind" | "passwordSecretArn" | "authTokenSecretArn">>,
        args: DataPrewarmArgs,
    ): pulumi.Output<ScheduledWarm> {
        return pulumi
            .all([common, args.database.warmer.secretArn, args.cache.authTokenSecretArn])
            .apply(([values, passwordSecretArn, authTokenSecretArn]) =>
                scheduledWarm(values, { passwordSecretArn, authTokenSecretArn }),
            );
    }

    private schedule(
        name: string,
        warmer: WarmerFunction,
        payload: pulumi.Output<ScheduledWarm>,
        machine: aws.sfn.StateMachine | undefined,
        {
            scheduleAt,
            retry,
            event,
        }: { scheduleAt: string; retry: RetryWindow; event: NonNullable<ReadinessPlan["event"]> },
        args: DataPrewarmArgs,
    ): pulumi.Output<{ at: string; schedule: string }> {
        const parent = { parent: this };
        const target = machine
            ? this.machineTarget(name, machine, event, args)
            : this.directTarget(name, warmer, payload, retry, event, args);
        const { role: invoker } = serviceRole(
            `${name}-scheduler`,
            {
                service: "scheduler.amazonaws.com",
                statements: [{ Effect: "Allow", Action: target.action, Resource: target.arn }],
            },
            this,
        );
        const schedule = (this.warmSchedule = new aws.scheduler.Schedule(
            `${name}-warm`,
            {
                description: `warmstack: warm the data tier for ${event.name} (starts ${event.start})`,
                scheduleExpression: atExpression(Date.parse(scheduleAt)),
                scheduleExpressionTimezone: "UTC",
                flexibleTimeWindow: { mode: "OFF" },
                target: { arn: target.arn, roleArn: invoker.arn, input: target.input, retryPolicy: retry },
            },
            parent,
        ));
        return pulumi.output({ at: scheduleAt, schedule: schedule.name });
    }

    /** One run: the schedule invokes the function; Lambda's retries and its Errors alarm report a failure. */
    private directTarget(
        name: string,
        warmer: WarmerFunction,
        payload: pulumi.Output<ScheduledWarm>,
        retry: RetryWindow,
        event: NonNullable<ReadinessPlan["event"]>,
        args: DataPrewarmArgs,
    ): ScheduleTarget {
        const parent = { parent: this };
        // Lambda's own retries of a failed run keep to the same window; what still fails goes to the topic.
        const failures = new aws.iam.RolePolicy(
            `${name}-warmer-failures`,
            {
                role: warmer.roleName,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: args.alertTopicArn }],
                }),
            },
            parent,
        );
        new aws.lambda.FunctionEventInvokeConfig(
            `${name}-warmer-async`,
            {
                functionName: warmer.functionName,
                ...retry,
                destinationConfig: { onFailure: { destination: args.alertTopicArn } },
            },
            { parent: this, dependsOn: [failures] },
        );
        this.alarm(`${name}-warmer-errors`, event, args, "AWS/Lambda", "Errors", { FunctionName: warmer.functionName });
        return { arn: warmer.functionArn, action: "lambda:InvokeFunction", input: pulumi.jsonStringify(payload) };
    }

    /**
     * Past one run: a Step Functions state machine maps the function over the partitions (model/warm-state-machine.ts);
     * its role may invoke that one function.
     */
    private stateMachine(
        name: string,
        warmer: WarmerFunction,
        payload: pulumi.Output<ScheduledWarm>,
        timeoutSeconds: number,
    ): aws.sfn.StateMachine {
        const { dataPrewarm } = this.plan;
        const { role, policy } = serviceRole(
            `${name}-machine-role`,
            {
                service: "states.amazonaws.com",
                statements: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: warmer.functionArn }],
            },
            this,
        );
        const definition = pulumi.all([warmer.functionArn, payload]).apply(([functionArn, values]) =>
            JSON.stringify(
                warmStateMachine({
                    functionArn,
                    partitions: dataPrewarm.partitions,
                    maxConcurrency: dataPrewarm.fanOut!.maxConcurrency,
                    itemTimeoutSeconds: dataPrewarm.functionTimeoutSeconds,
                    timeoutSeconds,
                    payload: values,
                }),
            ),
        );
        return new aws.sfn.StateMachine(
            `${name}-machine`,
            { roleArn: role.arn, definition },
            { parent: this, dependsOn: [policy] },
        );
    }

    /** The schedule starts the machine over every partition; a failed, timed-out or aborted execution alarms. */
    private machineTarget(
        name: string,
        machine: aws.sfn.StateMachine,
        event: NonNullable<ReadinessPlan["event"]>,
        args: DataPrewarmArgs,
    ): ScheduleTarget {
        for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"])
            this.alarm(`${name}-machine-${metric.slice(10).toLowerCase()}`, event, args, "AWS/States", metric, {
                StateMachineArn: machine.arn,
            });
        return {
            arn: machine.arn,
            action: "states:StartExecution",
            input: pulumi.output(JSON.stringify(executionInput(this.plan.dataPrewarm.partitions))),
        };
    }

    private alarm(
        name: string,
        event: NonNullable<ReadinessPlan["event"]>,
        args: DataPrewarmArgs,
        namespace: string,
        metricName: string,
        dimensions: Record<string, pulumi.Input<string>>,
    ): void {
        const alarm = new aws.cloudwatch.MetricAlarm(
            name,
            {
                alarmDescription: `warmstack: the data warm for ${event.name} failed; the cache may be cold at ${event.start}`,
                namespace,
                metricName,
                dimensions,
                statistic: "Sum",
                period: 60,
                evaluationPeriods: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [args.alertTopicArn],
            },
            { parent: this },
        );
        this.warmAlarm ??= alarm;
    }
}

/** What the schedule starts: the function, or the state machine; the action its role may take on that one ARN. */
interface ScheduleTarget {
    arn: pulumi.Output<string>;
    action: "lambda:InvokeFunction" | "states:StartExecution";
    input: pulumi.Output<string>;
}

/** Said in the stack outputs when no warm is scheduled, so nobody waits for one. */
function noScheduleReason(plan: DataPrewarmArgs["plan"]): string {
    if (!plan.event) return "no event: the data tier is warmed at each deploy only";
    if (plan.event.phase === "upcoming")
        return `event ${plan.event.name}: its data warm instant has passed; this deploy's warm is the last before ${plan.event.start}`;
    return `event ${plan.event.name} already ${plan.event.phase} (start ${plan.event.start}): no schedule was made; this deploy warmed the data tier`;
}
