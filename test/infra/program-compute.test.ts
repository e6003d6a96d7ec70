// The app tier under mocks, for every committed stack: the group, its warm pool and hook, the launch template
// and the agent it starts, the instance role, the ramp, the load balancer (HTTP, or HTTPS with a certificate)
// and the traffic matrix.
//
// The group's resource options, as the program sends them to the engine (test/policies/harness.ts records what
// the mocks' newResource is not handed): the schedule and target tracking own the live capacity, so the group
// ignores changes to desiredCapacity. Without it a `pulumi up` during the event (an emergency fix at the peak)
// resets the running capacity to the plan's as-deployed value, the baseline (issue 27).
import { strict as assert } from "node:assert";
import { LAUNCH_HOOK_NAME, TLS_POLICY, REFRESH_MAX_HEALTHY_PERCENT } from "../../infra/compute";
import { AGENT_USERNAME } from "../../infra/database";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { parseAgentConfig } from "../../model/agent-config";
import { namespaceValues, parseConfig } from "../../model/config";
import { TAGS } from "../../policies/shared/contract";
import { programResources, one } from "../policies/harness";
import {
    BUILT_STACKS,
    editedConfig,
    NOW,
    primaryOf,
    ProgramRun,
    replicasOf,
    rulesOf,
    runProgram,
    securityGroup,
    stackConfig,
    statementsOf,
    T,
    userDataOf,
    BUILT_EVENT,
    BUILT_HIBERNATED_EVENT,
    plannedStack,
} from "../support/pulumi";

const runStack = (stack: string) => runProgram(stackConfig(stack), () => warmstackFromPulumiConfig(NOW), stack);

/** The program on a committed stack with some `warmstack:*` blocks edited, as a user would in the stack file. */
const runEdited = (stack: string, edits: Parameters<typeof editedConfig>[1]) =>
    runProgram(editedConfig(stack, edits), () => warmstackFromPulumiConfig(NOW), stack);

const blackfridayPlan = plannedStack(BUILT_EVENT).plan;

for (const stack of BUILT_STACKS) {
    describe(`program under mocks: app tier of stack ${stack}`, () => {
        let run: ProgramRun;
        const expected = plannedStack(stack).plan;
        before(async () => {
            run = await runStack(stack);
        });

        it("sizes the group and its warm pool from the plan", () => {
            const asg = run.one(T.asg);
            assert.equal(asg.inputs.minSize, expected.group.minSize);
            assert.equal(asg.inputs.maxSize, expected.group.maxSize);
            assert.equal(asg.inputs.desiredCapacity, expected.group.desiredCapacity);
            assert.deepEqual(asg.inputs.warmPool, {
                poolState: expected.warmPool.state,
                minSize: expected.warmPool.minSize,
                maxGroupPreparedCapacity: expected.warmPool.maxGroupPreparedCapacity,
                instanceReusePolicy: { reuseOnScaleIn: expected.warmPool.reuseOnScaleIn },
            });
            assert.equal(asg.inputs.defaultInstanceWarmup, expected.scaling.warmupSeconds);
            assert.ok(expected.warmPool.minSize >= 1, "the committed stacks keep a warm pool");
        });

        it("holds every instance at launch until the agent completes the hook, ABANDON by default", () => {
            const [hook] = run.one(T.asg).inputs.initialLifecycleHooks;
            assert.equal(hook.name, LAUNCH_HOOK_NAME);
            assert.equal(hook.lifecycleTransition, "autoscaling:EC2_INSTANCE_LAUNCHING");
            assert.equal(hook.defaultResult, "ABANDON");
            assert.equal(hook.heartbeatTimeout, expected.scaling.launchHookTimeoutSeconds);
        });

        it("runs the group from the launch template: IMDSv2, encrypted EBS root, hibernation only when asked", () => {
            const asg = run.one(T.asg);
            const template = run.one(T.template);
            assert.equal(asg.inputs.launchTemplate.id, template.id);
            assert.equal(template.inputs.metadataOptions.httpTokens, "required");
            assert.equal(template.inputs.blockDeviceMappings[0].ebs.encrypted, "true");
            assert.equal(template.inputs.hibernationOptions.configured, expected.warmPool.state === "Hibernated");
            assert.equal(template.inputs.iamInstanceProfile.arn, run.one(T.profile).state.arn);
            assert.deepEqual(template.inputs.vpcSecurityGroupIds, [securityGroup(run, "app").id]);
        });

        it("gives the agent the plan's pools and deadline, the endpoints, its own login-only role, secrets by ARN", () => {
            const agent = parseAgentConfig(userDataOf(run).agentConfig, "user data");
            assert.equal(agent.autoScalingGroupName, run.one(T.asg).inputs.name);
            assert.equal(agent.lifecycleHookName, LAUNCH_HOOK_NAME);
            assert.equal(agent.postgres?.writer.host, primaryOf(run).state.address);
            assert.deepEqual(
                agent.postgres?.readers.map((r) => r.host),
                replicasOf(run).map((r) => r.state.address),
            );
            assert.deepEqual(agent.postgres?.poolSize, {
                writer: expected.database.writerPoolPerInstance,
                readerPerReplica: expected.database.readerPoolPerReplica,
            });
            assert.equal(agent.postgres?.writer.user, AGENT_USERNAME, "never the master user");
            assert.deepEqual(agent.postgres?.writer.password, { secretArn: run.one(T.secret, "db-agent").state.arn });
            assert.equal(agent.redis?.host, run.one(T.redis).state.primaryEndpointAddress);
            assert.deepEqual(agent.redis?.authToken, { secretArn: run.one(T.secret, "cache-auth-token").state.arn });
            assert.equal(
                agent.timeouts.overallMs,
                expected.scaling.agentDeadlineSeconds * 1000,
                "the agent decides before the hook times out",
            );
        });

        it("connects the agent to both data stores over TLS, checking the database's certificate", () => {
            const agent = parseAgentConfig(userDataOf(run).agentConfig, "user data");
            assert.equal(run.one(T.redis).inputs.transitEncryptionEnabled, true);
            // ElastiCache with transit encryption refuses plain TCP: without tls every instance would ABANDON.
            assert.deepEqual(agent.redis?.tls, { rejectUnauthorized: true });
            assert.deepEqual(agent.postgres?.tls, {
                caFile: "/etc/warmstack/rds-global-bundle.pem",
                rejectUnauthorized: true,
            });
        });

        it("keeps every secret's text out of the user data", () => {
            const { script } = userDataOf(run);
            for (const password of run.ofType(T.password)) {
                assert.ok(!script.includes(password.state.result), `${password.name} in user data`);
            }
        });

        it("lets the instance role complete this group's hook, read the agent's two secrets and its agent file only", () => {
            const statements = statementsOf(run, "app-instance");
            assert.deepEqual(statements, [
                {
                    Effect: "Allow",
                    Action: ["autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"],
                    Resource: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${run.one(T.asg).inputs.name}`,
                },
                {
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: [
                        run.one(T.secret, "db-agent").state.arn,
                        run.one(T.secret, "cache-auth-token").state.arn,
                    ],
                },
                {
                    Effect: "Allow",
                    Action: "s3:GetObject",
                    Resource: `${run.one(T.bucket).state.arn}/${run.one(T.bucketObject).inputs.key}`,
                },
            ]);
        });

        it("schedules the planned ramp on this group", () => {
            const schedules = run
                .ofType(T.schedule)
                .map((s) => s.inputs)
                .sort((a, b) => a.startTime.localeCompare(b.startTime));
            assert.deepEqual(
                schedules.map(
                    ({ scheduledActionName, startTime, minSize, maxSize, desiredCapacity, autoscalingGroupName }) => ({
                        name: scheduledActionName,
                        startTime,
                        minSize,
                        maxSize,
                        desiredCapacity,
                        group: autoscalingGroupName,
                    }),
                ),
                expected.schedule.map((s) => ({ ...s, group: run.one(T.asg).inputs.name })),
            );
        });

        it("publishes the pool sizes and the event on the group for the policy pack", () => {
            const tags = Object.fromEntries(
                run.one(T.asg).inputs.tags.map((t: { key: string; value: string }) => [t.key, t.value]),
            );
            assert.equal(tags[TAGS.writerPool], String(expected.database.writerPoolPerInstance));
            assert.equal(tags[TAGS.readerPoolPerReplica], String(expected.database.readerPoolPerReplica));
            assert.equal(tags[TAGS.event], expected.event?.name);
            assert.equal(tags[TAGS.eventStart], expected.event?.start);
            assert.equal(tags[TAGS.eventEnd], expected.event?.end);
        });

        it("opens each tier only to the tiers that must reach it, egress included", () => {
            const appPort = String(parseConfig(namespaceValues(stackConfig(stack))).compute.appPort);
            assert.deepEqual(rulesOf(run, "alb", "in"), ["80 0.0.0.0/0"], "no certificate: HTTP only");
            assert.deepEqual(rulesOf(run, "alb", "out"), [`${appPort} app`]);
            assert.deepEqual(rulesOf(run, "app", "in"), [`${appPort} alb`]);
            assert.deepEqual(rulesOf(run, "app", "out"), ["443 0.0.0.0/0", "5432 database", "6379 cache"]);
            assert.deepEqual(rulesOf(run, "warmer", "in"), []);
            assert.deepEqual(rulesOf(run, "warmer", "out"), ["443 endpoints", "5432 database", "6379 cache"]);
            assert.deepEqual(rulesOf(run, "endpoints", "in"), ["443 app", "443 warmer"]);
            assert.deepEqual(rulesOf(run, "cache", "in"), ["6379 app", "6379 warmer"]);
            assert.deepEqual(rulesOf(run, "database", "in"), ["5432 app", "5432 warmer"]);
            for (const tier of ["endpoints", "cache", "database"]) assert.deepEqual(rulesOf(run, tier, "out"), []);
            for (const sg of run.ofType(T.sg)) {
                assert.equal(sg.inputs.ingress, undefined, "no inline rules beside the rule resources");
                assert.equal(sg.inputs.egress, undefined, "no inline rules beside the rule resources");
            }
            // Secrets Manager for the secrets, CloudWatch for the warm's metrics: the warmer has no other way out.
            const endpoints = run.ofType(T.endpoint);
            assert.deepEqual(
                endpoints.map((e) => e.inputs.serviceName),
                ["com.amazonaws.us-east-1.secretsmanager", "com.amazonaws.us-east-1.monitoring"],
            );
            for (const endpoint of endpoints) {
                assert.deepEqual(endpoint.inputs.securityGroupIds, [securityGroup(run, "endpoints").id]);
                assert.equal(endpoint.inputs.privateDnsEnabled, true);
            }
            assert.deepEqual(run.one(T.alb).inputs.securityGroups, [securityGroup(run, "alb").id]);
            assert.deepEqual(run.one(T.redis).inputs.securityGroupIds, [securityGroup(run, "cache").id]);
            for (const db of run.ofType(T.rds))
                assert.deepEqual(db.inputs.vpcSecurityGroupIds, [securityGroup(run, "database").id]);
        });

        it("serves HTTP on 80 without a certificate, and exports an http:// URL", () => {
            const listener = run.one(T.listener);
            assert.equal(listener.inputs.port, 80);
            assert.equal(listener.inputs.protocol, "HTTP");
            assert.deepEqual(listener.inputs.defaultActions, [
                { type: "forward", targetGroupArn: run.one(T.tg).state.arn },
            ]);
            assert.match(run.outputs.url, /^http:\/\/.+elb\.amazonaws\.com$/);
        });
    });
}

describe("program under mocks: network", () => {
    it("uses the configured VPC and puts the group in the private subnets, the ALB in the public ones", async () => {
        const run = await runStack(BUILT_EVENT);
        const network = JSON.parse(stackConfig(BUILT_EVENT)["warmstack:network"]);
        assert.deepEqual(run.one(T.asg).inputs.vpcZoneIdentifiers, network.privateSubnetIds);
        assert.deepEqual(run.one(T.alb).inputs.subnets, network.publicSubnetIds);
        assert.deepEqual(run.one(T.rdsSubnets).inputs.subnetIds, network.privateSubnetIds);
        for (const endpoint of run.ofType(T.endpoint))
            assert.deepEqual(endpoint.inputs.subnetIds, network.privateSubnetIds);
        assert.equal(run.one(T.tg).inputs.vpcId, network.vpcId);
    });

    it("looks up the default VPC when warmstack:network is absent", async () => {
        const run = await runStack("baseline");
        assert.equal(run.one(T.tg).inputs.vpcId, "vpc-0defa17000000000");
        assert.equal(run.one(T.asg).inputs.vpcZoneIdentifiers.length, 3);
    });
});

describe("program under mocks: HTTPS with compute.certificateArn", () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000";
    let run: ProgramRun;
    before(async () => {
        run = await runEdited(BUILT_EVENT, { compute: (compute) => ({ ...compute, certificateArn }) });
    });

    it("listens on 443 with the certificate and a current TLS policy, forwarding to the app", () => {
        const https = run.ofType(T.listener).find((l) => l.inputs.port === 443)!;
        assert.equal(https.inputs.protocol, "HTTPS");
        assert.equal(https.inputs.sslPolicy, TLS_POLICY);
        assert.equal(TLS_POLICY, "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert.equal(https.inputs.certificateArn, certificateArn);
        assert.deepEqual(https.inputs.defaultActions, [{ type: "forward", targetGroupArn: run.one(T.tg).state.arn }]);
    });

    it("redirects 80 to 443 permanently and serves nothing in plain HTTP", () => {
        const listeners = run.ofType(T.listener);
        assert.equal(listeners.length, 2);
        const http = listeners.find((l) => l.inputs.port === 80)!;
        assert.deepEqual(http.inputs.defaultActions, [
            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ]);
    });

    it("opens 80 and 443 to clients, and exports an https:// URL", () => {
        assert.deepEqual(rulesOf(run, "alb", "in"), ["443 0.0.0.0/0", "80 0.0.0.0/0"]);
        assert.match(run.outputs.url, /^https:\/\/.+elb\.amazonaws\.com$/);
    });
});

describe("program under mocks: compute.agent.source ami", () => {
    it("stores no agent, grants no S3 read, and has the user data check the image's copy", async () => {
        const run = await runEdited(BUILT_HIBERNATED_EVENT, {
            compute: (compute) => ({ ...compute, agent: { source: "ami" } }),
        });
        assert.equal(run.ofType(T.bucket).length, 0);
        assert.equal(run.ofType(T.bucketObject).length, 0);
        const s3 = statementsOf(run, "app-instance").filter((s) => String(s.Action).startsWith("s3:"));
        assert.deepEqual(s3, []);
        const { script } = userDataOf(run);
        assert.ok(!script.includes("OBJECT_URL="), "nothing to download");
        assert.match(script, /no agent at "\$AGENT"|no agent at \$AGENT/);
    });
});

describe("program under mocks: warmstack:alerts.topicArn", () => {
    it("sends the alarm and failed runs to the given topic and creates none", async () => {
        const topicArn = "arn:aws:sns:us-east-1:123456789012:on-call";
        const run = await runEdited(BUILT_EVENT, { alerts: () => ({ topicArn }) });
        assert.equal(run.ofType(T.topic).length, 0);
        assert.deepEqual(run.one(T.alarm).inputs.alarmActions, [topicArn]);
        assert.equal(run.outputs.alertTopicArn, topicArn);
        assert.deepEqual(
            statementsOf(run, "data-warmer-role").filter((s) => s.Action === "sns:Publish"),
            [{ Effect: "Allow", Action: "sns:Publish", Resource: topicArn }],
        );
    });
});

describe("program under mocks: the group's resource options", function () {
    this.timeout(120_000);
    // The option is set whatever the config; blackfriday is the stack with a ramp, whose schedules own the capacity.
    it("a `pulumi up` leaves the live desired capacity alone, and only it", async () => {
        const resources = await programResources(BUILT_EVENT);
        const group = one(resources, T.asg);
        assert.deepEqual(group.options.ignoreChanges, ["desiredCapacity"]);
        // What owns it instead: the ramp's scheduled actions, on this group.
        const actions = resources.filter((r) => r.type === T.schedule);
        assert.ok(actions.length >= 2, "blackfriday ramps up and back down");
        for (const action of actions) assert.equal(action.inputs.autoscalingGroupName, group.inputs.name, action.name);
    });

    it("a config change refreshes every instance, the warm pool's too: user data does not run again on a pooled one", async () => {
        const group = (edit?: (config: Record<string, string>) => void) =>
            programResources(BUILT_EVENT, edit).then((resources) => ({
                group: one(resources, T.asg),
                userData: one(resources, T.template).inputs.userData as string,
            }));
        const before = await group();
        assert.deepEqual(before.group.inputs.instanceRefresh, {
            strategy: "Rolling",
            preferences: {
                skipMatching: true,
                minHealthyPercentage: 100,
                maxHealthyPercentage: REFRESH_MAX_HEALTHY_PERCENT,
                instanceWarmup: String(blackfridayPlan.scaling.warmupSeconds),
            },
        });
        // A refresh starts only on a new launch template version the group names ("$Latest" starts none).
        assert.notEqual(before.group.inputs.launchTemplate.version, "$Latest");
        // The change: the pool sizes. It reaches the instances only through a new user data, so a new version.
        const after = await group((config) => {
            const database = JSON.parse(config["warmstack:database"]);
            database.pool = { ...database.pool, max: (database.pool?.max ?? 20) - 5 };
            config["warmstack:database"] = JSON.stringify(database);
        });
        assert.notEqual(after.userData, before.userData);
        assert.deepEqual(after.group.inputs.instanceRefresh, before.group.inputs.instanceRefresh);
    });
});
