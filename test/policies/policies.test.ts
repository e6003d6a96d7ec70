// Each policy on the shapes the program registers (the blackfriday and launch stacks under mocks), broken one
// property at a time, with properties wrapped the way the policy server wraps them.
import { strict as assert } from "node:assert";
import { Policy, unknownCheckingProxy } from "@pulumi/policy";
import { cacheHaEncrypted, cachePrewarmed } from "../../policies/cache";
import { connectionBudget, wholeChainWarm } from "../../policies/chain";
import {
    asgInstanceWarmup,
    asgWarmPoolRequired,
    rampBeforeEvent,
    warmPoolCompatible,
    warmPoolLaunchHook,
    warmPoolState,
} from "../../policies/compute";
import { TYPES } from "../../policies/shared/contract";
import { dbBufferPrewarm, dbPrivateEncrypted, dbReadReplicas } from "../../policies/database";
import { unjudgedResources } from "../../policies/unjudged";
import {
    analyze,
    cachePrewarm,
    committedPackConfig,
    edited,
    EngineResource,
    one,
    PackConfig,
    programResources,
    UNKNOWN,
    withoutPrewarm,
} from "./harness";

const CONFIG = committedPackConfig("blackfriday");

/** Each diagnostic as `policy level resource`, and each message, for compact assertions. */
async function verdicts(policy: Policy, resources: EngineResource[], config: PackConfig = CONFIG) {
    const { diagnostics, notApplicable } = await analyze(resources, config, [policy]);
    return {
        found: diagnostics.map((d) => `${d.policyName} ${d.enforcementLevel} ${d.urn?.split("::").pop() ?? "stack"}`),
        messages: diagnostics.map((d) => d.message).join("\n"),
        notApplicable: notApplicable.map((n) => `${n.policyName}: ${n.reason}`),
    };
}

async function passes(policy: Policy, resources: EngineResource[], config: PackConfig = CONFIG) {
    assert.deepEqual((await verdicts(policy, resources, config)).found, []);
}

/** The stack's database config with relations for the replicas' buffer warm. */
function withRelations(config: Record<string, string>) {
    const database = JSON.parse(config["warmstack:database"]);
    database.prewarm = { ...database.prewarm, relations: ["catalog.products", "catalog.products_pkey"] };
    config["warmstack:database"] = JSON.stringify(database);
}

const withConfig = (policy: string, properties: Record<string, unknown>): PackConfig => ({
    ...CONFIG,
    [policy]: { ...(CONFIG[policy] as object), ...properties },
});

describe("warm-readiness policies on the program's resource shapes", () => {
    let bf: EngineResource[];
    let launch: EngineResource[];
    // The cache left cold, so cache-prewarmed and whole-chain-warm have something to find; the replicas' buffers
    // warm (relations given), so that the cache is the one cold link to begin with.
    before(async function () {
        this.timeout(180_000); // two runs of the program under mocks, slow on a busy machine
        bf = withoutPrewarm(await programResources("blackfriday", withRelations));
        launch = withoutPrewarm(await programResources("launch", withRelations));
    });

    describe("asg-warm-pool-required", () => {
        it("passes the program's group", () => passes(asgWarmPoolRequired, bf));

        it("blocks a group without a warm pool and says how to add one", async () => {
            const v = await verdicts(
                asgWarmPoolRequired,
                edited(bf, TYPES.group, (p) => delete p.warmPool),
            );
            assert.deepEqual(v.found, ["asg-warm-pool-required mandatory app-group"]);
            assert.match(
                v.messages,
                /app-group has no warm pool: every instance it adds at the peak boots cold\. Add warmPool \{ minSize: 25/,
            );
        });

        it("blocks a pool smaller than the stack's minimum, with both numbers", async () => {
            const v = await verdicts(
                asgWarmPoolRequired,
                edited(bf, TYPES.group, (p) => {
                    p.warmPool.minSize = 3;
                }),
            );
            assert.match(v.messages, /keeps 3 instance\(s\) at least; this stack needs 25/);
        });

        it("exempts a group tagged warmstack:cold-ok with a reason, and reports the reason", async () => {
            const v = await verdicts(
                asgWarmPoolRequired,
                edited(bf, TYPES.group, (p) => {
                    delete p.warmPool;
                    p.tags.push({
                        key: "warmstack:cold-ok",
                        value: "batch workers, no user traffic",
                        propagateAtLaunch: false,
                    });
                }),
            );
            assert.deepEqual(v.found, []);
            assert.deepEqual(v.notApplicable, [
                "asg-warm-pool-required: exempt by warmstack:cold-ok: batch workers, no user traffic",
            ]);
        });

        it("does not exempt a cold-ok tag without a reason", async () => {
            const v = await verdicts(
                asgWarmPoolRequired,
                edited(bf, TYPES.group, (p) => {
                    delete p.warmPool;
                    p.tags.push({ key: "warmstack:cold-ok", value: "", propagateAtLaunch: false });
                }),
            );
            assert.deepEqual(v.found, ["asg-warm-pool-required mandatory app-group"]);
            assert.match(v.messages, /needs a reason as its value/);
        });

        it("reports an unknown warm pool at preview as an advisory, not a crash", async () => {
            const v = await verdicts(
                asgWarmPoolRequired,
                edited(bf, TYPES.group, (p) => {
                    p.warmPool = UNKNOWN;
                }),
            );
            assert.deepEqual(v.found, ["asg-warm-pool-required advisory app-group"]);
            assert.match(
                v.messages,
                /can't run policy 'asg-warm-pool-required' .* during preview: string value at \.warmPool/,
            );
        });
    });

    describe("warm-pool-compatible", () => {
        const template = (resources: EngineResource[], edit: (p: Record<string, any>) => void) =>
            edited(resources, TYPES.launchTemplate, edit);

        it("passes the Stopped (blackfriday) and Hibernated (launch) pools", async () => {
            await passes(warmPoolCompatible, bf);
            await passes(warmPoolCompatible, launch, committedPackConfig("launch"));
        });

        it("passes a warm pool on an On-Demand mixedInstancesPolicy, and checks the templates it launches", async () => {
            // AWS accepts warm pools with mixed instances policies since November 2025; Spot stays refused.
            const mixed = (resources: EngineResource[], distribution?: Record<string, unknown>) =>
                edited(resources, TYPES.group, (p, r) => {
                    p.mixedInstancesPolicy = {
                        launchTemplate: {
                            launchTemplateSpecification: { launchTemplateId: p.launchTemplate.id },
                            overrides: [{ instanceType: "c7i.large" }, { instanceType: "m7i.large" }],
                        },
                        ...(distribution && { instancesDistribution: distribution }),
                    };
                    delete p.launchTemplate;
                    // The same dependency, now through the policy (edit runs on the inputs, then the outputs).
                    r.propertyDependencies.mixedInstancesPolicy ??= r.propertyDependencies.launchTemplate;
                    delete r.propertyDependencies.launchTemplate;
                });
            await passes(warmPoolCompatible, mixed(bf));
            await passes(
                warmPoolCompatible,
                mixed(bf, { onDemandBaseCapacity: 2, onDemandPercentageAboveBaseCapacity: 100 }),
            );

            const spot = await verdicts(warmPoolCompatible, mixed(bf, { onDemandPercentageAboveBaseCapacity: 30 }));
            assert.deepEqual(spot.found, ["warm-pool-compatible mandatory app-group"]);
            assert.match(
                spot.messages,
                /onDemandPercentageAboveBaseCapacity 30: 70 % of the instances above the base are Spot/,
            );

            const unencrypted = await verdicts(
                warmPoolCompatible,
                mixed(
                    template(launch, (p) => (p.hibernationOptions = { configured: false })),
                    undefined,
                ),
                committedPackConfig("launch"),
            );
            assert.deepEqual(unencrypted.found, ["warm-pool-compatible mandatory app-group"]);
            assert.match(
                unencrypted.messages,
                /the pool is Hibernated but launch template app-template does not enable hibernation/,
            );
        });

        it("blocks a launch template that requests Spot, found through the dependency while its id is unknown", async () => {
            const spot = template(bf, (p) => {
                p.instanceMarketOptions = { marketType: "spot" };
            });
            const v = await verdicts(
                warmPoolCompatible,
                edited(spot, TYPES.group, (p) => {
                    p.launchTemplate.id = UNKNOWN;
                }),
            );
            assert.deepEqual(v.found, ["warm-pool-compatible mandatory app-group"]);
            assert.match(v.messages, /launch template app-template requests Spot instances/);
        });

        it("blocks a Hibernated pool whose template does not enable hibernation or encrypt the root", async () => {
            const v = await verdicts(
                warmPoolCompatible,
                template(launch, (p) => {
                    p.hibernationOptions = { configured: false };
                    p.blockDeviceMappings[0].ebs.encrypted = "false";
                }),
                committedPackConfig("launch"),
            );
            assert.match(v.messages, /does not enable hibernation: set hibernationOptions\.configured = true/);
            assert.match(v.messages, /hibernation needs an encrypted root volume: set ebs\.encrypted on \/dev\/xvda/);
        });

        it("blocks a Stopped pool whose template maps no EBS root", async () => {
            const v = await verdicts(
                warmPoolCompatible,
                template(bf, (p) => {
                    p.blockDeviceMappings = [];
                }),
            );
            assert.match(
                v.messages,
                /maps no EBS root volume \(\/dev\/xvda or \/dev\/sda1\): a Stopped pool can only keep EBS-backed instances/,
            );
        });
    });

    describe("warm-pool-state", () => {
        it("passes a Stopped pool", () => passes(warmPoolState, bf));

        it("advises against a Running pool with the count of idle instances billed", async () => {
            const v = await verdicts(
                warmPoolState,
                edited(bf, TYPES.group, (p) => {
                    p.warmPool.poolState = "Running";
                }),
            );
            assert.deepEqual(v.found, ["warm-pool-state advisory app-group"]);
            assert.match(
                v.messages,
                /app-group keeps 29 instance\(s\) Running in its warm pool, each billed in full while it waits/,
            );
        });

        it("lets the config allow Running", async () => {
            await passes(
                warmPoolState,
                edited(bf, TYPES.group, (p) => {
                    p.warmPool.poolState = "Running";
                }),
                withConfig("warm-pool-state", { allowedStates: ["Stopped", "Running"] }),
            );
        });
    });

    describe("asg-instance-warmup", () => {
        const noWarmup = () => edited(bf, TYPES.group, (p) => delete p.defaultInstanceWarmup);

        it("passes a group with defaultInstanceWarmup and advises on one without", async () => {
            await passes(asgInstanceWarmup, bf);
            assert.deepEqual((await verdicts(asgInstanceWarmup, noWarmup())).found, [
                "asg-instance-warmup advisory app-group",
            ]);
        });

        it("remediates by setting the configured warm-up, and leaves other resources alone", async () => {
            const remediate = (r: EngineResource, warmupSeconds: number) =>
                asgInstanceWarmup.remediateResource!({
                    type: r.type,
                    name: r.name,
                    urn: r.urn,
                    props: unknownCheckingProxy(structuredClone(r.inputs)),
                    getConfig: <T>() => ({ warmupSeconds }) as T,
                } as any);
            const fixed = (await remediate(one(noWarmup(), TYPES.group), 90)) as Record<string, any>;
            assert.equal(fixed.defaultInstanceWarmup, 90);
            assert.equal(fixed.maxSize, 57, "the rest of the group is kept");
            assert.equal(await remediate(one(bf, TYPES.group), 90), undefined);
            assert.equal(await remediate(one(bf, TYPES.launchTemplate), 90), undefined);
        });
    });

    describe("cache-ha-encrypted", () => {
        it("passes the program's group, whose generated auth token is still unknown at preview", async () => {
            await passes(cacheHaEncrypted, bf);
            await passes(
                cacheHaEncrypted,
                edited(bf, TYPES.replicationGroup, (p) => {
                    p.authToken = UNKNOWN;
                }),
            );
        });

        it("lists every missing safeguard in one message", async () => {
            const v = await verdicts(
                cacheHaEncrypted,
                edited(bf, TYPES.replicationGroup, (p) => {
                    p.automaticFailoverEnabled = false;
                    p.numCacheClusters = 1;
                    p.transitEncryptionEnabled = false;
                    delete p.atRestEncryptionEnabled;
                    delete p.authToken;
                }),
            );
            assert.deepEqual(v.found, ["cache-ha-encrypted mandatory cache-redis"]);
            for (const finding of [
                /automatic failover is off/,
                /1 node\(s\) hold the data, 3 are needed/,
                /traffic to the cache is unencrypted/,
                /unencrypted on disk/,
                /anyone who reaches the port/,
            ]) {
                assert.match(v.messages, finding);
            }
        });
    });

    describe("db-private-encrypted", () => {
        it("passes the primary and the replicas", () => passes(dbPrivateEncrypted, bf));

        it("blocks a public or unencrypted primary", async () => {
            const v = await verdicts(
                dbPrivateEncrypted,
                edited(
                    bf,
                    TYPES.dbInstance,
                    (p) => {
                        p.publiclyAccessible = true;
                        p.storageEncrypted = false;
                    },
                    "db-primary",
                ),
            );
            assert.match(
                v.messages,
                /db-primary:\n {2}- storage is unencrypted[^\n]*\n {2}- it is reachable from the internet/,
            );
        });

        it("lets a replica inherit its source's encryption, but not turn it off", async () => {
            const inherit = edited(bf, TYPES.dbInstance, (p) => delete p.storageEncrypted, "db-replica-1");
            await passes(dbPrivateEncrypted, inherit);
            const off = edited(
                bf,
                TYPES.dbInstance,
                (p) => {
                    p.storageEncrypted = false;
                },
                "db-replica-1",
            );
            assert.match(
                (await verdicts(dbPrivateEncrypted, off)).messages,
                /db-replica-1:\n {2}- storage is unencrypted/,
            );
        });
    });

    describe("db-buffer-prewarm", () => {
        const parameters = (edit: (params: Array<{ name: string; value: string }>) => void) =>
            edited(bf, TYPES.dbParameterGroup, (p) => edit(p.parameters));

        it("passes pg_prewarm preloaded, with autoprewarm on or left at PostgreSQL's default", async () => {
            await passes(dbBufferPrewarm, bf);
            await passes(
                dbBufferPrewarm,
                parameters((ps) =>
                    ps.splice(
                        ps.findIndex((x) => x.name === "pg_prewarm.autoprewarm"),
                        1,
                    ),
                ),
            );
        });

        it("advises when pg_prewarm is not preloaded or autoprewarm is off", async () => {
            const v = await verdicts(
                dbBufferPrewarm,
                parameters((ps) => {
                    ps.find((x) => x.name === "shared_preload_libraries")!.value = "pg_stat_statements";
                    ps.find((x) => x.name === "pg_prewarm.autoprewarm")!.value = "0";
                }),
            );
            assert.deepEqual(v.found, ["db-buffer-prewarm advisory db-params"]);
            assert.match(
                v.messages,
                /db-params brings the buffer cache back cold after a restart or failover \(shared_preload_libraries does not load pg_prewarm; pg_prewarm\.autoprewarm is 0\)/,
            );
        });

        it("leaves non-PostgreSQL parameter groups alone", async () => {
            await passes(
                dbBufferPrewarm,
                edited(bf, TYPES.dbParameterGroup, (p) => {
                    p.family = "mysql8.0";
                    p.parameters = [];
                }),
            );
        });
    });

    describe("warm-pool-launch-hook", () => {
        const noHook = () => edited(bf, TYPES.group, (p) => delete p.initialLifecycleHooks);
        const withHook = (resources: EngineResource[], transition: string): EngineResource[] => {
            const group = one(resources, TYPES.group);
            const props = {
                autoscalingGroupName: group.outputs.name,
                lifecycleTransition: transition,
                defaultResult: "ABANDON",
            };
            return [
                ...resources,
                {
                    ...structuredClone(group),
                    type: TYPES.lifecycleHook,
                    name: "app-hook",
                    urn: `${group.urn}-hook`,
                    inputs: props,
                    outputs: props,
                    dependencies: [],
                    propertyDependencies: {},
                },
            ];
        };

        it("passes the group's initialLifecycleHooks", () => passes(warmPoolLaunchHook, bf));

        it("blocks a warm pool without a launch hook", async () => {
            const v = await verdicts(warmPoolLaunchHook, noHook());
            assert.deepEqual(v.found, ["warm-pool-launch-hook mandatory app-group"]);
            assert.match(
                v.messages,
                /app-group has a warm pool but no autoscaling:EC2_INSTANCE_LAUNCHING hook: instances are stopped into the pool before their bootstrap finishes/,
            );
        });

        it("accepts a LifecycleHook resource naming the group, but not one for terminations", async () => {
            await passes(warmPoolLaunchHook, withHook(noHook(), "autoscaling:EC2_INSTANCE_LAUNCHING"));
            const terminating = await verdicts(
                warmPoolLaunchHook,
                withHook(noHook(), "autoscaling:EC2_INSTANCE_TERMINATING"),
            );
            assert.deepEqual(terminating.found, ["warm-pool-launch-hook mandatory app-group"]);
        });
    });

    describe("cache-prewarmed", () => {
        it("blocks a cache that no CachePrewarm fills", async () => {
            const v = await verdicts(cachePrewarmed, bf);
            assert.deepEqual(v.found, ["cache-prewarmed mandatory cache-redis"]);
            assert.match(
                v.messages,
                /cache-redis is not the target of any CachePrewarm: it opens empty.*Add a CachePrewarm with replicationGroupId: cache-redis\.id/,
            );
        });

        it("passes when a CachePrewarm targets the group through its replicationGroupId dependency", async () => {
            await passes(cachePrewarmed, [...bf, cachePrewarm(one(bf, TYPES.replicationGroup), "dependency")]);
        });

        it("passes when a CachePrewarm names the group's id literally", async () => {
            const named = edited(bf, TYPES.replicationGroup, (p) => {
                p.replicationGroupId = "warmstack-bf-cache";
            });
            await passes(cachePrewarmed, [...named, cachePrewarm(one(named, TYPES.replicationGroup), "value")]);
        });

        it("does not count a CachePrewarm that targets another group", async () => {
            const other = cachePrewarm(one(bf, TYPES.replicationGroup), "value");
            other.inputs.replicationGroupId = other.outputs.replicationGroupId = "some-other-group";
            assert.deepEqual((await verdicts(cachePrewarmed, [...bf, other])).found, [
                "cache-prewarmed mandatory cache-redis",
            ]);
        });
    });

    describe("db-read-replicas", () => {
        it("passes 4 replicas against the event's 4", () => passes(dbReadReplicas, bf));

        it("blocks a primary with fewer replicas than the event needs", async () => {
            const v = await verdicts(dbReadReplicas, bf, withConfig("db-read-replicas", { minReplicas: 6 }));
            assert.deepEqual(v.found, ["db-read-replicas mandatory db-primary"]);
            assert.match(
                v.messages,
                /db-primary has 4 read replica\(s\); this event needs 6\. Add 2 RDS instance\(s\) with replicateSourceDb: db-primary\.identifier/,
            );
        });

        it("links a replica by its replicateSourceDb value when there is no dependency", async () => {
            await passes(
                dbReadReplicas,
                edited(
                    bf,
                    TYPES.dbInstance,
                    (_p, r) => {
                        r.propertyDependencies = {};
                    },
                    "db-replica-1",
                ),
            );
            const elsewhere = edited(
                bf,
                TYPES.dbInstance,
                (p, r) => {
                    r.propertyDependencies = {};
                    p.replicateSourceDb = "another-primary";
                },
                "db-replica-1",
            );
            assert.match(
                (await verdicts(dbReadReplicas, elsewhere)).messages,
                /db-primary has 3 read replica\(s\); this event needs 4/,
            );
        });
    });

    describe("connection-budget", () => {
        const maxConnections = (value: string) =>
            edited(bf, TYPES.dbParameterGroup, (p) => {
                p.parameters.find((x: { name: string }) => x.name === "max_connections").value = value;
            });

        it("passes 57 instances × 20 against 1800 on the writer and each replica", () => passes(connectionBudget, bf));

        it("blocks the writer and every replica when max_connections cannot hold the peak", async () => {
            const v = await verdicts(connectionBudget, maxConnections("1200"));
            assert.deepEqual(v.found, [
                "connection-budget mandatory db-primary",
                ...[1, 2, 3, 4].map((i) => `connection-budget mandatory db-replica-${i}`),
            ]);
            assert.match(
                v.messages,
                /writer db-primary: app-group 57 instances × 20 = 1140 connections at the peak, over its budget of 1080 \(max_connections 1200 − 10% reserve\)/,
            );
            assert.match(v.messages, /reader db-replica-1: app-group 57 instances × 20 = 1140 .*or add replicas/);
        });

        it("takes the reserve from the policy config, not from the program", async () => {
            await passes(connectionBudget, maxConnections("1200"), withConfig("connection-budget", { reserve: 0.05 }));
        });

        it("blocks an endpoint whose max_connections is left to RDS's formula", async () => {
            const v = await verdicts(connectionBudget, maxConnections("{DBInstanceClassMemory/9531392}"));
            assert.match(
                v.messages,
                /writer db-primary: max_connections is not pinned to a number in its parameter group db-params/,
            );
        });

        it("leaves a group that does not publish its pool sizes to an advisory naming the tags", async () => {
            const untagged = edited(bf, TYPES.group, (p) => {
                p.tags = p.tags.filter((t: { key: string }) => !t.key.startsWith("warmstack:pool"));
            });
            await passes(connectionBudget, untagged);
            const v = await verdicts(unjudgedResources, untagged);
            assert.deepEqual(v.found, ["unjudged-resources advisory app-group"]);
            assert.match(
                v.messages,
                /app-group does not publish the connections each instance opens \(tags warmstack:pool-writer and warmstack:pool-reader-per-replica\): connection-budget cannot count/,
            );
        });

        it("blocks a reader pool sized for more replicas than exist", async () => {
            const v = await verdicts(
                connectionBudget,
                bf.filter((r) => r.name !== "db-replica-4"),
            );
            assert.match(
                v.messages,
                /app-group sized its reader pool for 4 replicas of db-primary, but 3 exist: each instance holds 60 of its 80/,
            );
        });

        it("defers to apply when the group's maxSize is unknown", async () => {
            const v = await verdicts(
                connectionBudget,
                edited(bf, TYPES.group, (p) => {
                    p.maxSize = UNKNOWN;
                }),
            );
            assert.deepEqual(v.found, ["connection-budget advisory stack"]);
            assert.match(v.messages, /during preview: string value at \.app-group\.maxSize can't be known/);
        });
    });

    describe("ramp-before-event", () => {
        const rampAt = (resources: EngineResource[], startTime: string) =>
            edited(
                resources,
                TYPES.schedule,
                (p) => {
                    p.startTime = startTime;
                },
                "app-blackfriday-ramp-up",
            );

        it("passes the planned ramp 45 minutes before the event", () => passes(rampBeforeEvent, bf));

        it("blocks a ramp after the event start", async () => {
            const v = await verdicts(rampBeforeEvent, rampAt(bf, "2027-11-26T05:30:00Z"));
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(
                v.messages,
                /app-group's first ramp, app-blackfriday-ramp-up, starts at 2027-11-26T05:30:00Z, 30 min after the event blackfriday at 2027-11-26T05:00:00Z; capacity must rise 45 min before, by 2027-11-26T04:15:00Z/,
            );
        });

        it("blocks a ramp that leaves less than the event's lead", async () => {
            const v = await verdicts(rampBeforeEvent, bf, withConfig("ramp-before-event", { rampLeadMinutes: 90 }));
            assert.match(
                v.messages,
                /starts at 2027-11-26T04:15:00Z, 45 min before .*capacity must rise 90 min before, by 2027-11-26T03:30:00Z/,
            );
        });

        it("blocks an event stack with no schedule", async () => {
            const v = await verdicts(
                rampBeforeEvent,
                bf.filter((r) => r.type !== TYPES.schedule),
            );
            assert.match(
                v.messages,
                /no scheduled action raises app-group's capacity above its minSize 4 before the event blackfriday/,
            );
        });

        it("takes the event from the group's tags without a policy config, and ignores a stack with no event", async () => {
            const tagsOnly = Object.fromEntries(
                Object.entries(CONFIG).filter(([policy]) => policy !== "ramp-before-event"),
            );
            await passes(rampBeforeEvent, bf, tagsOnly);
            assert.deepEqual((await verdicts(rampBeforeEvent, rampAt(bf, "2027-11-26T04:30:00Z"), tagsOnly)).found, [
                "ramp-before-event mandatory app-group",
            ]);
            await passes(
                rampBeforeEvent,
                bf
                    .filter((r) => r.type !== TYPES.schedule)
                    .map((r) =>
                        r.type !== TYPES.group
                            ? r
                            : edited([r], TYPES.group, (p) => {
                                  p.tags = p.tags.filter((t: { key: string }) => !t.key.includes("event"));
                              })[0],
                    ),
                {},
            );
        });

        it("defers to apply, without blocking, when the only ramp's start is unknown", async () => {
            const v = await verdicts(rampBeforeEvent, rampAt(bf, UNKNOWN));
            assert.deepEqual(v.found, ["ramp-before-event advisory stack"]);
            assert.match(
                v.messages,
                /string value at \.app-blackfriday-ramp-up\.startTime can't be known during preview/,
            );
        });

        it("links a schedule that names the group literally", async () => {
            await passes(
                rampBeforeEvent,
                edited(
                    bf,
                    TYPES.schedule,
                    (_p, r) => {
                        r.propertyDependencies = {};
                    },
                    "app-blackfriday-ramp-up",
                ),
            );
        });
    });

    describe("whole-chain-warm", () => {
        it("names the one cold link when only the cache lacks its pre-warm", async () => {
            const v = await verdicts(wholeChainWarm, bf);
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack"]);
            assert.match(
                v.messages,
                /The compute is warm \(app-group keeps 29 instance\(s\) warm\), but 1 link\(s\) behind it are cold:\n {2}- cache cache-redis: no CachePrewarm fills it/,
            );
        });

        it("passes once the cache is pre-warmed", () =>
            passes(wholeChainWarm, [...bf, cachePrewarm(one(bf, TYPES.replicationGroup), "dependency")]));

        it("lists every cold link in one message", async () => {
            let cold = edited(bf, TYPES.group, (p) => delete p.initialLifecycleHooks);
            cold = edited(cold, TYPES.dbParameterGroup, (p) => {
                p.parameters = p.parameters.filter(
                    (x: { name: string }) => !x.name.startsWith("pg_prewarm") && x.name !== "shared_preload_libraries",
                );
            });
            cold = cold.filter((r) => !r.name.startsWith("db-replica"));
            const v = await verdicts(wholeChainWarm, cold);
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack"]);
            assert.match(v.messages, /but 4 link\(s\) behind it are cold:/);
            for (const link of [
                /compute app-group: no launch hook/,
                /cache cache-redis: no CachePrewarm/,
                /database db-primary: its buffer cache comes back cold .*shared_preload_libraries does not load pg_prewarm/,
                /database db-primary: no read replica/,
            ]) {
                assert.match(v.messages, link);
            }
        });

        it("reports what it proved and defers what is unknown", async () => {
            const v = await verdicts(
                wholeChainWarm,
                edited(bf, TYPES.dbParameterGroup, (p) => {
                    p.parameters = UNKNOWN;
                }),
            );
            assert.deepEqual(v.found, ["whole-chain-warm mandatory stack", "whole-chain-warm advisory stack"]);
            assert.match(v.messages, /cache cache-redis: no CachePrewarm/);
            assert.match(v.messages, /during preview: string value at \.db-params\.parameters can't be known/);
        });

        it("does not apply when no compute is warm", async () => {
            await passes(
                wholeChainWarm,
                edited(bf, TYPES.group, (p) => delete p.warmPool),
            );
        });
    });
});
