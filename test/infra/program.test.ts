import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { LAUNCH_HOOK_NAME } from "../../infra/compute";
import { namespaceValues, parseConfig } from "../../infra/config";
import { TAGS } from "../../policies/contract";
import { parseAgentConfig } from "../../warmers/agent/config";
import { plan } from "../../infra/plan";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { committedStacks, ProgramRun, RegisteredResource, runProgram, stackConfig } from "../support/pulumi";

const T = {
    asg: "aws:autoscaling/group:Group",
    schedule: "aws:autoscaling/schedule:Schedule",
    scalingPolicy: "aws:autoscaling/policy:Policy",
    template: "aws:ec2/launchTemplate:LaunchTemplate",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    tg: "aws:lb/targetGroup:TargetGroup",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    profile: "aws:iam/instanceProfile:InstanceProfile",
    role: "aws:iam/role:Role",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    rds: "aws:rds/instance:Instance",
    params: "aws:rds/parameterGroup:ParameterGroup",
    rdsSubnets: "aws:rds/subnetGroup:SubnetGroup",
    cacheSubnets: "aws:elasticache/subnetGroup:SubnetGroup",
    password: "random:index/randomPassword:RandomPassword",
    prewarm: "pulumi-nodejs:dynamic/warmstack:CachePrewarm",
    lambda: "aws:lambda/function:Function",
};

/** Runs the real entry path: Pulumi config → validation → plan → components. */
function runStack(stack: string): Promise<ProgramRun> {
    return runProgram(stackConfig(stack), warmstackFromPulumiConfig, stack);
}

function securityGroup(run: ProgramRun, tier: string): RegisteredResource {
    const found = run.ofType(T.sg).filter((sg) => sg.inputs.tags?.["warmstack:tier"] === tier);
    assert.equal(found.length, 1, `one ${tier} security group`);
    return found[0];
}

for (const stack of committedStacks()) {
    describe(`program under mocks: stack ${stack}`, () => {
        let run: ProgramRun;
        const expected = plan(parseConfig(namespaceValues(stackConfig(stack))));
        before(async () => {
            run = await runStack(stack);
        });

        it("registers the three warm components", () => {
            for (const type of [
                "warmstack:compute:WarmCompute",
                "warmstack:cache:WarmCache",
                "warmstack:database:WarmDatabase",
            ]) {
                assert.equal(run.ofType(type).length, 1, type);
            }
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
            const profile = run.one(T.profile);
            assert.equal(template.inputs.iamInstanceProfile.arn, profile.state.arn);
            assert.deepEqual(template.inputs.vpcSecurityGroupIds, [securityGroup(run, "app").id]);
        });

        it("runs the agent's watch as a service with the plan's pool sizes, deadline and endpoints, secrets only by ARN", () => {
            const script = Buffer.from(run.one(T.template).inputs.userData, "base64").toString("utf8");
            const json = /<<'WARMSTACK_AGENT_CONFIG'\n([\s\S]*?)\nWARMSTACK_AGENT_CONFIG/.exec(script)?.[1];
            assert.ok(json, "user data writes the agent config");
            const agent = parseAgentConfig(json, "user data");
            const primary = run.ofType(T.rds).find((d) => !d.inputs.replicateSourceDb)!;
            const replicas = run.ofType(T.rds).filter((d) => d.inputs.replicateSourceDb);
            assert.equal(agent.autoScalingGroupName, run.one(T.asg).inputs.name);
            assert.equal(agent.lifecycleHookName, LAUNCH_HOOK_NAME);
            assert.equal(agent.postgres?.writer.host, primary.state.address);
            assert.deepEqual(
                agent.postgres?.readers.map((r) => r.host),
                replicas.map((r) => r.state.address),
            );
            assert.deepEqual(agent.postgres?.poolSize, {
                writer: expected.database.writerPoolPerInstance,
                readerPerReplica: expected.database.readerPoolPerReplica,
            });
            assert.deepEqual(agent.postgres?.writer.password, {
                secretArn: primary.state.masterUserSecrets[0].secretArn,
            });
            assert.equal(agent.redis?.host, run.one(T.redis).state.primaryEndpointAddress);
            assert.deepEqual(agent.redis?.authToken, {
                secretArn: run.one("aws:secretsmanager/secret:Secret").state.arn,
            });
            assert.deepEqual(
                agent.postgres?.tls,
                { caFile: "/etc/warmstack/rds-global-bundle.pem", rejectUnauthorized: true },
                "the database certificate is checked",
            );
            assert.match(script, /\[ -s \/etc\/warmstack\/rds-global-bundle\.pem \] \|\| curl -fsS --max-time 30 /);
            assert.equal(
                agent.timeouts.overallMs,
                expected.scaling.agentDeadlineSeconds * 1000,
                "the agent decides before the hook times out",
            );
            // A hibernated or Running pool instance leaves the pool without booting: the watch, not a boot, starts the second run.
            const service = /\n\[Service\]\n([\s\S]*?)\n\n/
                .exec(script)?.[1]
                .split("\n")
                .filter((line) => !line.startsWith("#"));
            assert.deepEqual(service, [
                "Type=simple",
                "ExecStart=/usr/bin/env warmstack agent --config /etc/warmstack/agent.json --watch",
                "Restart=always",
                "RestartSec=5",
            ]);
            assert.match(script, /WantedBy=multi-user\.target[\s\S]*systemctl enable warmstack-agent\.service/);
            assert.ok(!script.includes(run.one(T.password).state.result), "no auth token in user data");
            assert.ok(!script.includes("rds-managed-password"), "no database password in user data");
        });

        it("puts the group behind the load balancer's target group with ELB health checks", () => {
            const asg = run.one(T.asg);
            const tg = run.one(T.tg);
            const alb = run.one(T.alb);
            const listener = run.one(T.listener);
            assert.deepEqual(asg.inputs.targetGroupArns, [tg.state.arn]);
            assert.equal(asg.inputs.healthCheckType, "ELB");
            assert.equal(listener.inputs.loadBalancerArn, alb.state.arn);
            assert.equal(listener.inputs.defaultActions[0].targetGroupArn, tg.state.arn);
            assert.equal(tg.inputs.healthCheck.path, "/healthz");
            const tracking = run.one(T.scalingPolicy).inputs.targetTrackingConfiguration;
            assert.equal(
                tracking.predefinedMetricSpecification.resourceLabel,
                `${alb.state.arnSuffix}/${tg.state.arnSuffix}`,
            );
            assert.equal(tracking.targetValue, expected.scaling.requestsPerTargetPerMinute);
        });

        it("lets the instance role complete lifecycle actions on this group only, and read the agent's two secrets", () => {
            const policy = JSON.parse(run.one(T.rolePolicy).inputs.policy);
            const primary = run.ofType(T.rds).find((d) => !d.inputs.replicateSourceDb)!;
            assert.deepEqual(policy.Statement, [
                {
                    Effect: "Allow",
                    Action: ["autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"],
                    Resource: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${run.one(T.asg).inputs.name}`,
                },
                {
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: [
                        primary.state.masterUserSecrets[0].secretArn,
                        run.one("aws:secretsmanager/secret:Secret").state.arn,
                    ],
                },
            ]);
            assert.equal(run.one(T.rolePolicy).inputs.role, run.one(T.role, "app-instance").state.name);
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
        });

        it("admits the data tier from the app tier and the pre-warm only, and the app tier from the load balancer only", () => {
            const alb = securityGroup(run, "alb");
            const app = securityGroup(run, "app");
            const warmer = securityGroup(run, "warmer");
            for (const [tier, port] of [
                ["cache", 6379],
                ["database", 5432],
            ] as const) {
                assert.deepEqual(
                    securityGroup(run, tier).inputs.ingress.map((r: any) => ({
                        port: r.fromPort,
                        to: r.toPort,
                        from: r.securityGroups,
                        cidr: r.cidrBlocks,
                    })),
                    [{ port, to: port, from: [app.id, warmer.id], cidr: undefined }],
                    tier,
                );
            }
            assert.deepEqual(
                app.inputs.ingress.map((r: any) => ({ from: r.securityGroups, cidr: r.cidrBlocks })),
                [{ from: [alb.id], cidr: undefined }],
            );
            assert.deepEqual(warmer.inputs.ingress, []);
            assert.deepEqual(
                warmer.inputs.egress.map((r: any) => r.fromPort),
                [6379, 5432],
            );
            assert.deepEqual(run.one(T.alb).inputs.securityGroups, [alb.id]);
            assert.deepEqual(run.one(T.redis).inputs.securityGroupIds, [securityGroup(run, "cache").id]);
            for (const db of run.ofType(T.rds))
                assert.deepEqual(db.inputs.vpcSecurityGroupIds, [securityGroup(run, "database").id]);
        });

        it("builds a Multi-AZ, encrypted Redis group with a secret auth token", () => {
            const redis = run.one(T.redis);
            assert.equal(redis.inputs.numCacheClusters, expected.cache.nodes);
            assert.ok(expected.cache.nodes >= 2);
            for (const flag of [
                "automaticFailoverEnabled",
                "multiAzEnabled",
                "atRestEncryptionEnabled",
                "transitEncryptionEnabled",
            ]) {
                assert.equal(redis.inputs[flag], true, flag);
            }
            assert.equal(redis.inputs.authToken, run.one(T.password).state.result);
            assert.ok(redis.secretInputs.includes("authToken"), "the auth token reaches the engine as a secret");
            assert.equal(redis.inputs.subnetGroupName, run.one(T.cacheSubnets).state.name);
        });

        it("keeps the auth token in Secrets Manager for the agents, as a secret in the state", () => {
            const version = run.one("aws:secretsmanager/secretVersion:SecretVersion");
            assert.equal(version.inputs.secretString, run.one(T.password).state.result);
            assert.ok(version.secretInputs.includes("secretString"));
            assert.equal(version.inputs.secretId, run.one("aws:secretsmanager/secret:Secret").id);
        });

        it("never exports the auth token", () => {
            assert.ok(!JSON.stringify(run.outputs).includes(run.one(T.password).state.result), "auth token in outputs");
        });

        it("builds the primary and the planned replicas, replicas pointing at the primary", () => {
            const dbs = run.ofType(T.rds);
            const primary = dbs.filter((d) => !d.inputs.replicateSourceDb);
            assert.equal(primary.length, 1);
            const replicas = dbs.filter((d) => d.inputs.replicateSourceDb);
            assert.equal(replicas.length, expected.database.replicas);
            for (const r of replicas) assert.equal(r.inputs.replicateSourceDb, primary[0].state.identifier);
            for (const d of dbs) {
                assert.equal(d.inputs.storageEncrypted, true);
                assert.equal(d.inputs.publiclyAccessible, false);
                assert.equal(d.inputs.parameterGroupName, run.one(T.params).state.name);
            }
            assert.equal(primary[0].inputs.manageMasterUserPassword, true);
            assert.equal(primary[0].inputs.password, undefined, "no password in the program");
            assert.ok(primary[0].inputs.backupRetentionPeriod > 0, "replicas need backups");
            assert.equal(primary[0].inputs.dbSubnetGroupName, run.one(T.rdsSubnets).state.name);
        });

        it("preloads pg_prewarm with autoprewarm on and pins max_connections to the planned budget", () => {
            const params = Object.fromEntries(run.one(T.params).inputs.parameters.map((p: any) => [p.name, p.value]));
            assert.equal(params.shared_preload_libraries, "pg_prewarm");
            assert.equal(params["pg_prewarm.autoprewarm"], "1");
            assert.equal(params.max_connections, String(expected.database.maxConnections));
        });

        it("pre-warms the cache from a replica after the group and the replicas exist, secrets kept secret", () => {
            const prewarm = run.one(T.prewarm);
            const group = run.one(T.redis);
            const replicas = run.ofType(T.rds).filter((d) => d.inputs.replicateSourceDb);
            assert.equal(prewarm.inputs.replicationGroupId, group.id);
            assert.equal(prewarm.inputs.redisHost, group.state.primaryEndpointAddress);
            assert.equal(prewarm.inputs.redisTls, true);
            assert.equal(prewarm.inputs.sourceHost, replicas[0].state.address, "a replica, never the primary");
            assert.equal(prewarm.inputs.sourceSsl, "require");
            assert.equal(prewarm.inputs.topKeys, expected.cache.prewarmKeys);
            assert.equal(prewarm.inputs.ttlSeconds, expected.cache.ttlSeconds);
            assert.equal(prewarm.inputs.minWarmth, expected.cache.minWarmth);
            assert.equal(prewarm.inputs.query, parseConfig(namespaceValues(stackConfig(stack))).cache.prewarm.query);
            assert.match(prewarm.inputs.trigger, /^\d{4}-\d\d-\d\dT/, "a trigger that moves on every up");
            const token = run.one(T.password).state.result;
            const password = `rds-managed-password-for-${run.ofType(T.rds).find((d) => !d.inputs.replicateSourceDb)!.state.masterUserSecrets[0].secretArn}`;
            assert.equal(prewarm.inputs.authToken, token);
            assert.equal(prewarm.inputs.password, password);
            assert.deepEqual(prewarm.secretInputs.filter((k) => ["authToken", "password"].includes(k)).sort(), [
                "authToken",
                "password",
            ]);
            assert.ok(!prewarm.inputs.__provider.includes(token) && !prewarm.inputs.__provider.includes(password));
        });

        it("deploys the warmer function inside the VPC with only VPC access, and the pre-warm invokes it", () => {
            const fn = run.one(T.lambda);
            assert.equal(run.one(T.prewarm).inputs.mode, "lambda");
            assert.equal(run.one(T.prewarm).inputs.functionName, fn.state.name);
            assert.deepEqual(fn.inputs.vpcConfig.securityGroupIds, [securityGroup(run, "warmer").id]);
            assert.deepEqual(fn.inputs.vpcConfig.subnetIds, run.one(T.asg).inputs.vpcZoneIdentifiers);
            assert.equal(fn.inputs.handler, "index.handler");
            assert.equal(
                fn.inputs.timeout,
                run.one(T.prewarm).inputs.timeoutSeconds + 30,
                "the warm's own timeout speaks first",
            );
            const role = run.one(T.role, "cache-warmer-role");
            assert.equal(fn.inputs.role, role.state.arn);
            assert.deepEqual(
                run
                    .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .map((a) => [a.inputs.role, a.inputs.policyArn]),
                [[role.state.name, "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]],
            );
            assert.equal(run.ofType(T.rolePolicy).filter((p) => p.inputs.role === role.state.name).length, 0);
        });

        it("exports the plan summary and the endpoints", () => {
            assert.deepEqual(run.outputs.plan, JSON.parse(JSON.stringify(expected)));
            assert.equal(
                run.outputs.databaseWriter,
                run.ofType(T.rds).find((d) => !d.inputs.replicateSourceDb)!.state.address,
            );
            assert.equal(run.outputs.databaseReaders.length, expected.database.replicas);
            assert.equal(run.outputs.cachePrimary, run.one(T.redis).state.primaryEndpointAddress);
            assert.match(run.outputs.url, /^http:\/\/.+elb\.amazonaws\.com$/);
        });
    });
}

describe("program under mocks: network", () => {
    it("uses the configured VPC and puts the group in the private subnets, the ALB in the public ones", async () => {
        const run = await runStack("blackfriday");
        const network = JSON.parse(stackConfig("blackfriday")["warmstack:network"]);
        assert.deepEqual(run.one(T.asg).inputs.vpcZoneIdentifiers, network.privateSubnetIds);
        assert.deepEqual(run.one(T.alb).inputs.subnets, network.publicSubnetIds);
        assert.deepEqual(run.one(T.rdsSubnets).inputs.subnetIds, network.privateSubnetIds);
        assert.equal(run.one(T.tg).inputs.vpcId, network.vpcId);
    });

    it("looks up the default VPC when warmstack:network is absent", async () => {
        const run = await runStack("baseline");
        assert.equal(run.one(T.tg).inputs.vpcId, "vpc-0defa17000000000");
        assert.equal(run.one(T.asg).inputs.vpcZoneIdentifiers.length, 3);
    });
});

describe("program under mocks: direct pre-warm", () => {
    it("deploys no warmer function and lets the pre-warm connect itself", async () => {
        const config = stackConfig("launch");
        const cache = JSON.parse(config["warmstack:cache"]);
        config["warmstack:cache"] = JSON.stringify({ ...cache, prewarm: { ...cache.prewarm, mode: "direct" } });
        const run = await runProgram(config, () => warmstackFromPulumiConfig());
        assert.equal(run.ofType(T.lambda).length, 0);
        assert.equal(run.one(T.prewarm).inputs.mode, "direct");
        assert.equal(run.one(T.prewarm).inputs.functionName, undefined);
    });
});

/** Runs the program on a config it must refuse; returns what it threw and what it registered before. */
async function runExpectingFailure(config: Record<string, string>): Promise<{ run: ProgramRun; error: unknown }> {
    let error: unknown;
    const run = await runProgram(config, () => {
        try {
            return warmstackFromPulumiConfig();
        } catch (err) {
            error = err;
            return {};
        }
    });
    return { run, error };
}

describe("program under mocks: bad config", () => {
    it("fails before any resource with one error naming every key", async () => {
        const config = stackConfig("blackfriday");
        const traffic = JSON.parse(config["warmstack:traffic"]);
        config["warmstack:traffic"] = JSON.stringify({ ...traffic, peakRps: -1 });
        config["warmstack:compute"] = JSON.stringify({
            ...JSON.parse(config["warmstack:compute"]),
            warmPool: { state: "Frozen" },
        });
        config["warmstack:databse"] = "{}";
        const { run, error } = await runExpectingFailure(config);
        assert.ok(pulumi.RunError.isInstance(error), "a RunError, printed without a stack trace");
        const message = (error as Error).message;
        assert.match(message, /\(3 problems\)/);
        assert.match(message, /warmstack:traffic\.peakRps: a number > 0; given -1/);
        assert.match(
            message,
            /warmstack:compute\.warmPool\.state: one of Stopped \| Running \| Hibernated; given "Frozen"/,
        );
        assert.match(message, /warmstack:databse: unknown key/);
        assert.equal(run.resources.length, 0, "no resource registered");
    });

    it("fails before any resource when the budget cannot hold the peak", async () => {
        const config = stackConfig("launch");
        config["warmstack:database"] = JSON.stringify({
            ...JSON.parse(config["warmstack:database"]),
            maxConnections: 40,
        });
        const { run, error } = await runExpectingFailure(config);
        assert.match(
            (error as Error).message,
            /warmstack:database\.maxConnections: writer: 24 instances at peak × 2 connections need maxConnections ≥ 57/,
        );
        assert.equal(run.resources.length, 0);
    });
});
