// The data tier's warm under mocks: the deploy-time CachePrewarm, the warmer function, and the event-time
// schedule with its roles, retry window, alarm and secret-free payload.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { namespaceValues, parseConfig } from "../../model/config";
import { AGENT_USERNAME, MASTER_USERNAME, WARMER_USERNAME } from "../../infra/database";
import { retryWindow } from "../../model/plan/data-prewarm";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { WARMER_RUNTIME } from "../../infra/warmer";
import { PREWARM_OUTPUT_FIELDS } from "../../model/prewarm-contract";
import { databaseUrl, warmOptionsFor } from "../../warmers/prewarm/inputs";
import {
    BUILT_STACKS,
    editedConfig,
    NOW,
    primaryOf,
    ProgramRun,
    replicasOf,
    runProgram,
    securityGroup,
    stackConfig,
    statementsOf,
    T,
    BUILT_EVENT,
    BUILT_HIBERNATED_EVENT,
    planOf,
} from "../support/pulumi";

const runStack = (stack: string) => runProgram(stackConfig(stack), () => warmstackFromPulumiConfig(NOW), stack);

/** Every generated or RDS-managed secret text of the run. */
function secretTexts(run: ProgramRun): string[] {
    const master = `rds-managed-password-for-${primaryOf(run).state.masterUserSecrets[0].secretArn}`;
    return [...run.ofType(T.password).map((p) => p.state.result as string), master];
}

/** A resource ARN names one resource: no `*`, but for the Auto Scaling group's id segment before its name. */
const single = (arn: unknown) => typeof arn === "string" && !arn.replace(/:autoScalingGroup:\*:/, ":").includes("*");

for (const stack of BUILT_STACKS) {
    describe(`program under mocks: data warm of stack ${stack}`, () => {
        let run: ProgramRun;
        const expected = planOf(stackConfig(stack));
        before(async () => {
            run = await runStack(stack);
        });

        it("warms every replica's buffers, then the cache from a replica, as the read-only warmer role", () => {
            const prewarm = run.one(T.prewarm);
            const group = run.one(T.redis);
            const replicas = replicasOf(run);
            assert.equal(prewarm.inputs.replicationGroupId, group.id);
            assert.equal(prewarm.inputs.redisHost, group.state.primaryEndpointAddress);
            assert.equal(prewarm.inputs.redisTls, true);
            assert.equal(prewarm.inputs.sourceHost, replicas[0].state.address, "a replica, never the primary");
            assert.deepEqual(
                prewarm.inputs.replicaHosts,
                replicas.map((r) => r.state.address),
            );
            assert.deepEqual(prewarm.inputs.relations, expected.dataPrewarm.relations);
            assert.ok(expected.dataPrewarm.relations.length > 0, "the committed stacks warm replica buffers");
            assert.equal(prewarm.inputs.topKeys, expected.cache.prewarmKeys);
            assert.equal(prewarm.inputs.ttlSeconds, expected.cache.ttlSeconds);
            assert.equal(prewarm.inputs.ttlJitter, expected.cache.ttlJitter);
            assert.equal(prewarm.inputs.minWarmth, expected.cache.minWarmth);
            assert.equal(prewarm.inputs.timeoutSeconds, expected.dataPrewarm.timeoutSeconds);
            assert.equal(prewarm.inputs.query, parseConfig(namespaceValues(stackConfig(stack))).cache.prewarm.query);
            assert.match(prewarm.inputs.trigger, /^\d{4}-\d\d-\d\dT/, "a trigger that moves on every up");
            assert.equal(prewarm.inputs.user, WARMER_USERNAME);
            assert.equal(prewarm.inputs.password, run.one(T.password, "db-warmer").state.result);
            assert.equal(prewarm.inputs.authToken, run.one(T.password, "cache-auth-token").state.result);
        });

        it("creates the roles on the primary with the master secret, at deploy time only", () => {
            const prewarm = run.one(T.prewarm);
            assert.equal(prewarm.inputs.primaryHost, primaryOf(run).state.address);
            assert.equal(prewarm.inputs.adminUser, MASTER_USERNAME);
            assert.equal(
                prewarm.inputs.adminPassword,
                `rds-managed-password-for-${primaryOf(run).state.masterUserSecrets[0].secretArn}`,
            );
            assert.equal(prewarm.inputs.agentUser, AGENT_USERNAME);
            assert.equal(prewarm.inputs.agentPassword, run.one(T.password, "db-agent").state.result);
            for (const field of ["password", "authToken", "adminPassword", "agentPassword"]) {
                assert.ok(prewarm.secretInputs.includes(field), `${field} is secret in the state`);
            }
        });

        it("hands the engine TLS on every connection: sslmode on each database URL, rediss:// for the cache", () => {
            const inputs = run.one(T.prewarm).inputs as Parameters<typeof warmOptionsFor>[0];
            const options = warmOptionsFor(inputs);
            assert.equal(new URL(options.source).searchParams.get("sslmode"), "no-verify");
            assert.match(options.redis, /^rediss:\/\//);
            for (const host of [inputs.primaryHost!, ...inputs.replicaHosts]) {
                const url = new URL(databaseUrl(inputs, host, inputs.user, inputs.password));
                assert.equal(url.searchParams.get("sslmode"), "no-verify", host);
            }
        });

        it("deploys the warmer function inside the VPC on the current Node LTS, reading only its two secrets", () => {
            const fn = run.one(T.lambda);
            assert.equal(fn.inputs.runtime, WARMER_RUNTIME);
            assert.equal(fn.inputs.runtime, "nodejs24.x");
            assert.equal(run.one(T.prewarm).inputs.mode, "lambda");
            assert.equal(run.one(T.prewarm).inputs.functionName, fn.state.name);
            assert.deepEqual(fn.inputs.vpcConfig.securityGroupIds, [securityGroup(run, "warmer").id]);
            assert.deepEqual(fn.inputs.vpcConfig.subnetIds, run.one(T.asg).inputs.vpcZoneIdentifiers);
            assert.equal(fn.inputs.handler, "index.handler");
            assert.equal(fn.inputs.timeout, expected.dataPrewarm.functionTimeoutSeconds);
            assert.ok(fn.inputs.timeout > run.one(T.prewarm).inputs.timeoutSeconds, "the warm's own timeout first");
            // Only the stack's name, the warm metrics' dimension: nothing secret in the environment.
            assert.deepEqual(fn.inputs.environment, { variables: { WARMSTACK_STACK: stack } });
            const role = run.one(T.role, "data-warmer-role");
            assert.equal(fn.inputs.role, role.state.arn);
            assert.deepEqual(
                run.ofType(T.attachment).map((a) => [a.inputs.role, a.inputs.policyArn]),
                [[role.state.name, "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]],
            );
            const secrets = statementsOf(run, "data-warmer-role").filter(
                (s) => s.Action === "secretsmanager:GetSecretValue",
            );
            assert.deepEqual(secrets, [
                {
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: [
                        run.one(T.secret, "db-warmer").state.arn,
                        run.one(T.secret, "cache-auth-token").state.arn,
                    ],
                },
            ]);
        });

        it("names single resources in every statement of every role it writes", () => {
            for (const policy of run.ofType(T.rolePolicy)) {
                for (const statement of JSON.parse(policy.inputs.policy).Statement) {
                    // PutMetricData takes no resource in IAM: its condition holds it to the warm's namespace.
                    if (statement.Action === "cloudwatch:PutMetricData") {
                        assert.deepEqual(statement.Condition, {
                            StringEquals: { "cloudwatch:namespace": "warmstack" },
                        });
                        continue;
                    }
                    const resources = [statement.Resource].flat();
                    assert.ok(resources.length > 0 && resources.every(single), `${policy.name}: ${statement.Resource}`);
                }
            }
        });

        if (!expected.event) {
            it("schedules no warm without an event, and says so", () => {
                assert.equal(run.ofType(T.warmSchedule).length, 0);
                assert.equal(run.ofType(T.alarm).length, 0);
                assert.match(run.outputs.dataWarm, /no event/);
            });
        } else {
            it("schedules the warm once, at the planned instant in UTC, with no flexible window", () => {
                const schedule = run.one(T.warmSchedule);
                const at = expected.dataPrewarm.scheduleAt!;
                assert.ok(at, "an upcoming event has a warm instant");
                assert.equal(schedule.inputs.scheduleExpression, `at(${at.slice(0, 19)})`);
                assert.equal(schedule.inputs.scheduleExpressionTimezone, "UTC");
                assert.deepEqual(schedule.inputs.flexibleTimeWindow, { mode: "OFF" });
                assert.equal(schedule.inputs.target.arn, run.one(T.lambda).state.arn);
                assert.deepEqual(run.outputs.dataWarm, { at, schedule: schedule.state.name });
            });

            it("retries the scheduled warm only while a whole run still ends before the start", () => {
                const { target } = run.one(T.warmSchedule).inputs;
                const config = run.one(T.invokeConfig).inputs;
                const window =
                    (Date.parse(expected.event!.start) - Date.parse(expected.dataPrewarm.scheduleAt!)) / 1000;
                for (const policy of [target.retryPolicy, config]) {
                    assert.ok(policy.maximumEventAgeInSeconds >= 60);
                    assert.ok(
                        policy.maximumEventAgeInSeconds + expected.dataPrewarm.functionTimeoutSeconds <= window,
                        "a retry started last still ends before the start",
                    );
                }
                assert.equal(config.functionName, run.one(T.lambda).state.name);
            });

            it("lets the scheduler invoke that one function and nothing else", () => {
                const role = run.one(T.role, "data-scheduler");
                assert.equal(run.one(T.warmSchedule).inputs.target.roleArn, role.state.arn);
                assert.match(JSON.stringify(role.inputs.assumeRolePolicy), /"Service":"scheduler\.amazonaws\.com"/);
                assert.deepEqual(statementsOf(run, "data-scheduler"), [
                    { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: run.one(T.lambda).state.arn },
                ]);
            });

            it("sends the scheduled run no secret: it names each one by ARN", () => {
                const payload = JSON.parse(run.one(T.warmSchedule).inputs.target.input);
                const text = JSON.stringify(payload);
                for (const secret of secretTexts(run)) assert.ok(!text.includes(secret), "a secret in the schedule");
                assert.equal(payload.kind, "scheduled");
                assert.equal(payload.replicationGroupId, run.one(T.redis).id, "the pack's link to the group");
                assert.equal(payload.passwordSecretArn, run.one(T.secret, "db-warmer").state.arn);
                assert.equal(payload.authTokenSecretArn, run.one(T.secret, "cache-auth-token").state.arn);
                for (const field of [
                    "password",
                    "authToken",
                    "adminUser",
                    "adminPassword",
                    "agentPassword",
                    "primaryHost",
                ]) {
                    assert.equal(payload[field], undefined, field);
                }
                assert.equal(payload.user, WARMER_USERNAME);
                const options = warmOptionsFor({
                    ...payload,
                    password: "read-at-run-time",
                    mode: "direct",
                    trigger: "t",
                });
                assert.equal(new URL(options.source).searchParams.get("sslmode"), "no-verify");
                assert.match(options.redis, /^rediss:\/\//);
            });

            it("alarms on the function's errors and sends failed runs to the topic it creates and outputs", () => {
                const topic = run.one(T.topic);
                const alarm = run.one(T.alarm);
                assert.equal(alarm.inputs.namespace, "AWS/Lambda");
                assert.equal(alarm.inputs.metricName, "Errors");
                assert.deepEqual(alarm.inputs.dimensions, { FunctionName: run.one(T.lambda).state.name });
                assert.equal(alarm.inputs.threshold, 0);
                assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
                assert.deepEqual(alarm.inputs.alarmActions, [topic.state.arn]);
                assert.deepEqual(run.one(T.invokeConfig).inputs.destinationConfig, {
                    onFailure: { destination: topic.state.arn },
                });
                assert.equal(run.outputs.alertTopicArn, topic.state.arn);
            });
        }

        it("outputs every pre-warm figure", () => {
            assert.deepEqual(Object.keys(run.outputs.prewarm).sort(), [...PREWARM_OUTPUT_FIELDS].sort());
        });
    });
}

describe("program under mocks: the warm instant for events given in other offsets", () => {
    for (const [offset, start] of [
        ["+05:30", "2027-11-26T10:30:00+05:30"],
        ["-08:00", "2027-11-25T21:00:00-08:00"],
    ]) {
        it(`schedules at(…) in UTC for a start given at ${offset}`, async () => {
            const config = editedConfig(BUILT_EVENT, { event: (event) => ({ ...event, start }) });
            const expected = planOf(config);
            assert.equal(expected.dataPrewarm.leadMinutes, 30);
            const run = await runProgram(config, () => warmstackFromPulumiConfig(NOW));
            const schedule = run.one(T.warmSchedule);
            // 05:00 UTC both ways, less the 30-minute lead.
            assert.equal(schedule.inputs.scheduleExpression, "at(2027-11-26T04:30:00)");
            assert.equal(schedule.inputs.scheduleExpressionTimezone, "UTC");
        });
    }
});

describe("program under mocks: when there is no warm to schedule", () => {
    it("an event under way gets no schedule, says so in the outputs, and warns at preview", async () => {
        const config = stackConfig(BUILT_EVENT);
        const during = Date.parse("2027-11-27T12:00:00Z");
        const warnings: string[] = [];
        const pulumiLog = require("@pulumi/pulumi").log as { warn: (message: string) => Promise<void> };
        const warn = pulumiLog.warn;
        pulumiLog.warn = async (message: string) => void warnings.push(message);
        let run: ProgramRun;
        try {
            run = await runProgram(config, () => warmstackFromPulumiConfig(during));
        } finally {
            pulumiLog.warn = warn;
        }
        const expected = planOf(config, during);
        assert.equal(expected.event?.phase, "started");
        assert.deepEqual(warnings, expected.warnings);
        assert.ok(warnings.length > 0);
        assert.equal(run.ofType(T.warmSchedule).length, 0);
        assert.equal(run.ofType(T.schedule).length, expected.schedule.length);
        for (const action of run.ofType(T.schedule)) assert.ok(Date.parse(action.inputs.startTime) > during);
        assert.match(run.outputs.dataWarm, /already started .*no schedule was made/);
        assert.equal(run.one(T.prewarm).inputs.mode, "lambda");
    });

    it("an upcoming event gets the function for its schedule even when the deploy warms directly", async () => {
        const config = editedConfig(BUILT_HIBERNATED_EVENT, {
            cache: (cache) => ({ ...cache, prewarm: { ...cache.prewarm, mode: "direct" } }),
        });
        const run = await runProgram(config, () => warmstackFromPulumiConfig(NOW));
        assert.equal(run.one(T.prewarm).inputs.mode, "direct");
        assert.equal(run.one(T.prewarm).inputs.functionName, undefined);
        assert.equal(run.one(T.warmSchedule).inputs.target.arn, run.one(T.lambda).state.arn);
    });

    it("a stack without an event, warmed directly, deploys no function and no schedule", async () => {
        const config = editedConfig("baseline", {
            cache: (cache) => ({ ...cache, prewarm: { ...cache.prewarm, mode: "direct" } }),
        });
        const run = await runProgram(config, () => warmstackFromPulumiConfig(NOW));
        assert.equal(run.ofType(T.lambda).length, 0);
        assert.equal(run.ofType(T.warmSchedule).length, 0);
        assert.equal(run.one(T.prewarm).inputs.mode, "direct");
        assert.match(run.outputs.dataWarm, /no event/);
    });
});

describe("retryWindow", () => {
    it("lets a retry start while a whole run still ends before the start", () => {
        assert.deepEqual(retryWindow("2027-11-26T04:30:00Z", "2027-11-26T05:00:00Z", 630), {
            maximumEventAgeInSeconds: 1170,
            maximumRetryAttempts: 2,
        });
    });

    it("retries nothing when the first run leaves less than a minute", () => {
        assert.deepEqual(retryWindow("2027-11-26T04:49:00Z", "2027-11-26T05:00:00Z", 630), {
            maximumEventAgeInSeconds: 60,
            maximumRetryAttempts: 0,
        });
    });

    it("never lets a retry that starts last end after the start, and stays within what AWS accepts", () => {
        const start = Date.parse("2027-11-26T05:00:00Z");
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 2 * 86_400 }), fc.integer({ min: 40, max: 900 }), (lead, timeout) => {
                const at = new Date(start - lead * 1000).toISOString();
                const window = retryWindow(at, new Date(start).toISOString(), timeout);
                assert.ok(window.maximumEventAgeInSeconds >= 60 && window.maximumEventAgeInSeconds <= 21_600);
                if (window.maximumRetryAttempts > 0) assert.ok(window.maximumEventAgeInSeconds + timeout <= lead);
            }),
        );
    });

    it("keeps within Lambda's six hours", () => {
        assert.equal(retryWindow("2027-11-25T05:00:00Z", "2027-11-26T05:00:00Z", 630).maximumEventAgeInSeconds, 21_600);
    });
});
