// The app-tier policies (policies/compute.ts), one describe per policy: first on the shapes the program
// registers (the committed stacks under mocks, broken one property at a time), then on groups built by hand at the
// edges the program never reaches, with the full advice each message gives a blocked user.
import { unknownCheckingProxy } from "@pulumi/policy";
import { strict as assert } from "node:assert";
import {
    asgInstanceWarmup,
    asgWarmPoolRequired,
    rampBeforeEvent,
    warmPoolCompatible,
    warmPoolLaunchHook,
    warmPoolState,
    asgFlatCapacity,
    atInstant,
} from "../../policies/compute";
import { policies } from "../../policies/pack";
import { TYPES, LAUNCHING } from "../../policies/shared/contract";
import { group, ramp, resource, warmStack } from "./fixtures";
import { committedPackConfig, edited, EngineResource, one, UNKNOWN } from "./harness";
import { CONFIG, programShapes, shapePasses, shapeVerdicts, withConfig } from "./shapes";
import { at, passes, verdicts } from "./verdicts";

const ROOT = { deviceName: "/dev/xvda", ebs: { volumeSize: 20, encrypted: "true" } };

/** app-group with a warm pool in `poolState`, its launchTemplate linked by dependency to a template of `props`. */
function withTemplate(
    poolState: string,
    props: Record<string, any>,
    groupOverrides: Record<string, any> = {},
): EngineResource[] {
    const template = resource(TYPES.launchTemplate, "app-template", props);
    const asg = group({ warmPool: { minSize: 8, poolState }, launchTemplate: { id: "lt-1" }, ...groupOverrides });
    asg.propertyDependencies.launchTemplate = [template.urn];
    return [asg, template];
}

/** A scheduled action on `asg` (linked by dependency) or, with `asg` undefined, on no group of this stack. */
const schedule = (name: string, props: Record<string, any>, asg?: EngineResource) =>
    resource(TYPES.schedule, name, props, asg ? { autoscalingGroupName: [asg] } : {});

const withRamp = (startTime: string, capacity: number, extra: Record<string, any> = {}) => {
    const asg = group();
    const schedule = ramp(asg, startTime, capacity);
    for (const p of [schedule.inputs, schedule.outputs]) Object.assign(p, extra);
    return [asg, schedule];
};

/** A scheduled action on the fixture group, named `name`. */
const action = (asg: ReturnType<typeof group>, name: string, props: Record<string, any>) =>
    resource(TYPES.schedule, name, { autoscalingGroupName: "app-group", ...props }, { autoscalingGroupName: [asg] });

/** The fixture group (start 05:00Z, lead 45 min: ramp by 04:15Z, peak 20), with its end tagged when given. */
const eventGroup = (end?: string) =>
    edited([group()], TYPES.group, (p) => {
        if (end) p.tags.push({ key: "warmstack:event-end", value: end, propagateAtLaunch: false });
    })[0];

// The committed blackfriday and launch stacks' resources under mocks, the cache left cold (see shapes.ts).
let bf: EngineResource[];
let launch: EngineResource[];
before(async function () {
    this.timeout(180_000); // two runs of the program under mocks, slow on a busy machine
    ({ bf, launch } = await programShapes());
});

describe("asg-warm-pool-required", () => {
    describe("on the program's resource shapes", () => {
        it("passes the program's group", () => shapePasses(asgWarmPoolRequired, bf));
        it("blocks a group without a warm pool and says how to add one", async () => {
            const v = await shapeVerdicts(
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
            const v = await shapeVerdicts(
                asgWarmPoolRequired,
                edited(bf, TYPES.group, (p) => {
                    p.warmPool.minSize = 3;
                }),
            );
            assert.match(v.messages, /keeps 3 instance\(s\) at least; this stack needs 25/);
        });
        it("exempts a group tagged warmstack:cold-ok with a reason, and reports the reason", async () => {
            const v = await shapeVerdicts(
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
            const v = await shapeVerdicts(
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
            const v = await shapeVerdicts(
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

    describe("at its edges", () => {
        it("offers the cold-ok tag to a group without one, and does not say its reason is missing", async () => {
            const v = await verdicts(asgWarmPoolRequired, [group({ warmPool: undefined })]);
            assert.deepEqual(v.found, ["asg-warm-pool-required mandatory app-group"]);
            assert.match(
                v.messages,
                /app-group has no warm pool: .*poolState: "Stopped" \}\. Or, if this group may run cold, tag it warmstack:cold-ok=<why>\./,
            );
            assert.doesNotMatch(v.messages, /needs a reason/);
        });
    });

    describe("at its boundaries", () => {
        const pooled = (warmPool: Record<string, any>, overrides: Record<string, any> = {}) => [
            group({ warmPool, ...overrides }),
        ];
        it("asg-warm-pool-required: a pool of exactly minWarmPoolSize passes, one fewer does not", async () => {
            const config = { "asg-warm-pool-required": { minWarmPoolSize: 8 } };
            await passes(asgWarmPoolRequired, pooled({ minSize: 8 }), config);
            assert.match(
                (await verdicts(asgWarmPoolRequired, pooled({ minSize: 7 }), config)).messages,
                /keeps 7 instance\(s\) at least; this stack needs 8/,
            );
        });
    });
});

describe("asg-flat-capacity", () => {
    describe("at its edges", () => {
        it("tells the owner of a flat group how to let the pack ask for a pool and a ramp", async () => {
            const v = await verdicts(asgFlatCapacity, [group({ maxSize: 4 })]);
            assert.deepEqual(v.found, ["asg-flat-capacity advisory app-group"]);
            assert.match(
                v.messages,
                /do not apply\. If the event's traffic can rise above what these instances serve, give the group room to grow \(warmstack: traffic\.peakRps above traffic\.baselineRps\) and the pack will ask for the pool and the ramp\./,
            );
        });
    });

    describe("a flat group (minSize = maxSize) in a whole stack", () => {
        const flat = () => {
            const asg = group({ minSize: 6, maxSize: 6, desiredCapacity: 6 });
            delete asg.inputs.warmPool;
            delete asg.outputs.warmPool;
            return [asg, ...warmStack().filter((r) => r.type !== TYPES.group && r.type !== TYPES.schedule)];
        };
        it("needs no warm pool and no ramp: the pack accepts it and says so", async () => {
            const v = await verdicts(policies, flat());
            assert.deepEqual(v.found, ["asg-flat-capacity advisory app-group"]);
            assert.match(
                v.messages,
                /app-group never scales out \(minSize = maxSize = 6\): every instance starts at deploy, so it needs no warm pool and no ramp; asg-warm-pool-required and ramp-before-event do not apply/,
            );
            assert.deepEqual(v.notApplicable, [
                "asg-warm-pool-required: app-group never scales out (minSize = maxSize = 6): every instance starts at deploy, so it needs no warm pool and no ramp",
            ]);
        });
        it("is flat only when both sizes are known and equal", async () => {
            const growing = flat().map((r) =>
                r.type === TYPES.group ? edited([r], TYPES.group, (p) => (p.maxSize = 7))[0] : r,
            );
            const v = await verdicts([asgFlatCapacity, asgWarmPoolRequired, rampBeforeEvent], growing);
            assert.deepEqual(v.found, [
                "asg-warm-pool-required mandatory app-group",
                "ramp-before-event mandatory app-group",
            ]);
        });
    });
});

describe("warm-pool-compatible", () => {
    describe("on the program's resource shapes", () => {
        const template = (resources: EngineResource[], edit: (p: Record<string, any>) => void) =>
            edited(resources, TYPES.launchTemplate, edit);
        it("passes the Stopped (blackfriday) and Hibernated (launch) pools", async () => {
            await shapePasses(warmPoolCompatible, bf);
            await shapePasses(warmPoolCompatible, launch, committedPackConfig("launch"));
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
            await shapePasses(warmPoolCompatible, mixed(bf));
            await shapePasses(
                warmPoolCompatible,
                mixed(bf, { onDemandBaseCapacity: 2, onDemandPercentageAboveBaseCapacity: 100 }),
            );

            const spot = await shapeVerdicts(
                warmPoolCompatible,
                mixed(bf, { onDemandPercentageAboveBaseCapacity: 30 }),
            );
            assert.deepEqual(spot.found, ["warm-pool-compatible mandatory app-group"]);
            assert.match(
                spot.messages,
                /onDemandPercentageAboveBaseCapacity 30: 70 % of the instances above the base are Spot/,
            );

            const unencrypted = await shapeVerdicts(
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
        it("judges a template once when the group names it both directly and through its mixedInstancesPolicy", async () => {
            const both = edited(
                template(bf, (p) => (p.instanceMarketOptions = { marketType: "spot" })),
                TYPES.group,
                (p, r) => {
                    p.mixedInstancesPolicy = {
                        launchTemplate: { launchTemplateSpecification: { launchTemplateId: p.launchTemplate.id } },
                    };
                    r.propertyDependencies.mixedInstancesPolicy ??= r.propertyDependencies.launchTemplate;
                },
            );
            const v = await shapeVerdicts(warmPoolCompatible, both);
            assert.equal(
                v.messages.split("launch template app-template requests Spot instances").length,
                2,
                v.messages,
            );
        });
        it("blocks a launch template that requests Spot, found through the dependency while its id is unknown", async () => {
            const spot = template(bf, (p) => {
                p.instanceMarketOptions = { marketType: "spot" };
            });
            const v = await shapeVerdicts(
                warmPoolCompatible,
                edited(spot, TYPES.group, (p) => {
                    p.launchTemplate.id = UNKNOWN;
                }),
            );
            assert.deepEqual(v.found, ["warm-pool-compatible mandatory app-group"]);
            assert.match(v.messages, /launch template app-template requests Spot instances/);
        });
        it("blocks a Hibernated pool whose template does not enable hibernation or encrypt the root", async () => {
            const v = await shapeVerdicts(
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
            const v = await shapeVerdicts(
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

    describe("at its edges", () => {
        const rejected = async (resources: EngineResource[]) => {
            const v = await verdicts(warmPoolCompatible, resources);
            assert.deepEqual(v.found, ["warm-pool-compatible mandatory app-group"], v.messages);
            assert.match(v.messages, /app-group's warm pool would be rejected at apply time:\n {2}- /);
            return v.messages;
        };
        it("leaves a group without a warm pool alone, whatever its launch setup", async () => {
            await passes(
                warmPoolCompatible,
                withTemplate(
                    "Stopped",
                    { instanceMarketOptions: { marketType: "spot" }, blockDeviceMappings: [] },
                    {
                        warmPool: undefined,
                        mixedInstancesPolicy: {
                            launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" } },
                        },
                    },
                ),
            );
        });
        it("tells how to fix Spot in a mixedInstancesPolicy and in a template it launches", async () => {
            const messages = await rejected(
                withTemplate(
                    "Stopped",
                    { instanceMarketOptions: { marketType: "spot" }, blockDeviceMappings: [ROOT] },
                    {
                        mixedInstancesPolicy: {
                            launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" } },
                            instancesDistribution: { onDemandBaseCapacity: 4, onDemandPercentageAboveBaseCapacity: 0 },
                        },
                    },
                ),
            );
            assert.match(
                messages,
                /- the group's mixedInstancesPolicy asks for Spot capacity \(instancesDistribution\.onDemandPercentageAboveBaseCapacity 0: 100 % of the instances above the base are Spot\), which a warm pool cannot hold: set it to 100 \(On-Demand only; the policy's instance types are fine\), or drop the warm pool\n/,
            );
            assert.match(
                messages,
                /- launch template app-template requests Spot instances, which a warm pool cannot hold: drop instanceMarketOptions \(On-Demand\) or the warm pool/,
            );
        });
        it("takes a mixedInstancesPolicy without a distribution, or at 100 % On-Demand, as On-Demand", async () => {
            for (const instancesDistribution of [undefined, {}, { onDemandPercentageAboveBaseCapacity: 100 }]) {
                const asg = group({
                    warmPool: { minSize: 8, poolState: "Stopped" },
                    mixedInstancesPolicy: {
                        launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" } },
                        ...(instancesDistribution && { instancesDistribution }),
                    },
                });
                const template = resource(TYPES.launchTemplate, "app-template", { blockDeviceMappings: [ROOT] });
                asg.propertyDependencies.mixedInstancesPolicy = [template.urn];
                await passes(warmPoolCompatible, [asg, template]);
            }
        });
        it("finds the templates a mixedInstancesPolicy launches through its dependency", async () => {
            const asg = group({
                warmPool: { minSize: 8, poolState: "Stopped" },
                mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" } } },
            });
            const template = resource(TYPES.launchTemplate, "app-template", { blockDeviceMappings: [] });
            asg.propertyDependencies.mixedInstancesPolicy = [template.urn];
            assert.match(await rejected([asg, template]), /launch template app-template maps no EBS root volume/);
        });
        it("finds the root only among the configured root device names, and only with an ebs block", async () => {
            const dataVolume = { deviceName: "/dev/sdb", ebs: { volumeSize: 100 } };
            const instanceStore = { deviceName: "/dev/xvda", virtualName: "ephemeral0" };
            for (const mappings of [[dataVolume], [instanceStore], [instanceStore, dataVolume]]) {
                assert.match(
                    await rejected(withTemplate("Stopped", { blockDeviceMappings: mappings })),
                    /launch template app-template maps no EBS root volume \(\/dev\/xvda or \/dev\/sda1\)/,
                );
            }
            await passes(warmPoolCompatible, withTemplate("Stopped", { blockDeviceMappings: [dataVolume, ROOT] }));
        });
        it("asks for an encrypted root only from a Hibernated pool, and names the template", async () => {
            const unencrypted = { deviceName: "/dev/xvda", ebs: { volumeSize: 20, encrypted: false } };
            await passes(warmPoolCompatible, withTemplate("Stopped", { blockDeviceMappings: [unencrypted] }));
            assert.match(
                await rejected(
                    withTemplate("Hibernated", {
                        hibernationOptions: { configured: true },
                        blockDeviceMappings: [unencrypted],
                    }),
                ),
                /- hibernation needs an encrypted root volume: set ebs\.encrypted on \/dev\/xvda in launch template app-template$/,
            );
        });
        it("does not block on a template whose values are unknown at preview: it defers to apply", async () => {
            const v = await verdicts(
                warmPoolCompatible,
                withTemplate("Stopped", { instanceMarketOptions: UNKNOWN, blockDeviceMappings: [ROOT] }),
            );
            assert.deepEqual(v.found, ["warm-pool-compatible advisory stack"]);
            assert.match(v.messages, /string value at \.app-template\.instanceMarketOptions can't be known/);
        });
    });

    describe("at its boundaries", () => {
        it("warm-pool-compatible: a Running pool keeps no EBS root, a Stopped or Hibernated one must", async () => {
            const template = resource(TYPES.launchTemplate, "app-template", {
                blockDeviceMappings: [],
                hibernationOptions: { configured: true },
            });
            const linked = (poolState: string) => {
                const asg = group({ warmPool: { minSize: 8, poolState }, launchTemplate: { id: "lt-1" } });
                asg.propertyDependencies.launchTemplate = [template.urn];
                return [asg, template];
            };
            await passes(warmPoolCompatible, linked("Running"));
            for (const state of ["Stopped", "Hibernated"]) {
                assert.match(
                    (await verdicts(warmPoolCompatible, linked(state))).messages,
                    new RegExp(`maps no EBS root volume .* a ${state} pool can only keep EBS-backed instances`),
                );
            }
        });
    });
});

describe("warm-pool-state", () => {
    describe("on the program's resource shapes", () => {
        it("passes a Stopped pool", () => shapePasses(warmPoolState, bf));
        it("advises against a Running pool with the count of idle instances billed", async () => {
            const v = await shapeVerdicts(
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
            await shapePasses(
                warmPoolState,
                edited(bf, TYPES.group, (p) => {
                    p.warmPool.poolState = "Running";
                }),
                withConfig("warm-pool-state", { allowedStates: ["Stopped", "Running"] }),
            );
        });
    });

    describe("at its edges", () => {
        it("names the allowed states for a state that is not Running, without the billing warning", async () => {
            const v = await verdicts(warmPoolState, [group({ warmPool: { minSize: 8, poolState: "Hibernated" } })], {
                "warm-pool-state": { allowedStates: ["Stopped", "Running"] },
            });
            assert.deepEqual(v.found, ["warm-pool-state advisory app-group"]);
            assert.match(
                v.messages,
                /app-group keeps 16 instance\(s\) Hibernated in its warm pool\. Set warmPool\.poolState to Stopped or Running, or allow Hibernated in this policy's allowedStates\.$/,
            );
        });
        it("judges only Auto Scaling groups, not another resource that carries a warmPool (a component's args)", async () => {
            const tier = resource("warmstack:index:AppTier", "app-tier", {
                minSize: 4,
                maxSize: 20,
                warmPool: { minSize: 8, poolState: "Running" },
            });
            await passes(warmPoolState, [tier]);
        });
    });

    describe("counting the instances a warm pool keeps", () => {
        const count = async (warmPool: Record<string, any>, overrides: Record<string, any> = {}) => {
            const v = await verdicts(warmPoolState, [
                group({ warmPool: { ...warmPool, poolState: "Running" }, ...overrides }),
            ]);
            return /keeps (\S+) instance/.exec(v.messages)?.[1];
        };
        it("takes a maxGroupPreparedCapacity of 0 as a ceiling, not as unset: the pool keeps its minSize", async () => {
            assert.equal(await count({ minSize: 2, maxGroupPreparedCapacity: 0 }), "2");
        });
        it("subtracts the desired capacity, falling back to minSize only when no desiredCapacity is set", async () => {
            // maxSize 20, minSize 4: desired 6 leaves 14 waiting; without desiredCapacity the group runs at 4.
            assert.equal(await count({ minSize: 2 }, { desiredCapacity: 6 }), "14");
            assert.equal(await count({ minSize: 2 }, { desiredCapacity: undefined }), "16");
        });
    });

    describe("at its boundaries", () => {
        const pooled = (warmPool: Record<string, any>, overrides: Record<string, any> = {}) => [
            group({ warmPool, ...overrides }),
        ];
        it("warm-pool-state: Stopped and Hibernated pass, Running advises, a pool without a state is Stopped", async () => {
            await passes(warmPoolState, pooled({ minSize: 8, poolState: "Stopped" }));
            await passes(warmPoolState, pooled({ minSize: 8, poolState: "Hibernated" }));
            await passes(warmPoolState, pooled({ minSize: 8 }));
            const running = await verdicts(warmPoolState, pooled({ minSize: 8, poolState: "Running" }));
            assert.match(running.messages, /keeps 16 instance\(s\) Running in its warm pool, each billed in full/);
        });
        it("counts the pool up to maxGroupPreparedCapacity, or maxSize when it is -1 or unset, never below minSize", async () => {
            const count = async (pool: Record<string, any>) =>
                /keeps (\d+) instance/.exec(
                    (await verdicts(warmPoolState, pooled({ ...pool, poolState: "Running" }))).messages,
                )![1];
            assert.equal(await count({ minSize: 2 }), "16");
            assert.equal(await count({ minSize: 2, maxGroupPreparedCapacity: -1 }), "16");
            assert.equal(await count({ minSize: 2, maxGroupPreparedCapacity: 10 }), "6");
            assert.equal(await count({ minSize: 9, maxGroupPreparedCapacity: 10 }), "9");
        });
    });
});

describe("asg-instance-warmup", () => {
    describe("on the program's resource shapes", () => {
        const noWarmup = () => edited(bf, TYPES.group, (p) => delete p.defaultInstanceWarmup);
        it("passes a group with defaultInstanceWarmup and advises on one without", async () => {
            await shapePasses(asgInstanceWarmup, bf);
            assert.deepEqual((await shapeVerdicts(asgInstanceWarmup, noWarmup())).found, [
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

    describe("at its edges", () => {
        it("explains the missing warm-up and both ways to set it", async () => {
            const v = await verdicts(asgInstanceWarmup, [group({ defaultInstanceWarmup: undefined })]);
            assert.deepEqual(v.found, ["asg-instance-warmup advisory app-group"]);
            assert.match(
                v.messages,
                /app-group has no defaultInstanceWarmup: the metrics of an instance still warming up count at once and can trigger another scale-out\. Set defaultInstanceWarmup \(e\.g\. 60 s\), or set this policy's enforcementLevel to remediate to have it set\./,
            );
        });
    });
});

describe("warm-pool-launch-hook", () => {
    describe("on the program's resource shapes", () => {
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
        it("passes the group's initialLifecycleHooks", () => shapePasses(warmPoolLaunchHook, bf));
        it("blocks a warm pool without a launch hook", async () => {
            const v = await shapeVerdicts(warmPoolLaunchHook, noHook());
            assert.deepEqual(v.found, ["warm-pool-launch-hook mandatory app-group"]);
            assert.match(
                v.messages,
                /app-group has a warm pool but no autoscaling:EC2_INSTANCE_LAUNCHING hook: instances are stopped into the pool before their bootstrap finishes/,
            );
        });
        it("accepts a LifecycleHook resource naming the group, but not one for terminations", async () => {
            await shapePasses(warmPoolLaunchHook, withHook(noHook(), "autoscaling:EC2_INSTANCE_LAUNCHING"));
            const terminating = await shapeVerdicts(
                warmPoolLaunchHook,
                withHook(noHook(), "autoscaling:EC2_INSTANCE_TERMINATING"),
            );
            assert.deepEqual(terminating.found, ["warm-pool-launch-hook mandatory app-group"]);
        });
    });

    describe("at its edges", () => {
        const hook = (autoscalingGroupName: string) =>
            resource(TYPES.lifecycleHook, "hook", {
                autoscalingGroupName,
                lifecycleTransition: LAUNCHING,
                defaultResult: "ABANDON",
            });
        it("does not take an initial hook for another transition as the launch hook, and says what to add", async () => {
            const v = await verdicts(warmPoolLaunchHook, [
                group({
                    initialLifecycleHooks: [
                        { lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING", defaultResult: "CONTINUE" },
                    ],
                }),
            ]);
            assert.deepEqual(v.found, ["warm-pool-launch-hook mandatory app-group"]);
            assert.match(
                v.messages,
                /Add initialLifecycleHooks \[\{ lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING", defaultResult: "ABANDON", heartbeatTimeout \}\] and complete the action when the instance is warm\./,
            );
        });
        it("counts a LifecycleHook resource only on its own group", async () => {
            const bare = group({ initialLifecycleHooks: undefined });
            await passes(warmPoolLaunchHook, [bare, hook("app-group")]);
            const v = await verdicts(warmPoolLaunchHook, [bare, hook("other-group")]);
            assert.deepEqual(v.found, ["warm-pool-launch-hook mandatory app-group"]);
        });
    });
});

describe("ramp-before-event", () => {
    describe("on the program's resource shapes", () => {
        const rampAt = (resources: EngineResource[], startTime: string) =>
            edited(
                resources,
                TYPES.schedule,
                (p) => {
                    p.startTime = startTime;
                },
                "app-blackfriday-ramp-up",
            );
        it("passes the planned ramp 45 minutes before the event", () => shapePasses(rampBeforeEvent, bf));
        it("blocks a ramp after the event start", async () => {
            const v = await shapeVerdicts(rampBeforeEvent, rampAt(bf, "2027-11-26T05:30:00Z"));
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(
                v.messages,
                /app-group's first ramp, app-blackfriday-ramp-up, starts at 2027-11-26T05:30:00Z, 30 min after the event blackfriday at 2027-11-26T05:00:00Z; capacity must rise 45 min before, by 2027-11-26T04:15:00Z/,
            );
        });
        it("blocks a ramp that leaves less than the event's lead", async () => {
            const v = await shapeVerdicts(
                rampBeforeEvent,
                bf,
                withConfig("ramp-before-event", { rampLeadMinutes: 90 }),
            );
            assert.match(
                v.messages,
                /starts at 2027-11-26T04:15:00Z, 45 min before .*capacity must rise 90 min before, by 2027-11-26T03:30:00Z/,
            );
        });
        it("blocks an event stack with no schedule", async () => {
            const v = await shapeVerdicts(
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
            await shapePasses(rampBeforeEvent, bf, tagsOnly);
            assert.deepEqual(
                (await shapeVerdicts(rampBeforeEvent, rampAt(bf, "2027-11-26T04:30:00Z"), tagsOnly)).found,
                ["ramp-before-event mandatory app-group"],
            );
            await shapePasses(
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
            const v = await shapeVerdicts(rampBeforeEvent, rampAt(bf, UNKNOWN));
            assert.deepEqual(v.found, ["ramp-before-event advisory stack"]);
            assert.match(
                v.messages,
                /string value at \.app-blackfriday-ramp-up\.startTime can't be known during preview/,
            );
        });
        it("links a schedule that names the group literally", async () => {
            await shapePasses(
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

    describe("at its edges (start 05:00Z, lead 45 min: deadline 04:15Z, minSize 4)", () => {
        const noRamp = /no scheduled action raises app-group's capacity above its minSize (\d+) before the event/;
        it("ends its message with the schedule to add and when it must start", async () => {
            const v = await verdicts(rampBeforeEvent, [group()]);
            assert.match(
                v.messages,
                /capacity must rise 45 min before, by 2027-11-26T04:15:00Z, or the instances beyond the warm pool are still booting when the traffic arrives\. Add or move an aws\.autoscaling\.Schedule for this group to start at 2027-11-26T04:15:00Z or earlier\.$/,
            );
        });
        it("counts only the schedules of this group", async () => {
            const asg = group();
            const elsewhere = schedule("other-ramp", {
                autoscalingGroupName: "other-group",
                startTime: "2027-11-26T04:00:00Z",
                minSize: 20,
                desiredCapacity: 20,
                maxSize: 20,
            });
            const v = await verdicts(rampBeforeEvent, [asg, elsewhere]);
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(v.messages, noRamp);
        });
        it("does not count a schedule that only moves maxSize as a ramp, even for a group of minSize 0", async () => {
            const asg = group({ minSize: 0, desiredCapacity: 0 });
            const maxOnly = schedule("max-only", { startTime: "2027-11-26T04:00:00Z", maxSize: 40 }, asg);
            const v = await verdicts(rampBeforeEvent, [asg, maxOnly]);
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.equal(noRamp.exec(v.messages)?.[1], "0");
        });
        it("skips a schedule without a start time (a recurrence), whether or not a real ramp follows", async () => {
            const asg = group();
            const recurring = schedule(
                "recurring",
                { recurrence: "0 4 * * *", minSize: 20, desiredCapacity: 20, maxSize: 20 },
                asg,
            );
            const v = await verdicts(rampBeforeEvent, [asg, recurring]);
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(v.messages, noRamp);
            await passes(rampBeforeEvent, [asg, recurring, ramp(asg, "2027-11-26T04:00:00Z")]);
        });
        it("says a ramp at the very start is 0 min before it", async () => {
            const asg = group();
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg, "2027-11-26T05:00:00Z")]);
            assert.match(
                v.messages,
                /app-group's first ramp, app-ramp-up, starts at 2027-11-26T05:00:00Z, 0 min before the event blackfriday/,
            );
        });
        it("blocks an event start that is not a date-time, saying how to write it", async () => {
            const asg = edited([group()], TYPES.group, (p) => {
                p.tags.find((t: { key: string }) => t.key === "warmstack:event-start").value = "Black Friday, 5am";
            })[0];
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg)]);
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(
                v.messages,
                /app-group: the event start "Black Friday, 5am" is not a date-time; write it like 2027-11-26T05:00:00Z\./,
            );
        });
        it("stops asking for a ramp from the deadline itself: a deploy then gets its capacity at once", async () => {
            const unramped = [group()];
            await at("2027-11-26T04:15:00Z", () => passes(rampBeforeEvent, unramped));
            const before = await at("2027-11-26T04:14:59Z", () => verdicts(rampBeforeEvent, unramped));
            assert.deepEqual(before.found, ["ramp-before-event mandatory app-group"]);
        });
    });

    describe("at its boundaries (start 05:00Z, lead 45 min: deadline 04:15Z, minSize 4)", () => {
        it("refuses a schedule before the deadline whose capacity equals minSize: a ramp that raises nothing", async () => {
            const v = await verdicts(rampBeforeEvent, withRamp("2027-11-26T04:00:00Z", 4));
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(
                v.messages,
                /no scheduled action raises app-group's capacity above its minSize 4 before the event/,
            );
            await passes(rampBeforeEvent, withRamp("2027-11-26T04:00:00Z", 5));
        });
        it("takes minSize when a schedule sets no desiredCapacity, and -1 as leaving the capacity unchanged", async () => {
            await passes(rampBeforeEvent, withRamp("2027-11-26T04:00:00Z", 5, { desiredCapacity: undefined }));
            const unchanged = await verdicts(
                rampBeforeEvent,
                withRamp("2027-11-26T04:00:00Z", 20, { desiredCapacity: -1, minSize: -1 }),
            );
            assert.deepEqual(unchanged.found, ["ramp-before-event mandatory app-group"]);
        });
        it("accepts a ramp at the deadline to the second, and refuses one a second later", async () => {
            await passes(rampBeforeEvent, withRamp("2027-11-26T04:15:00Z", 20));
            const late = await verdicts(rampBeforeEvent, withRamp("2027-11-26T04:15:01Z", 20));
            assert.match(late.messages, /starts at 2027-11-26T04:15:01Z, 45 min before the event blackfriday/);
        });
        it("judges the earliest ramp, whatever order the schedules come in", async () => {
            const [asg, early] = withRamp("2027-11-26T04:00:00Z", 20);
            const late = ramp(asg, "2027-11-26T06:00:00Z", 20);
            late.name = "app-ramp-late";
            late.urn += "-late";
            await passes(rampBeforeEvent, [asg, late, early]);
        });
    });

    describe("nothing lowers the capacity from the ramp to the end", () => {
        it("blocks a scale-down at 04:50 for a 05:00 start, after a 04:15 ramp, naming the action and the sizes", async () => {
            const asg = eventGroup();
            const down = action(asg, "early-scale-down", {
                startTime: "2027-11-26T04:50:00Z",
                minSize: 4,
                desiredCapacity: 4,
                maxSize: 20,
            });
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg), down]);
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(
                v.messages,
                /app-group's scheduled action early-scale-down, at 2027-11-26T04:50:00Z \(10 min before the event blackfriday at 2027-11-26T05:00:00Z\), lowers its desiredCapacity 4, minSize 4, below the 20 app-ramp-up raised it to: .* From the ramp until the event ends \(its end is not known; it starts\) no action may lower the capacity: move it to the end or later/,
            );
        });
        it("holds the peak until the tagged end, and lets the ramp-down run at the end itself", async () => {
            const asg = eventGroup("2027-11-26T09:00:00Z");
            const down = (startTime: string) =>
                action(asg, "scale-down", { startTime, minSize: 4, desiredCapacity: 4, maxSize: 20 });
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg), down("2027-11-26T08:59:59Z")]);
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(v.messages, /until the event ends \(2027-11-26T09:00:00Z\)/);
            await passes(rampBeforeEvent, [asg, ramp(asg), down("2027-11-26T09:00:00Z")]);
            // The policy config's end wins over the tag.
            await passes(rampBeforeEvent, [asg, ramp(asg), down("2027-11-26T08:59:59Z")], {
                "ramp-before-event": { eventEnd: "2027-11-26T08:00:00Z" },
            });
        });
        it("counts a lowered floor or ceiling as a scale-down, and a second ramp higher as none", async () => {
            const asg = eventGroup("2027-11-26T09:00:00Z");
            const floor = action(asg, "floor", { startTime: "2027-11-26T06:00:00Z", minSize: 4 });
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg), floor]);
            assert.match(v.messages, /lowers its minSize 4, below the 20/);
            const ceiling = action(asg, "ceiling", { startTime: "2027-11-26T06:00:00Z", maxSize: 10 });
            assert.match(
                (await verdicts(rampBeforeEvent, [asg, ramp(asg), ceiling])).messages,
                /lowers its maxSize 10/,
            );
            // A first ramp to 10 and a second to 20 raise twice; leaving a size unchanged (-1) lowers nothing.
            const again = action(asg, "ramp-more", {
                startTime: "2027-11-26T04:30:00Z",
                minSize: 20,
                desiredCapacity: 20,
                maxSize: -1,
            });
            await passes(rampBeforeEvent, [asg, ramp(asg, "2027-11-26T04:00:00Z", 10), again]);
        });
        it("raises nothing with an action at or below the baseline: a dip before the ramp is no scale-down", async () => {
            const asg = eventGroup("2027-11-26T09:00:00Z");
            const night = action(asg, "night", { startTime: "2027-11-26T02:00:00Z", desiredCapacity: 4 });
            const dip = action(asg, "dip", { startTime: "2027-11-26T03:00:00Z", desiredCapacity: 2 });
            await passes(rampBeforeEvent, [asg, night, dip, ramp(asg, "2027-11-26T04:00:00Z")]);
        });
        it("names the action that first raised to the level, and a raise from a minSize of 0", async () => {
            const asg = eventGroup("2027-11-26T09:00:00Z");
            const again = action(asg, "ramp-again", {
                startTime: "2027-11-26T04:10:00Z",
                minSize: 20,
                desiredCapacity: 20,
                maxSize: 20,
            });
            const down = action(asg, "down", { startTime: "2027-11-26T06:00:00Z", desiredCapacity: 4 });
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg, "2027-11-26T04:00:00Z"), again, down]);
            assert.match(v.messages, /lowers its desiredCapacity 4, below the 20 app-ramp-up raised it to/);
            // From 0 to 1 is a raise, and back to 0 inside the event a scale-down.
            const idle = edited([asg], TYPES.group, (p) => Object.assign(p, { minSize: 0, desiredCapacity: 0 }))[0];
            const fromZero = [
                idle,
                ramp(idle, "2027-11-26T04:00:00Z", 1),
                action(idle, "off", {
                    startTime: "2027-11-26T06:00:00Z",
                    minSize: 0,
                    desiredCapacity: 0,
                }),
            ];
            const off = await verdicts(rampBeforeEvent, fromZero);
            assert.match(
                off.messages,
                /action off, .* lowers its desiredCapacity 0, minSize 0, below the 1 app-ramp-up raised it to/,
            );
        });
        it("with no end known, holds the peak through the start itself, and says where to move the action", async () => {
            const asg = eventGroup();
            const down = (startTime: string) => action(asg, "down", { startTime, desiredCapacity: 4 });
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg), down("2027-11-26T05:00:00Z")]);
            assert.match(
                v.messages,
                /From the ramp until the event ends \(its end is not known; it starts\) no action may lower the capacity: move it to the end or later \(the plan's ramp-down runs after the cooldown\), or remove it\.$/,
            );
            await passes(rampBeforeEvent, [asg, ramp(asg), down("2027-11-26T05:00:01Z")]);
        });
        it("takes a schedule without a one-time start (a recurrence) for no action, wherever it comes", async () => {
            const asg = eventGroup("2027-11-26T09:00:00Z");
            const nightly = action(asg, "nightly", { recurrence: "0 3 * * *", desiredCapacity: 2 });
            await passes(rampBeforeEvent, [asg, ramp(asg), nightly]);
        });
        it("passes a scale-down before the ramp, and judges a late group's scale-down though its ramp is past due", async () => {
            const asg = eventGroup("2027-11-26T09:00:00Z");
            const before = action(asg, "night", { startTime: "2027-11-26T02:00:00Z", desiredCapacity: 4 });
            await passes(rampBeforeEvent, [asg, before, ramp(asg)]);
            const down = action(asg, "down", { startTime: "2027-11-26T06:00:00Z", desiredCapacity: 4 });
            const mid = await at("2027-11-26T05:30:00Z", () => verdicts(rampBeforeEvent, [asg, ramp(asg), down]));
            assert.deepEqual(mid.found, ["ramp-before-event mandatory app-group"]);
            // After the end, nothing is held any more.
            await at("2027-11-26T09:00:00Z", () => passes(rampBeforeEvent, [asg, ramp(asg), down]));
        });
    });
});

describe("ramp-before-event on a scalable target at its edges", () => {
    /** The fixture group carries the stack's event (start 05:00Z, lead 45 min); the target is an ECS service's. */
    const target = resource(TYPES.scalableTarget, "tasks", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: "service/shop/web",
        minCapacity: 0,
        maxCapacity: 5,
    });
    const scheduled = (name: string, schedule: unknown, set: Record<string, unknown>, linked = true) =>
        resource(
            TYPES.scalingSchedule,
            name,
            { resourceId: "service/shop/web", schedule, scalableTargetAction: set },
            linked ? { resourceId: [target] } : {},
        );
    const withGroup = (...more: EngineResource[]) => {
        const asg = group();
        return [asg, ramp(asg), target, ...more];
    };

    it("takes an action that sets no minimum for no raise", async () => {
        const v = await verdicts(
            rampBeforeEvent,
            withGroup(scheduled("wider", "at(2027-11-26T03:00:00)", { maxCapacity: 10 })),
        );
        assert.match(v.messages, /no scheduled action raises tasks's capacity above its minCapacity 0/);
    });

    it("counts an action linked by its resourceId's value, and no cron or rate expression as one", async () => {
        const raise = scheduled("raise", "at(2027-11-26T03:00:00)", { minCapacity: 4, maxCapacity: 5 }, false);
        const nightly = scheduled("nightly", "cron(0 3 * * ? *)", { minCapacity: 0, maxCapacity: 1 });
        await passes(rampBeforeEvent, withGroup(raise, nightly));
    });

    it("leaves a target with an action unknown at preview unjudged, and names a start that is no date-time", async () => {
        const unknown = await verdicts(rampBeforeEvent, withGroup(scheduled("raise", UNKNOWN, { minCapacity: 4 })));
        assert.deepEqual(unknown.found, ["ramp-before-event advisory stack"]);
        assert.match(unknown.messages, /string value at \.raise\.schedule can't be known during preview/);
        const asg = edited([group()], TYPES.group, (p) => {
            p.tags.find((t: { key: string }) => t.key === "warmstack:event-start").value = "Black Friday 5am";
        })[0];
        const v = await verdicts(rampBeforeEvent, [asg, target]);
        assert.deepEqual(v.found.sort(), [
            "ramp-before-event mandatory app-group",
            "ramp-before-event mandatory tasks",
        ]);
        assert.match(v.messages, /tasks: the event start "Black Friday 5am" is not a date-time/);
    });

    it("reads at(…) whole: a prefix or a suffix makes it no one-time schedule", () => {
        assert.equal(atInstant({ schedule: "at(2027-11-26T03:00:00)" }), Date.parse("2027-11-26T03:00:00Z"));
        for (const schedule of ["at(2027-11-26T03:00:00) ", "x at(2027-11-26T03:00:00)", "at(2027-11-26T03:00)", 7])
            assert.ok(Number.isNaN(atInstant({ schedule })), String(schedule));
    });
});
