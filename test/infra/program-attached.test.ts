// An event stack attached to production, under mocks whose data sources answer as AWS would (test/support/pulumi.ts's
// world): it creates none of production's resources, every event resource names the production part it changes,
// the scale-down gives back production's own sizes, and every refusal fails the preview with one message.
import { strict as assert } from "node:assert";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { LAUNCH_HOOK_NAME } from "../../infra/compute";
import { EVENT_HOOK_NAME } from "../../infra/event-capacity";
import { holdsProductionPool, type WarmPoolInputs } from "../../infra/providers/warm-pool";
import { EVENT_POOL_TAG } from "../../model/production";
import { baseline, Baseline, BASELINE_REFERENCE } from "../support/baseline";
import {
    AwsWorld,
    BUILT_EVENT,
    committedStacks,
    NOW,
    primaryOf,
    PRODUCTION,
    productionWorld,
    ProgramRun,
    RegisteredResource,
    runProgram,
    stackConfig,
    T,
} from "../support/pulumi";

const NAMES = {
    autoScalingGroup: "shop-web",
    cacheReplicationGroup: "shop-redis",
    cacheAuthTokenSecretArn: PRODUCTION.tokenSecretArn,
    databaseInstance: "shop-db",
    databaseWarmerSecretArn: PRODUCTION.warmerSecretArn,
};

/** The tests' built blackfriday event, attached: the keys that describe a built system left out. */
function attachedConfig(production: Record<string, unknown> = NAMES): Record<string, string> {
    const config = stackConfig(BUILT_EVENT);
    const edit = (key: string, fn: (block: any) => void) => {
        const block = JSON.parse(config[`warmstack:${key}`]);
        fn(block);
        config[`warmstack:${key}`] = JSON.stringify(block);
    };
    edit("compute", (c) => ["amiId", "instanceType", "rootVolumeGb", "certificateArn"].forEach((k) => delete c[k]));
    edit("cache", (c) => ["nodeType", "engineVersion", "replicas"].forEach((k) => delete c[k]));
    edit("database", (d) => ["instanceClass", "engineVersion", "allocatedStorageGb"].forEach((k) => delete d[k]));
    delete config["warmstack:network"];
    config["warmstack:production"] = JSON.stringify(production);
    return config;
}

const attachedRun = (config = attachedConfig(), world: AwsWorld = productionWorld()) =>
    runProgram(config, () => warmstackFromPulumiConfig(NOW), "blackfriday", world);

async function refusal(
    config: Record<string, string>,
    world: AwsWorld,
): Promise<{ message: string; resources: RegisteredResource[] }> {
    const resources: RegisteredResource[] = [];
    try {
        await runProgram(config, () => warmstackFromPulumiConfig(NOW), "blackfriday", world, resources);
    } catch (err) {
        return { message: (err as Error).message, resources };
    }
    assert.fail("the attached stack was not refused");
}

/** What the stack adds: production's own resource types must not be among them. */
const PRODUCTION_TYPES = [
    T.asg,
    T.template,
    T.redis,
    T.alb,
    T.tg,
    T.listener,
    T.profile,
    T.params,
    T.rdsSubnets,
    T.cacheSubnets,
];

describe("program under mocks: attached to production by names", () => {
    let run: ProgramRun;
    let world: AwsWorld;
    before(async () => {
        world = productionWorld();
        run = await attachedRun(attachedConfig(), world);
    });

    it("prices production's own instance type, node type and class from the AWS Price List", () => {
        const asked = world.invokes
            .filter((i) => i.token === "aws:pricing/getProduct:getProduct")
            .map((i) => i.inputs.filters.find((f: { field: string }) => f.field === "instanceType")?.value);
        const template = world.launchTemplates[world.groups["shop-web"].launchTemplates[0].id];
        assert.ok(asked.includes(template.instanceType), `asked ${asked.join(", ")}`);
        assert.equal(run.outputs.plan.cost.prices.instanceHourly.source, "AWS Price List API (us-east-1 on-demand)");
    });

    it("creates none of production's resources", () => {
        for (const type of PRODUCTION_TYPES) assert.deepEqual(run.ofType(type), [], type);
        assert.ok(
            run.ofType(T.rds).every((db) => db.inputs.replicateSourceDb === "shop-db"),
            "only replicas",
        );
    });

    it("puts the launch hook, then the planned warm pool, on production's group", () => {
        const hook = run.one(T.hook);
        assert.deepEqual(
            [hook.inputs.autoscalingGroupName, hook.inputs.lifecycleTransition, hook.inputs.defaultResult],
            ["shop-web", "autoscaling:EC2_INSTANCE_LAUNCHING", "ABANDON"],
        );
        // A hook of its own: a warmstack-built production already holds LAUNCH_HOOK_NAME, which destroy must not take.
        assert.equal(hook.inputs.name, EVENT_HOOK_NAME);
        assert.notEqual(EVENT_HOOK_NAME, LAUNCH_HOOK_NAME);
        assert.deepEqual(JSON.parse(run.one(T.groupTag).inputs.tag.value), { stack: "blackfriday", own: null });
        const pool = run.one(T.warmPool);
        assert.equal(pool.inputs.autoScalingGroupName, "shop-web");
        assert.equal(pool.inputs.minSize, run.outputs.plan.warmPool.minSize);
        assert.ok(pool.inputs.minSize > 0);
        assert.ok(run.resources.indexOf(hook) < run.resources.indexOf(pool), "the hook is registered first");
    });

    it("ramps production's group to the peak and gives back its own min, max and desired", () => {
        const peak = run.outputs.plan.instances.peak;
        const byName = Object.fromEntries(run.ofType(T.schedule).map((s) => [s.inputs.scheduledActionName, s.inputs]));
        assert.deepEqual(Object.keys(byName).sort(), ["blackfriday-ramp-down", "blackfriday-ramp-up"]);
        for (const s of Object.values(byName)) assert.equal((s as any).autoscalingGroupName, "shop-web");
        assert.deepEqual(
            [
                byName["blackfriday-ramp-up"].minSize,
                byName["blackfriday-ramp-up"].desiredCapacity,
                byName["blackfriday-ramp-up"].maxSize,
            ],
            [peak, peak, Math.max(peak, 30)],
        );
        assert.deepEqual(
            [
                byName["blackfriday-ramp-down"].minSize,
                byName["blackfriday-ramp-down"].maxSize,
                byName["blackfriday-ramp-down"].desiredCapacity,
            ],
            [4, 30, 6],
            "production's own sizes, as read",
        );
        assert.deepEqual(run.outputs.productionCapacity, { minSize: 4, maxSize: 30, desiredCapacity: 6 });
    });

    it("adds the plan's read replicas of production's primary, in its subnet group and security groups, class and all", () => {
        const replicas = run.ofType(T.rds);
        assert.equal(replicas.length, run.outputs.plan.database.replicas);
        for (const r of replicas) {
            assert.deepEqual(
                [
                    r.inputs.replicateSourceDb,
                    r.inputs.instanceClass,
                    r.inputs.dbSubnetGroupName,
                    r.inputs.vpcSecurityGroupIds,
                ],
                ["shop-db", "db.r6g.2xlarge", "shop-db-subnets", [PRODUCTION.databaseSecurityGroup]],
            );
            assert.equal(r.inputs.storageEncrypted, true);
            assert.equal(r.inputs.publiclyAccessible, false);
        }
        assert.equal(run.outputs.databaseReaders.length, replicas.length);
    });

    it("plans on production's real instance type and cache node type", () => {
        const plan = run.outputs.plan;
        assert.equal(plan.cache.nodeMemoryBytes, Math.floor(26.32 * 1024 ** 3), "cache.r7g.xlarge's memory");
        assert.equal(plan.cache.replicasPerShard, 2);
        assert.equal(plan.cache.clusterMode, false);
    });

    it("warms production's cache from the new replicas, with the secrets read by ARN", () => {
        const prewarm = run.one(T.prewarm);
        assert.equal(prewarm.inputs.replicationGroupId, "shop-redis");
        assert.equal(prewarm.inputs.redisHost, "master.shop-redis.abc123.use1.cache.amazonaws.com");
        assert.equal(prewarm.inputs.redisCluster, false);
        assert.ok(run.outputs.databaseReaders.includes(prewarm.inputs.sourceHost), "a new replica, never the primary");
        assert.equal(prewarm.inputs.adminUser, undefined, "no setup as a master production did not give");
        for (const secret of ["authToken", "password"]) assert.ok(prewarm.secretInputs.includes(secret), secret);
        const schedule = run.one(T.warmSchedule);
        const payload = JSON.parse(schedule.inputs.target.input);
        assert.equal(payload.passwordSecretArn, PRODUCTION.warmerSecretArn);
        assert.equal(payload.authTokenSecretArn, PRODUCTION.tokenSecretArn);
        assert.doesNotMatch(schedule.inputs.target.input, /rds-managed-password/);
    });

    it("admits the warmer to production's cache and database by rules it adds", () => {
        const ingress = run
            .ofType(T.ingress)
            .map((r) => `${r.inputs.securityGroupId}:${r.inputs.fromPort}`)
            .sort();
        assert.deepEqual(ingress, [
            `${PRODUCTION.cacheSecurityGroup}:6379`,
            `${PRODUCTION.databaseSecurityGroup}:5432`,
        ]);
        const warmer = run.one(T.sg);
        assert.equal(warmer.inputs.vpcId, PRODUCTION.vpcId);
        assert.ok(run.ofType(T.ingress).every((r) => r.inputs.referencedSecurityGroupId === warmer.id));
        assert.deepEqual(run.one(T.lambda).inputs.vpcConfig.subnetIds, [
            "subnet-0a0000000000000a2",
            "subnet-0a0000000000000b2",
        ]);
    });

    it("gives production's instance role one inline policy: the hook on this group, the secrets, the agent object", () => {
        const policy = run.ofType(T.rolePolicy).find((p) => p.inputs.role === "shop-web-instance");
        assert.ok(policy, "a policy on production's role");
        const statements = JSON.parse(policy.inputs.policy).Statement;
        assert.deepEqual(statements[0].Resource, PRODUCTION.groupArn);
        assert.deepEqual(statements[1].Resource, [PRODUCTION.warmerSecretArn, PRODUCTION.tokenSecretArn]);
        assert.equal(statements[2].Action, "s3:GetObject");
        assert.equal(statements.length, 3);
    });

    it("delivers the agent through EventBridge and SSM to the instances production launches", () => {
        const rule = run.one(T.eventRule);
        const pattern = JSON.parse(rule.inputs.eventPattern);
        assert.deepEqual(pattern.detail.AutoScalingGroupName, ["shop-web"]);
        assert.deepEqual(pattern["detail-type"], ["EC2 Instance-launch Lifecycle Action"]);
        const target = run.one(T.eventTarget);
        assert.match(target.inputs.arn, /:automation-definition\/.*:\$DEFAULT$/);
        assert.equal(target.inputs.inputTransformer.inputPaths.instance, "$.detail.EC2InstanceId");
        const [command, automation] = ["Command", "Automation"].map((kind) =>
            run.ofType(T.document).find((d) => d.inputs.documentType === kind)!,
        );
        const script = Buffer.from(
            /echo '([A-Za-z0-9+/=]+)'/.exec(JSON.parse(command.inputs.content).mainSteps[0].inputs.runCommand[2])![1],
            "base64",
        ).toString("utf8");
        assert.match(script, /"autoScalingGroupName": "shop-web"/);
        assert.match(
            script,
            new RegExp(`"lifecycleHookName": "${EVENT_HOOK_NAME}"`),
            "the agent completes the event's hook",
        );
        assert.match(script, /shop-db\.abc123\.us-east-1\.rds\.amazonaws\.com/);
        const steps = JSON.parse(automation.inputs.content).mainSteps;
        assert.equal(steps[0].onFailure, "step:abandon");
        assert.deepEqual(
            [steps[1].inputs.Api, steps[1].inputs.LifecycleActionResult],
            ["CompleteLifecycleAction", "ABANDON"],
        );
    });
});

describe("program under mocks: attached to other kinds of production", () => {
    it("attaches through a stack reference to the same parts", async () => {
        const run = await attachedRun(attachedConfig({ stack: "acme/warmstack/baseline" }));
        assert.equal(run.one(T.stackReference).inputs.name, "acme/warmstack/baseline");
        assert.equal(run.one(T.hook).inputs.autoscalingGroupName, "shop-web");
        assert.ok(run.ofType(T.rds).every((db) => db.inputs.replicateSourceDb === "shop-db"));
    });

    it("scales Aurora's readers with Application Auto Scaling and gives back production's count", async () => {
        const aurora: Record<string, string> = { ...NAMES, databaseCluster: "shop-aurora" };
        delete aurora.databaseInstance;
        const run = await attachedRun(attachedConfig(aurora));
        assert.deepEqual(run.ofType(T.rds), [], "no instance created: Aurora adds its own readers");
        const target = run.one(T.scalableTarget);
        assert.deepEqual(
            [
                target.inputs.serviceNamespace,
                target.inputs.scalableDimension,
                target.inputs.resourceId,
                target.inputs.minCapacity,
            ],
            ["rds", "rds:cluster:ReadReplicaCount", "cluster:shop-aurora", 1],
        );
        const readers = run.outputs.plan.database.replicas;
        const actions = Object.fromEntries(run.ofType(T.scalingSchedule).map((a) => [a.inputs.name, a.inputs]));
        assert.deepEqual(actions["blackfriday-readers-up"].scalableTargetAction, {
            minCapacity: readers,
            maxCapacity: readers,
        });
        assert.deepEqual(actions["blackfriday-readers-back"].scalableTargetAction, {
            minCapacity: 1,
            maxCapacity: readers,
        });
        assert.equal(run.one(T.prewarm).inputs.sourceHost, "shop-aurora.cluster-ro-abc123.us-east-1.rds.amazonaws.com");
    });

    it("ramps production's ECS service to the plan's peak tasks and gives back the desired count ECS reports", async () => {
        const run = await attachedRun(attachedConfig({ ...NAMES, ecsService: "shop/web" }));
        const target = run.one(T.scalableTarget);
        assert.deepEqual(
            [target.inputs.serviceNamespace, target.inputs.scalableDimension, target.inputs.resourceId],
            ["ecs", "ecs:service:DesiredCount", "service/shop/web"],
        );
        assert.deepEqual([target.inputs.minCapacity, target.inputs.maxCapacity], [5, 5], "production's own, before");
        // tasksPerInstance's default, 1, per instance at the peak.
        const peak = run.outputs.plan.instances.peak;
        assert.ok(peak > 5, "the plan's peak is above production's count");
        const actions = Object.fromEntries(run.ofType(T.scalingSchedule).map((a) => [a.inputs.name, a.inputs]));
        assert.deepEqual(Object.keys(actions).sort(), ["blackfriday-ramp-down", "blackfriday-ramp-up"]);
        for (const a of Object.values(actions)) assert.equal((a as any).resourceId, "service/shop/web");
        assert.equal(actions["blackfriday-ramp-up"].schedule, `at(${run.outputs.plan.timeline.ramp.slice(0, 19)})`);
        assert.deepEqual(actions["blackfriday-ramp-up"].scalableTargetAction, { minCapacity: peak, maxCapacity: peak });
        assert.equal(
            actions["blackfriday-ramp-down"].schedule,
            `at(${run.outputs.plan.timeline.scaleDown.slice(0, 19)})`,
        );
        assert.deepEqual(actions["blackfriday-ramp-down"].scalableTargetAction, { minCapacity: 5, maxCapacity: 5 });
    });

    it("warms a cluster-mode cache as a cluster through its configuration endpoint", async () => {
        const run = await attachedRun(attachedConfig({ ...NAMES, cacheReplicationGroup: "shop-redis-cluster" }));
        const prewarm = run.one(T.prewarm);
        assert.equal(prewarm.inputs.redisCluster, true);
        assert.equal(prewarm.inputs.redisHost, "clustercfg.shop-redis-cluster.abc123.use1.cache.amazonaws.com");
        assert.equal(run.outputs.plan.cache.shards, 3);
    });

    it("holds a warm pool production already keeps, large enough, as it is: the pool shows the group to the pack", async () => {
        const world = productionWorld();
        world.groups["shop-web"].warmPools = [
            { minSize: 500, maxGroupPreparedCapacity: 600, poolState: "Stopped", instanceReusePolicies: [] },
        ];
        const run = await attachedRun(attachedConfig(), world);
        const own = { minSize: 500, maxGroupPreparedCapacity: 600, state: "Stopped", reuseOnScaleIn: false };
        const pool = run.one(T.warmPool).inputs;
        assert.deepEqual(
            [pool.minSize, pool.maxGroupPreparedCapacity, pool.poolState, pool.reuseOnScaleIn, pool.productionPool],
            [500, 600, "Stopped", false, own],
        );
        assert.ok(holdsProductionPool(pool as WarmPoolInputs), "held: the provider neither puts nor gives back");
        const group = world.groups["shop-web"];
        assert.deepEqual(pool.groupCapacity, {
            minSize: group.minSize,
            maxSize: group.maxSize,
            desiredCapacity: group.desiredCapacity,
        });
        assert.equal(pool.groupTags["warmstack:event-start"], run.outputs.plan.event.start);
        assert.deepEqual(run.ofType(T.groupTag), [], "nothing changes, so nothing is recorded");
        assert.match(run.outputs.warmPool, /production's own pool/);
    });

    it("raises a smaller pool of production's to the plan's, recording on the group what destroy gives back", async () => {
        const world = productionWorld();
        const own = { minSize: 2, maxGroupPreparedCapacity: 8, poolState: "Stopped" };
        world.groups["shop-web"].warmPools = [{ ...own, instanceReusePolicies: [{ reuseOnScaleIn: true }] }];
        const run = await attachedRun(attachedConfig(), world);
        const productionPool = { minSize: 2, maxGroupPreparedCapacity: 8, state: "Stopped", reuseOnScaleIn: true };
        const pool = run.one(T.warmPool);
        assert.equal(pool.inputs.minSize, run.outputs.plan.warmPool.minSize);
        assert.deepEqual(pool.inputs.productionPool, productionPool);
        const tag = run.one(T.groupTag);
        assert.equal(tag.inputs.autoscalingGroupName, "shop-web");
        assert.equal(tag.inputs.tag.key, EVENT_POOL_TAG);
        assert.deepEqual(JSON.parse(tag.inputs.tag.value), { stack: "blackfriday", own: productionPool });

        // The next deploy sees the raised pool and the tag: it gives back what the first read, not the raise.
        world.groups["shop-web"].warmPools = [{ ...own, minSize: pool.inputs.minSize, instanceReusePolicies: [] }];
        world.groups["shop-web"].tags = [
            { key: EVENT_POOL_TAG, value: tag.inputs.tag.value, propagateAtLaunch: false },
        ];
        const again = await attachedRun(attachedConfig(), world);
        assert.deepEqual(again.one(T.warmPool).inputs.productionPool, productionPool);
    });
});

describe("program under mocks: an attached stack's functions", () => {
    it("ramps the functions' provisioned concurrency as a built stack does", async () => {
        const config = attachedConfig();
        config["warmstack:functions"] = JSON.stringify([
            { name: "checkout", alias: "live", peakRps: 900, durationMs: 180 },
        ]);
        const run = await attachedRun(config);
        const [target] = run.ofType(T.scalableTarget);
        assert.equal(target.inputs.resourceId, "function:checkout:live");
        assert.deepEqual(Object.keys(run.outputs.functionTargets), ["function:checkout:live"]);
        assert.ok(run.ofType(T.scalingSchedule).some((a) => a.inputs.resourceId === "function:checkout:live"));
    });
});

describe("program under mocks: production it cannot attach to", () => {
    const cases: Array<[string, (w: AwsWorld, c: Record<string, unknown>) => void, RegExp]> = [
        [
            "a group that does not exist",
            (_, c) => (c.autoScalingGroup = "shop-wbe"),
            /warmstack:production\.autoScalingGroup: an Auto Scaling group that exists in this account and region, and that this deploy may read; given "shop-wbe" \(AWS: reading Auto Scaling Group \(shop-wbe\): couldn't find resource\)/,
        ],
        [
            "a cache that does not exist",
            (_, c) => (c.cacheReplicationGroup = "nope"),
            /warmstack:production\.cacheReplicationGroup: an ElastiCache replication group that exists .*given "nope"/,
        ],
        [
            "a database that does not exist",
            (_, c) => (c.databaseInstance = "gone"),
            /warmstack:production\.databaseInstance: an RDS DB instance that exists .*given "gone"/,
        ],
        [
            "a group that launches Spot",
            (w) =>
                (w.groups["shop-web"].mixedInstancesPolicies = [
                    {
                        instancesDistributions: [{ onDemandBaseCapacity: 2, onDemandPercentageAboveBaseCapacity: 0 }],
                        launchTemplates: [
                            {
                                launchTemplateSpecifications: [{ launchTemplateId: "lt-0a1b2c3d4e5f60718" }],
                                overrides: [],
                            },
                        ],
                    },
                ]),
            /warmstack:production\.autoScalingGroup: a group that launches On-Demand capacity only: .* AWS refuses a warm pool on a group with Spot; given "shop-web"/,
        ],
        [
            "a database that is not PostgreSQL",
            (w) => (w.dbInstances["shop-db"].engine = "mysql"),
            /warmstack:production\.databaseInstance: a database running postgres \(PostgreSQL\): this one runs mysql; given "shop-db"/,
        ],
        [
            "a warm pool another event stack holds",
            (w) =>
                (w.groups["shop-web"].tags = [
                    {
                        key: EVENT_POOL_TAG,
                        value: JSON.stringify({ stack: "launch", own: null }),
                        propagateAtLaunch: false,
                    },
                ]),
            /warmstack:production\.autoScalingGroup: a group whose warm pool no other event stack holds: event stack launch holds this one/,
        ],
        [
            "a cache without AUTH",
            (w) => (w.replicationGroups["shop-redis"].authTokenEnabled = false),
            /warmstack:production\.cacheReplicationGroup: a group with an AUTH token and TLS/,
        ],
        [
            "an ECS service that does not exist",
            (_, c) => (c.ecsService = "shop/api"),
            /warmstack:production\.ecsService: an ECS service \(CLUSTER\/SERVICE\) that exists in this account and region, .*given "shop\/api" \(AWS: .*couldn't find resource\)/,
        ],
        [
            "an ECS service not named CLUSTER/SERVICE",
            (_, c) => (c.ecsService = "web"),
            /warmstack:production\.ecsService: CLUSTER\/SERVICE: an ECS cluster name and one of its services' names/,
        ],
        [
            "a stack that does not exist",
            (_, c) => {
                for (const k of Object.keys(c)) delete c[k];
                c.stack = "acme/warmstack/nope";
            },
            /reading stack \(acme\/warmstack\/nope\): couldn't find resource/,
        ],
    ];
    for (const [what, edit, expected] of cases) {
        it(`fails the preview with one message for ${what}, before any resource`, async () => {
            const world = productionWorld();
            const names: Record<string, unknown> = { ...NAMES };
            edit(world, names);
            const { message, resources } = await refusal(attachedConfig(names), world);
            assert.match(message, expected);
            assert.deepEqual(
                resources.filter((r) => r.type !== T.stackReference),
                [],
                "no resource registered",
            );
        });
    }
});

for (const stack of committedStacks().filter((s) => stackConfig(s)["warmstack:production"] !== undefined)) {
    describe(`program under mocks: the committed ${stack} stack, attached to baseline`, () => {
        let base: Baseline;
        let run: ProgramRun;
        before(async () => {
            base = await baseline();
            run = await runProgram(stackConfig(stack), () => warmstackFromPulumiConfig(NOW), stack, base.world);
        });

        it("reads baseline's parts through its stack reference, by the names baseline's program publishes", () => {
            assert.equal(run.one(T.stackReference).inputs.name, BASELINE_REFERENCE);
            const published = base.run.outputs.production;
            assert.deepEqual(run.outputs.attachedTo, {
                autoScalingGroup: published.autoScalingGroup,
                cacheReplicationGroup: published.cacheReplicationGroup,
                databaseInstance: published.databaseInstance,
            });
            assert.equal(published.autoScalingGroup, base.run.one(T.asg).inputs.name);
            assert.equal(published.cacheReplicationGroup, base.run.one(T.redis).id);
        });

        it("creates none of baseline's resources, and every event resource names the part of baseline it changes", () => {
            for (const type of PRODUCTION_TYPES) assert.deepEqual(run.ofType(type), [], type);
            const group = base.run.one(T.asg).inputs.name;
            for (const r of [run.one(T.hook), run.one(T.warmPool), run.one(T.groupTag), ...run.ofType(T.schedule)])
                assert.equal(r.inputs.autoscalingGroupName ?? r.inputs.autoScalingGroupName, group, r.name);
            const primary = primaryOf(base.run).state.identifier;
            const replicas = run.ofType(T.rds);
            assert.equal(replicas.length, run.outputs.plan.database.replicas);
            for (const r of replicas)
                assert.deepEqual(
                    [r.inputs.replicateSourceDb, r.inputs.instanceClass],
                    [primary, primaryOf(base.run).inputs.instanceClass],
                );
            assert.equal(run.one(T.prewarm).inputs.replicationGroupId, base.run.one(T.redis).id);
        });

        it("raises baseline's own warm pool for the event and gives back baseline's, and its own sizes after", () => {
            const group = base.run.one(T.asg).inputs;
            const pool = run.one(T.warmPool).inputs;
            assert.equal(pool.minSize, run.outputs.plan.warmPool.minSize);
            assert.ok(pool.minSize > group.warmPool.minSize, "the event needs more than baseline keeps");
            assert.deepEqual(pool.productionPool, {
                minSize: group.warmPool.minSize,
                maxGroupPreparedCapacity: group.warmPool.maxGroupPreparedCapacity,
                state: group.warmPool.poolState,
                reuseOnScaleIn: group.warmPool.instanceReusePolicy.reuseOnScaleIn,
            });
            const down = run.ofType(T.schedule).find((s) => s.inputs.scheduledActionName === `${stack}-ramp-down`)!;
            assert.deepEqual(
                [down.inputs.minSize, down.inputs.maxSize, down.inputs.desiredCapacity],
                [group.minSize, group.maxSize, group.desiredCapacity],
            );
        });

        it("adds a launch hook of its own beside baseline's, which destroying the event leaves", () => {
            const own = base.run.one(T.asg).inputs.initialLifecycleHooks.map((h: any) => h.name);
            assert.ok(!own.includes(run.one(T.hook).inputs.name), `${run.one(T.hook).inputs.name} vs ${own}`);
        });
    });
}
