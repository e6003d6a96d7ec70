// What `warmstack check` and the event dashboard need of the program, under mocks: the outputs the check reads
// (and accepts as they are), a least-privilege policy covering exactly the calls the check makes, the dashboard
// with every widget on the stack's own resources and the event window marked, the group metrics it charts
// enabled, and the warmer allowed to publish its report to its own namespace only.
import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { CHECK_ACTIONS } from "../../infra/check-policy";
import { dashboardUrl } from "../../infra/dashboard";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { STACK_NAME_ENV, WARM_METRICS } from "../../model/warm-metrics";
import { parseOutputs } from "../../warmers/check/outputs";
import {
    BUILT_STACKS,
    NOW,
    ProgramRun,
    REPO,
    replicasOf,
    runProgram,
    stackConfig,
    statementsOf,
    T,
    plannedStack,
} from "../support/pulumi";

/** The SDK commands warmers/check/read.ts sends, as IAM actions (`DescribeWarmPoolCommand` of Auto Scaling → …). */
function actionsTheCheckCalls(): string[] {
    const source = fs.readFileSync(path.join(REPO, "warmers", "check", "read.ts"), "utf8");
    const prefix: Record<string, string> = {
        autoscaling: "autoscaling",
        cloudwatch: "cloudwatch",
        elasticache: "elasticache",
        rds: "rds",
        scheduler: "scheduler",
        sns: "sns",
    };
    return [...source.matchAll(/aws\.(\w+)\.send\(\s*new (\w+)Command\(/g)].map(
        ([, client, command]) => `${prefix[client]}:${command}`,
    );
}

for (const stack of BUILT_STACKS) {
    describe(`program under mocks: what warmstack check reads of stack ${stack}`, () => {
        let run: ProgramRun;
        const { plan } = plannedStack(stack);
        before(async () => {
            run = await runProgram(stackConfig(stack), () => warmstackFromPulumiConfig(NOW), stack);
        });

        it("outputs the resources the check reads, in the form it accepts", () => {
            const outputs = parseOutputs(JSON.stringify(run.outputs), "the program's outputs");
            assert.equal(outputs.stack, stack);
            assert.equal(outputs.autoScalingGroup, run.one(T.asg).inputs.name);
            assert.equal(outputs.cacheReplicationGroup, run.one(T.redis).id);
            assert.deepEqual(
                outputs.databaseReplicas,
                replicasOf(run).map((r) => r.state.identifier),
            );
            assert.equal(outputs.databaseReplicas.length, plan.database.replicas);
            const warmer = run.ofType(T.lambda);
            assert.equal(outputs.warmerFunction, warmer[0]?.state.name);
            const alarm = run.ofType(T.alarm);
            assert.equal(alarm.length, plan.dataPrewarm.scheduleAt ? 1 : 0);
            assert.equal(outputs.warmAlarm, alarm[0]?.state.name);
            if (plan.dataPrewarm.scheduleAt)
                assert.deepEqual(outputs.dataWarm, {
                    at: plan.dataPrewarm.scheduleAt,
                    schedule: run.one(T.warmSchedule).state.name,
                });
            const board = run.one(T.dashboard);
            assert.equal(outputs.dashboard, dashboardUrl("us-east-1", board.inputs.dashboardName));
        });

        it("checkPolicy allows every call the check makes, read-only, each on exactly the stack's resource", () => {
            const policy = run.outputs.checkPolicy;
            const statements: Array<{ Action: string[]; Resource: string | string[] }> = policy.Statement;
            const allowed = statements.flatMap((s) => s.Action);
            // Without a scheduled warm the check reads no schedule and no alarm, and the policy allows neither.
            const unscheduled = ["scheduler:GetSchedule", "cloudwatch:DescribeAlarms"];
            for (const action of actionsTheCheckCalls())
                assert.equal(
                    allowed.includes(action),
                    !!plan.dataPrewarm.scheduleAt || !unscheduled.includes(action),
                    action,
                );
            assert.ok(actionsTheCheckCalls().length >= 10, "the scan finds the calls");
            for (const action of allowed) assert.match(action, /^[a-z]+:(Describe|Get|List)[A-Za-z]+$/);
            const on = (action: string) => statements.find((s) => s.Action.includes(action))?.Resource;
            assert.equal(on("elasticache:DescribeReplicationGroups"), run.one(T.redis).state.arn);
            assert.deepEqual(
                on("rds:DescribeDBInstances"),
                replicasOf(run).map((r) => r.state.arn),
            );
            assert.equal(on("sns:ListSubscriptionsByTopic"), run.outputs.alertTopicArn);
            assert.equal(on("scheduler:GetSchedule"), run.ofType(T.warmSchedule)[0]?.state.arn);
            assert.equal(on("cloudwatch:DescribeAlarms"), run.ofType(T.alarm)[0]?.state.arn);
            // `*` only where IAM takes no resource.
            for (const s of statements.filter((s) => s.Resource === "*"))
                assert.deepEqual(s.Action, [...CHECK_ACTIONS.unscoped]);
        });

        it("the dashboard charts the chain on the stack's own resources, the event window marked", () => {
            const body = JSON.parse(run.one(T.dashboard).inputs.dashboardBody);
            const titles = body.widgets.map((w: any) => w.properties.title);
            assert.deepEqual(titles, [
                "Instances: in service vs desired, warm pool warmed",
                "Requests per target",
                "Cache hit rate (%)",
                "Cache evictions",
                "Cache connections",
                "Database connections",
                "Replica lag (s)",
                "Warm: keys written and warmth",
            ]);
            const metrics = body.widgets.flatMap((w: any) => w.properties.metrics);
            const named = (metric: string) => metrics.filter((m: any[]) => m[1] === metric);
            const group = run.one(T.asg);
            for (const metric of ["GroupInServiceInstances", "GroupDesiredCapacity", "WarmPoolWarmedCapacity"]) {
                assert.equal(named(metric)[0][3], group.inputs.name, metric);
                assert.ok(group.inputs.enabledMetrics.includes(metric), `the group publishes ${metric}`);
            }
            assert.equal(group.inputs.metricsGranularity, "1Minute");
            assert.deepEqual(named("RequestCountPerTarget")[0].slice(2, 6), [
                "TargetGroup",
                run.one(T.tg).state.arnSuffix,
                "LoadBalancer",
                run.one(T.alb).state.arnSuffix,
            ]);
            const nodes = run.one(T.redis).state.memberClusters;
            assert.equal(nodes.length, plan.cache.nodes);
            for (const metric of ["CacheHitRate", "Evictions", "CurrConnections"])
                assert.deepEqual(
                    named(metric).map((m: any[]) => m[3]),
                    nodes,
                    metric,
                );
            const replicas = replicasOf(run).map((r) => r.state.identifier);
            assert.deepEqual(
                named("ReplicaLag").map((m: any[]) => m[3]),
                replicas,
            );
            assert.equal(named("DatabaseConnections").length, 1 + replicas.length);
            for (const metric of [WARM_METRICS.warmth, WARM_METRICS.keysWritten])
                assert.deepEqual(named(metric)[0].slice(0, 4), [WARM_METRICS.namespace, metric, "Stack", stack]);
            for (const widget of body.widgets) {
                const vertical = widget.properties.annotations?.vertical;
                if (!plan.timeline) {
                    assert.equal(vertical, undefined);
                    continue;
                }
                assert.deepEqual(vertical[0], [
                    { label: `${plan.event!.name} event`, value: plan.timeline.start },
                    { value: plan.timeline.end },
                ]);
                assert.deepEqual(
                    vertical.slice(1).map((a: any) => a.value),
                    [plan.timeline.ramp, plan.timeline.databaseWarm, plan.timeline.scaleDown],
                );
            }
            if (plan.timeline) assert.ok(Date.parse(body.end) > Date.parse(plan.timeline.scaleDown));
        });

        it("the warmer knows its stack and may put metrics in the warmstack namespace only", () => {
            const fn = run.ofType(T.lambda)[0];
            assert.equal(!!fn, plan.dataPrewarm.warmerFunction);
            if (!fn) return;
            assert.equal(fn.inputs.environment.variables[STACK_NAME_ENV], stack);
            const role = run.ofType(T.role).find((r) => r.state.arn === fn.inputs.role)!;
            const put = statementsOf(run, role.name).filter((s) => s.Action === "cloudwatch:PutMetricData");
            assert.deepEqual(put, [
                {
                    Effect: "Allow",
                    Action: "cloudwatch:PutMetricData",
                    Resource: "*",
                    Condition: { StringEquals: { "cloudwatch:namespace": WARM_METRICS.namespace } },
                },
            ]);
        });
    });
}
