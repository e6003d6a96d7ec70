// The app-tier policies at the edges the other suites leave open: which hook, schedule and root volume counts, how
// the warm pool is counted, and the full advice each message gives a blocked user (pinned from mutation survivors).
import { strict as assert } from "node:assert";
import {
    asgFlatCapacity,
    asgInstanceWarmup,
    asgWarmPoolRequired,
    rampBeforeEvent,
    warmPoolCompatible,
    warmPoolLaunchHook,
    warmPoolState,
} from "../../policies/compute";
import { LAUNCHING, TYPES } from "../../policies/shared/contract";
import { group, ramp, resource } from "./fixtures";
import { edited, EngineResource, UNKNOWN } from "./harness";
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

describe("compute policies at their edges", () => {
    describe("counting the instances a warm pool keeps (warm-pool-state on a Running pool)", () => {
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

    describe("asg-warm-pool-required", () => {
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

    describe("asg-flat-capacity", () => {
        it("tells the owner of a flat group how to let the pack ask for a pool and a ramp", async () => {
            const v = await verdicts(asgFlatCapacity, [group({ maxSize: 4 })]);
            assert.deepEqual(v.found, ["asg-flat-capacity advisory app-group"]);
            assert.match(
                v.messages,
                /do not apply\. If the event's traffic can rise above what these instances serve, give the group room to grow \(warmstack: traffic\.peakRps above traffic\.baselineRps\) and the pack will ask for the pool and the ramp\./,
            );
        });
    });

    describe("warm-pool-compatible", () => {
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

    describe("warm-pool-state", () => {
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

    describe("asg-instance-warmup", () => {
        it("explains the missing warm-up and both ways to set it", async () => {
            const v = await verdicts(asgInstanceWarmup, [group({ defaultInstanceWarmup: undefined })]);
            assert.deepEqual(v.found, ["asg-instance-warmup advisory app-group"]);
            assert.match(
                v.messages,
                /app-group has no defaultInstanceWarmup: the metrics of an instance still warming up count at once and can trigger another scale-out\. Set defaultInstanceWarmup \(e\.g\. 60 s\), or set this policy's enforcementLevel to remediate to have it set\./,
            );
        });
    });

    describe("warm-pool-launch-hook", () => {
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

    describe("ramp-before-event (start 05:00Z, lead 45 min: deadline 04:15Z, minSize 4)", () => {
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
});
