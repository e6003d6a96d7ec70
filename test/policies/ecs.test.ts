// ecs-warm-pool-no-reuse over the pack's protocol, and ramp-before-event on the Application Auto Scaling ramps of
// an ECS service's tasks and a function's provisioned concurrency: both on the program's own shapes (blackfriday
// with compute.platform ecs and a function, under mocks) and on resources written by hand.
import { strict as assert } from "node:assert";
import { ecsWarmPoolNoReuse } from "../../policies/ecs";
import { rampBeforeEvent } from "../../policies/compute";
import { TYPES } from "../../policies/shared/contract";
import { group, resource } from "./fixtures";
import { EngineResource, programResources } from "./harness";
import { BUILT_EVENT } from "../support/pulumi";
import { CONFIG } from "./shapes";
import { passes, verdicts } from "./verdicts";

const provider = (over: EngineResource, arn?: string) =>
    resource(
        TYPES.ecsCapacityProvider,
        "ecs-capacity",
        {
            name: "warmstack-shop",
            autoScalingGroupProvider: {
                autoScalingGroupArn: arn ?? "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x",
                managedTerminationProtection: "ENABLED",
                managedScaling: { status: "ENABLED", targetCapacity: 100 },
            },
        },
        arn ? {} : { autoScalingGroupProvider: [over] },
    );
const pooled = (reuseOnScaleIn: boolean) =>
    group({ warmPool: { minSize: 4, poolState: "Stopped", instanceReusePolicy: { reuseOnScaleIn } } });

/** The program's blackfriday stack on ECS with a service, and with a function: every ramp it registers. */
const ecsShapes = () =>
    programResources(BUILT_EVENT, (config) => {
        const compute = JSON.parse(config["warmstack:compute"]);
        config["warmstack:compute"] = JSON.stringify({ ...compute, platform: "ecs", ecs: { service: "web" } });
        config["warmstack:functions"] = JSON.stringify([
            { name: "checkout", alias: "live", peakRps: 900, durationMs: 180 },
        ]);
    });

describe("policy ecs-warm-pool-no-reuse", () => {
    it("blocks a capacity provider over a group whose warm pool reuses on scale-in, linked or named", async () => {
        const asg = pooled(true);
        const linked = await verdicts(ecsWarmPoolNoReuse, [asg, provider(asg)]);
        assert.deepEqual(linked.found, ["ecs-warm-pool-no-reuse mandatory ecs-capacity"]);
        assert.match(
            linked.messages,
            /ecs-capacity is an ECS capacity provider over app-group, whose warm pool reuses instances on scale-in: ECS capacity providers do not support it/,
        );
        const named = await verdicts(ecsWarmPoolNoReuse, [asg, provider(asg, "app-group")]);
        assert.deepEqual(named.found, ["ecs-warm-pool-no-reuse mandatory ecs-capacity"]);
        assert.match(
            named.messages,
            /Set the pool's instanceReusePolicy \{ reuseOnScaleIn: false \} \(warmstack does with compute\.platform ecs\)\.$/,
        );
        const arn = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0f:autoScalingGroupName/app-group";
        const byArn = group({ arn, warmPool: asg.inputs.warmPool });
        assert.deepEqual((await verdicts(ecsWarmPoolNoReuse, [byArn, provider(byArn, arn)])).found, [
            "ecs-warm-pool-no-reuse mandatory ecs-capacity",
        ]);
    });

    it("names only the group its ARN or name gives, beside a reusing group it does not name", async () => {
        const reusing = resource(TYPES.group, "batch-group", { ...pooled(true).inputs, name: "batch-group" });
        await passes(ecsWarmPoolNoReuse, [reusing, pooled(false), provider(pooled(false), "app-group")]);
    });

    it("passes a pool without reuse, a group without a pool, a provider over another group, and the program's", async () => {
        const off = pooled(false);
        await passes(ecsWarmPoolNoReuse, [off, provider(off)]);
        const bare = group();
        await passes(ecsWarmPoolNoReuse, [bare, provider(bare)]);
        await passes(ecsWarmPoolNoReuse, [pooled(true), provider(pooled(false), "another-group")]);
        await passes(ecsWarmPoolNoReuse, await ecsShapes(), CONFIG);
    });

    it("blocks the program's stack had its pool been left to reuse", async () => {
        const shapes = (await ecsShapes()).map((r) => {
            if (r.type !== TYPES.group) return r;
            const edited = structuredClone(r);
            for (const props of [edited.inputs, edited.outputs])
                props.warmPool.instanceReusePolicy = { reuseOnScaleIn: true };
            return edited;
        });
        assert.deepEqual((await verdicts(ecsWarmPoolNoReuse, shapes, CONFIG)).found, [
            "ecs-warm-pool-no-reuse mandatory ecs-capacity",
        ]);
    });
});

describe("ecs-warm-pool-no-reuse over a provider that names no group", () => {
    it("matches no group to a provider without a group ARN, not even a group without one", async () => {
        const reusing = group({ warmPool: { minSize: 8, instanceReusePolicy: { reuseOnScaleIn: true } } });
        delete reusing.inputs.arn;
        delete reusing.outputs.arn;
        const provider = resource(TYPES.ecsCapacityProvider, "ecs-capacity", { autoScalingGroupProvider: {} });
        await passes(ecsWarmPoolNoReuse, [reusing, provider]);
    });
});

describe("ramp-before-event on Application Auto Scaling targets (ECS tasks, provisioned concurrency)", () => {
    let shapes: EngineResource[];
    before(async () => {
        shapes = await ecsShapes();
    });
    const actionsEdited = (name: string, edit: (props: Record<string, any>) => void) =>
        shapes.map((r) => {
            if (r.type !== TYPES.scalingSchedule || r.name !== name) return r;
            const edited = structuredClone(r);
            edit(edited.inputs);
            edit(edited.outputs);
            return edited;
        });

    it("passes the program's ramps of the service's tasks and the function's concurrency", async () => {
        const targets = shapes.filter((r) => r.type === TYPES.scalableTarget).map((r) => r.name);
        assert.deepEqual(targets.sort(), ["ecs-web", "functions-checkout-live"]);
        await passes(rampBeforeEvent, shapes, CONFIG);
    });

    it("blocks the service's tasks ramped after the deadline, naming the tasks and the deadline", async () => {
        const late = actionsEdited("ecs-web-blackfriday-ramp-up", (p) => (p.schedule = "at(2027-11-26T04:50:00)"));
        const v = await verdicts(rampBeforeEvent, late, CONFIG);
        assert.deepEqual(v.found, ["ramp-before-event mandatory ecs-web"]);
        assert.match(
            v.messages,
            /ecs-web's first ramp, ecs-web-blackfriday-ramp-up, starts at 2027-11-26T04:50:00Z, 10 min before the event blackfriday at 2027-11-26T05:00:00Z; capacity must rise 45 min before, by 2027-11-26T04:15:00Z, or the tasks/,
        );
        assert.match(v.messages, /aws\.appautoscaling\.ScheduledAction for this target/);
    });

    it("blocks a function's concurrency lowered inside the event, and a target with no ramp", async () => {
        const early = actionsEdited(
            "functions-checkout-live-blackfriday-ramp-down",
            (p) => (p.schedule = "at(2027-11-27T00:00:00)"),
        );
        const v = await verdicts(rampBeforeEvent, early, CONFIG);
        assert.deepEqual(v.found, ["ramp-before-event mandatory functions-checkout-live"]);
        assert.match(
            v.messages,
            /lowers its minCapacity 0, maxCapacity 0, below the 203 functions-checkout-live-blackfriday-ramp-up raised it to: the provisioned concurrency/,
        );
        const none = shapes.filter((r) => !(r.type === TYPES.scalingSchedule && r.name.startsWith("ecs-web-")));
        const bare = await verdicts(rampBeforeEvent, none, CONFIG);
        assert.deepEqual(bare.found, ["ramp-before-event mandatory ecs-web"]);
        assert.match(
            bare.messages,
            /no scheduled action raises ecs-web's capacity above its minCapacity \d+ before the event blackfriday/,
        );
    });

    it("leaves a target of a fixed capacity, and a stack with no event, alone", async () => {
        const fixed = resource(TYPES.scalableTarget, "fixed", {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: "service/shop/web",
            minCapacity: 4,
            maxCapacity: 4,
        });
        await passes(rampBeforeEvent, [...shapes.filter((r) => r.type !== TYPES.scalableTarget), fixed], CONFIG);
        const noEvent = resource(TYPES.scalableTarget, "tracked", { ...fixed.inputs, maxCapacity: 40 });
        await passes(rampBeforeEvent, [noEvent], {});
    });
});
