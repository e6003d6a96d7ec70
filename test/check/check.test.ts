// `warmstack check` end to end against moto (the AWS API emulator, on loopback, started and stopped here): a
// system set up through the AWS SDK as the blackfriday plan says is ready; each fault, one at a time, is not
// ready with exactly its check named; an endpoint nobody answers on exits 3 within seconds.
// moto lists no warm pool instances and has no ReplicaLag datapoints of its own: the test puts those metrics
// (AWS/AutoScaling WarmPoolWarmedCapacity, AWS/RDS ReplicaLag) with PutMetricData, as the warmer puts its own.
// No loopback fake is needed: moto serves every API the check reads.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
    AutoScalingClient,
    CreateAutoScalingGroupCommand,
    CreateLaunchConfigurationCommand,
    DeleteScheduledActionCommand,
    DeleteWarmPoolCommand,
    PutLifecycleHookCommand,
    PutScheduledUpdateGroupActionCommand,
    PutWarmPoolCommand,
} from "@aws-sdk/client-auto-scaling";
import {
    CloudWatchClient,
    PutMetricAlarmCommand,
    PutMetricDataCommand,
    SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateReplicationGroupCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import {
    CreateDBInstanceCommand,
    CreateDBInstanceReadReplicaCommand,
    DeleteDBInstanceCommand,
    RDSClient,
} from "@aws-sdk/client-rds";
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateTopicCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import { planStack, type StackPlan } from "../../model/stack-plan";
import { WARM_METRICS } from "../../model/warm-metrics";
import { atExpression, LAUNCHING } from "../../policies/shared/contract";
import type { StackOutputs } from "../../warmers/check/outputs";
import type { CheckReport } from "../../warmers/check/verdict";
import { EXIT } from "../../warmers/cli/outcome";
import { runCli } from "../cli/run";
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type Moto } from "../support/moto";
import { closedPort } from "../support/servers";
import { BUILT_EVENT, REPO, stackConfig, stackFilePath } from "../support/pulumi";

/** The stack's name (its metrics' dimension), deployed from the tests' built event (its stack file). */
const STACK = "blackfriday";
const STACK_FILE = stackFilePath(BUILT_EVENT);
/** Well before the committed event: the plan has the ramp, the ramp-down and the data warm still to come. */
const AT = "2027-11-20T00:00:00Z";
const GROUP = "warmstack-blackfriday-app";
const CACHE = "warmstack-cache";
const SCHEDULE = "data-warm-0123456";
const WARMER = "data-warmer-fn-0123456";
const ALARM = "data-warmer-errors-0123456";
const FUNCTION_ARN = `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT}:function:${WARMER}`;
const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:role/data-scheduler`;

describe("warmstack check against moto", function () {
    this.timeout(180_000);
    let moto: Moto;
    let dir: string;
    let outputsFile: string;
    let expected: StackPlan;
    let aws: ReturnType<typeof clients>;
    let topicArn: string;
    let replicaIds: string[];

    const clients = () => ({
        autoscaling: new AutoScalingClient(moto.client),
        cloudwatch: new CloudWatchClient(moto.client),
        elasticache: new ElastiCacheClient(moto.client),
        rds: new RDSClient(moto.client),
        scheduler: new SchedulerClient(moto.client),
        sns: new SNSClient(moto.client),
    });

    const check = () =>
        runCli(["check", "--config", STACK_FILE, "--outputs", outputsFile, "--at", AT, "--json"], {
            cwd: REPO,
            env: moto.env,
        });

    /** The run's report, with the names of the checks that failed. */
    async function failing(): Promise<{ code: number; failed: string[]; report: CheckReport; stderr: string }> {
        const run = await check();
        const report = JSON.parse(run.stdout) as CheckReport;
        return {
            code: run.code,
            failed: report.checks.filter((c) => !c.ok).map((c) => c.name),
            report,
            stderr: run.stderr,
        };
    }

    // What `pulumi up` would have made, through the SDK, from the same plan the check makes.
    const rampActions = () =>
        Promise.all(
            expected.plan.schedule.map((action) =>
                aws.autoscaling.send(
                    new PutScheduledUpdateGroupActionCommand({
                        AutoScalingGroupName: GROUP,
                        ScheduledActionName: action.name,
                        StartTime: new Date(action.startTime),
                        MinSize: action.minSize,
                        MaxSize: action.maxSize,
                        DesiredCapacity: action.desiredCapacity,
                    }),
                ),
            ),
        );
    const warmPool = () =>
        aws.autoscaling.send(
            new PutWarmPoolCommand({
                AutoScalingGroupName: GROUP,
                PoolState: expected.plan.warmPool.state,
                MinSize: expected.plan.warmPool.minSize,
                MaxGroupPreparedCapacity: expected.plan.warmPool.maxGroupPreparedCapacity,
            }),
        );
    const schedule = () =>
        aws.scheduler.send(
            new CreateScheduleCommand({
                Name: SCHEDULE,
                ScheduleExpression: atExpression(Date.parse(expected.plan.dataPrewarm.scheduleAt!)),
                ScheduleExpressionTimezone: "UTC",
                FlexibleTimeWindow: { Mode: "OFF" },
                Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN },
            }),
        );
    const subscribe = async () =>
        (
            await aws.sns.send(
                new SubscribeCommand({
                    TopicArn: topicArn,
                    Protocol: "lambda",
                    Endpoint: `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT}:function:on-call`,
                }),
            )
        ).SubscriptionArn!;
    const replica = (id: string) =>
        aws.rds.send(
            new CreateDBInstanceReadReplicaCommand({
                DBInstanceIdentifier: id,
                SourceDBInstanceIdentifier: "db-primary",
            }),
        );
    const alarmState = (state: "OK" | "ALARM") =>
        aws.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: state, StateReason: "test" }));
    /** Recent datapoints moto has no source for: the pool's warmed capacity and each replica's lag. */
    const recentMetrics = () =>
        Promise.all([
            aws.cloudwatch.send(
                new PutMetricDataCommand({
                    Namespace: "AWS/AutoScaling",
                    MetricData: [
                        {
                            MetricName: "WarmPoolWarmedCapacity",
                            Dimensions: [{ Name: "AutoScalingGroupName", Value: GROUP }],
                            Value: expected.plan.warmPool.minSize,
                            Timestamp: new Date(Date.now() - 60_000),
                        },
                    ],
                }),
            ),
            aws.cloudwatch.send(
                new PutMetricDataCommand({
                    Namespace: "AWS/RDS",
                    MetricData: replicaIds.map((id) => ({
                        MetricName: "ReplicaLag",
                        Dimensions: [{ Name: "DBInstanceIdentifier", Value: id }],
                        Value: 0.4,
                        Timestamp: new Date(Date.now() - 60_000),
                    })),
                }),
            ),
        ]);

    before(async () => {
        moto = await startMoto();
        aws = clients();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-check-"));
        expected = planStack(stackConfig(BUILT_EVENT), Date.parse(AT));
        const { plan } = expected;
        replicaIds = Array.from({ length: plan.database.replicas }, (_, i) => `db-replica-${i + 1}`);

        await aws.autoscaling.send(
            new CreateLaunchConfigurationCommand({
                LaunchConfigurationName: "app",
                ImageId: "ami-12c6146b",
                InstanceType: "t3.micro",
            }),
        );
        await aws.autoscaling.send(
            new CreateAutoScalingGroupCommand({
                AutoScalingGroupName: GROUP,
                LaunchConfigurationName: "app",
                MinSize: plan.group.minSize,
                MaxSize: plan.group.maxSize,
                DesiredCapacity: plan.group.desiredCapacity,
                AvailabilityZones: [`${MOTO_REGION}a`],
            }),
        );
        await aws.autoscaling.send(
            new PutLifecycleHookCommand({
                AutoScalingGroupName: GROUP,
                LifecycleHookName: "warmstack-launch",
                LifecycleTransition: LAUNCHING,
                DefaultResult: "ABANDON",
                HeartbeatTimeout: plan.scaling.launchHookTimeoutSeconds,
            }),
        );
        await Promise.all([warmPool(), rampActions(), schedule()]);
        await aws.elasticache.send(
            new CreateReplicationGroupCommand({
                ReplicationGroupId: CACHE,
                ReplicationGroupDescription: "warmstack cache",
                Engine: "redis",
                CacheNodeType: "cache.r7g.xlarge",
                NumNodeGroups: plan.cache.shards,
                ReplicasPerNodeGroup: plan.cache.replicasPerShard,
            }),
        );
        await aws.rds.send(
            new CreateDBInstanceCommand({
                DBInstanceIdentifier: "db-primary",
                Engine: "postgres",
                DBInstanceClass: "db.r6g.2xlarge",
                MasterUsername: "warmstack",
                MasterUserPassword: "not-a-real-password",
                AllocatedStorage: 100,
            }),
        );
        for (const id of replicaIds) await replica(id);
        topicArn = (await aws.sns.send(new CreateTopicCommand({ Name: "alerts" }))).TopicArn!;
        await subscribe();
        await aws.cloudwatch.send(
            new PutMetricAlarmCommand({
                AlarmName: ALARM,
                Namespace: "AWS/Lambda",
                MetricName: "Errors",
                Dimensions: [{ Name: "FunctionName", Value: WARMER }],
                Statistic: "Sum",
                Period: 60,
                EvaluationPeriods: 1,
                Threshold: 0,
                ComparisonOperator: "GreaterThanThreshold",
            }),
        );
        await alarmState("OK");
        // The warmer's report, as the handler publishes it.
        await aws.cloudwatch.send(
            new PutMetricDataCommand({
                Namespace: WARM_METRICS.namespace,
                MetricData: [
                    [WARM_METRICS.warmth, 0.99],
                    [WARM_METRICS.keysWritten, plan.cache.prewarmKeys],
                ].map(([name, value]) => ({
                    MetricName: name as string,
                    Dimensions: [{ Name: WARM_METRICS.dimension, Value: STACK }],
                    Value: value as number,
                    Timestamp: new Date(Date.now() - 5 * 60_000),
                })),
            }),
        );
        await recentMetrics();

        const outputs: StackOutputs = {
            stack: STACK,
            autoScalingGroup: GROUP,
            cacheReplicationGroup: CACHE,
            databaseReplicas: replicaIds,
            dataWarm: { at: plan.dataPrewarm.scheduleAt!, schedule: SCHEDULE },
            alertTopicArn: topicArn,
            warmAlarm: ALARM,
            warmerFunction: WARMER,
            dashboard: "https://console.aws.amazon.com/cloudwatch/home#dashboards/dashboard/blackfriday",
        };
        outputsFile = path.join(dir, "outputs.json");
        fs.writeFileSync(outputsFile, JSON.stringify(outputs));
    });

    after(async () => {
        for (const client of Object.values(aws ?? {})) client.destroy();
        await moto?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a system set up as the plan says is ready: exit 0, every check ✔", async () => {
        const run = await check();
        assert.equal(run.code, EXIT.ok, run.stderr + run.stdout);
        const report = JSON.parse(run.stdout) as CheckReport;
        assert.equal(report.ready, true);
        assert.equal(report.at, AT);
        assert.deepEqual(
            report.checks.filter((c) => !c.ok),
            [],
        );
        assert.equal(report.checks.length, 10);
    });

    it("prints one named line per check and the dashboard without --json", async () => {
        const run = await runCli(["check", "--config", STACK_FILE, "--outputs", "-", "--at", AT], {
            cwd: REPO,
            env: moto.env,
            stdin: fs.readFileSync(outputsFile, "utf8"),
        });
        assert.equal(run.code, EXIT.ok, run.stderr);
        assert.match(run.stdout, new RegExp(`^ready for ${AT}$`, "m"));
        assert.match(run.stdout, /^✔ compute\.ramp +blackfriday-ramp-up at 2027-11-26T04:15:00Z desired 57/m);
        assert.match(run.stdout, /^dashboard: https:\/\/console/m);
    });

    const faults: Array<{ fault: string; check: string; make: () => Promise<unknown>; undo: () => Promise<unknown> }> =
        [
            {
                fault: "the ramp deleted",
                check: "compute.ramp",
                make: () =>
                    aws.autoscaling.send(
                        new DeleteScheduledActionCommand({
                            AutoScalingGroupName: GROUP,
                            ScheduledActionName: expected.plan.schedule[0].name,
                        }),
                    ),
                undo: rampActions,
            },
            {
                fault: "the data warm's schedule deleted",
                check: "cache.scheduled-warm",
                make: () => aws.scheduler.send(new DeleteScheduleCommand({ Name: SCHEDULE })),
                undo: schedule,
            },
            {
                fault: "the only subscription removed",
                check: "alerts.subscribed",
                make: async () => {
                    const { ListSubscriptionsByTopicCommand } = await import("@aws-sdk/client-sns");
                    const subs = await aws.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
                    assert.equal(subs.Subscriptions?.length, 1, "the only one");
                    await aws.sns.send(
                        new UnsubscribeCommand({ SubscriptionArn: subs.Subscriptions![0].SubscriptionArn }),
                    );
                },
                undo: subscribe,
            },
            {
                fault: "the warm pool deleted",
                check: "compute.warm-pool",
                make: () =>
                    aws.autoscaling.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: GROUP, ForceDelete: true })),
                undo: warmPool,
            },
            {
                fault: "a replica deleted",
                check: "database.replicas",
                make: () =>
                    aws.rds.send(
                        new DeleteDBInstanceCommand({ DBInstanceIdentifier: replicaIds[1], SkipFinalSnapshot: true }),
                    ),
                undo: async () => {
                    await replica(replicaIds[1]);
                    await recentMetrics();
                },
            },
            {
                fault: "the alarm set to ALARM",
                check: "alerts.alarm",
                make: () => alarmState("ALARM"),
                undo: () => alarmState("OK"),
            },
        ];
    for (const { fault, check: name, make, undo } of faults) {
        it(`${fault}: not ready, exit 1, ${name} named as the one failing check`, async () => {
            await make();
            try {
                const run = await failing();
                assert.equal(run.code, EXIT.notReady);
                assert.equal(run.report.ready, false);
                assert.deepEqual(run.failed, [name]);
                assert.equal(run.stderr, `warmstack: not ready: ${name}\n`);
            } finally {
                await undo();
            }
            // Restored, the system is ready again: the next fault is judged alone.
            assert.deepEqual((await failing()).failed, []);
        });
    }

    it("an endpoint nobody answers on: exit 3 within seconds, one line naming it", async () => {
        const url = `http://127.0.0.1:${await closedPort()}`;
        const started = Date.now();
        const run = await runCli(["check", "--config", STACK_FILE, "--outputs", outputsFile, "--at", AT], {
            cwd: REPO,
            env: { ...moto.env, AWS_ENDPOINT_URL: url },
        });
        const seconds = (Date.now() - started) / 1000;
        assert.equal(run.code, EXIT.connection, run.stderr);
        assert.ok(seconds < 15, `took ${seconds} s`);
        assert.equal(run.stdout, "");
        assert.match(run.stderr, new RegExp(`^warmstack: cannot read [a-z]+:\\w+ at ${url}: .+\\n$`));
    });

    it("an attached stack (the committed blackfriday): exit 2 before any read, saying why and where its plan is", async () => {
        const run = await runCli(["check", "--stack", "blackfriday", "--outputs", "no-such-file.json", "--at", AT], {
            cwd: REPO,
            env: moto.env,
        });
        assert.equal(run.code, EXIT.input, run.stderr);
        assert.equal(run.stdout, "");
        assert.match(
            run.stderr,
            /--stack: a stack warmstack builds: an attached stack \(warmstack:production\) is planned at deploy on production's facts, which warmstack check does not read yet .*given "?stack blackfriday \(Pulumi\.blackfriday\.yaml\)/,
        );
    });
});
