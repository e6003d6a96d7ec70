// compute.platform ecs (model/plan/ecs.ts, model/config.ts, model/container-images.ts): the tasks ramp with the
// instances, the pool never reuses on ECS and the plan says so once when asked to, the pull fits the agent's
// deadline, ECR images are told from the rest, and compute.ecs on ec2 is refused naming the key.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError, parseConfig } from "../../model/config";
import { ecrImageOf, repositoryArn } from "../../model/container-images";
import { plan } from "../../model/plan";
import { EVENT, NOW, runs, validRaw } from "./fixtures";

const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4";
const ecsRaw = (ecs: Record<string, unknown> = {}, compute: Record<string, unknown> = {}) => {
    const raw = validRaw();
    raw.event = EVENT;
    raw.compute = { ...raw.compute, platform: "ecs", ecs, ...compute };
    return raw;
};
const planOf = (raw: Record<string, any>, now = NOW) => plan(parseConfig(raw), { now });

function parseRefusal(raw: Record<string, any>): ConfigError {
    try {
        parseConfig(raw);
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
    assert.fail("parsed a config it must refuse");
}

function refusal(raw: Record<string, any>): ConfigError {
    try {
        planOf(raw);
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
    assert.fail("planned a config it must refuse");
}

describe("ecs: the plan", () => {
    it("is absent on ec2, the default platform, and present on ecs with the documented defaults", () => {
        assert.equal(planOf(validRaw()).ecs, undefined);
        const ecs = planOf(ecsRaw()).ecs!;
        assert.equal(ecs.targetCapacity, 100);
        assert.equal(ecs.pullTimeoutSeconds, 60);
        assert.deepEqual(ecs.images, []);
        assert.equal(ecs.service, undefined);
    });

    it("ramps the service's tasks to tasksPerInstance × the peak's instances at the ramp and back after", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 30 }), (perInstance, extra) => {
                const raw = ecsRaw({ service: "web", tasksPerInstance: perInstance });
                raw.traffic.peakRps = raw.traffic.baselineRps * (1 + extra);
                const p = planOf(raw);
                const { tasks, service } = p.ecs!;
                assert.deepEqual(tasks, {
                    perInstance,
                    baseline: perInstance * p.instances.baseline,
                    peak: perInstance * p.instances.peak,
                });
                const [up, down] = service!.schedule;
                // The tasks move with the group's own ramp, at its instants.
                assert.deepEqual(
                    [up.name, up.startTime, down.name, down.startTime],
                    p.schedule.map((s) => [s.name, s.startTime]).flat(),
                );
                assert.deepEqual([up.minCapacity, up.maxCapacity], [tasks.peak, tasks.peak]);
                assert.deepEqual([down.minCapacity, down.maxCapacity], [tasks.baseline, tasks.peak]);
                assert.deepEqual(service!.capacity, { minCapacity: tasks.baseline, maxCapacity: tasks.peak });
            }),
            { numRuns: runs(50) },
        );
    });

    it("inside the event's window, runs the peak's tasks now and schedules only the ramp-down", () => {
        const p = planOf(ecsRaw({ service: "web", tasksPerInstance: 2 }), Date.parse(EVENT.start));
        const { service, tasks } = p.ecs!;
        assert.deepEqual(service!.capacity, { minCapacity: tasks.peak, maxCapacity: tasks.peak });
        assert.deepEqual(
            service!.schedule.map((a) => a.name),
            ["sale-ramp-down"],
        );
    });

    it("never reuses on scale-in, and warns once, naming the key, only when the config asked for reuse", () => {
        const asked = planOf(ecsRaw({}, { warmPool: { reuseOnScaleIn: true } }));
        assert.equal(asked.warmPool.reuseOnScaleIn, false);
        const warnings = asked.warnings.filter((w) => w.includes("compute.warmPool.reuseOnScaleIn"));
        assert.equal(warnings.length, 1, asked.warnings.join("\n"));
        assert.equal(
            warnings[0],
            "compute.warmPool.reuseOnScaleIn is true, but ECS capacity providers do not support reuse on scale-in: " +
                "with compute.platform ecs the pool does not reuse, and instances scaled in are terminated",
        );
        const left = planOf(ecsRaw());
        assert.equal(left.warmPool.reuseOnScaleIn, false);
        assert.ok(!left.warnings.some((w) => w.includes("reuseOnScaleIn")), left.warnings.join("\n"));
        // ec2 keeps reuse by default, and the config's word either way.
        assert.equal(planOf(validRaw()).warmPool.reuseOnScaleIn, true);
        const off = validRaw();
        off.compute.warmPool = { reuseOnScaleIn: false };
        assert.equal(planOf(off).warmPool.reuseOnScaleIn, false);
    });

    it("warns on an event stack without a service whose tasks could ramp", () => {
        assert.ok(
            planOf(ecsRaw()).warnings.includes(
                `event ${EVENT.name}: no compute.ecs.service, so no service's tasks ramp with the instances: the ` +
                    "capacity provider adds instances only as tasks need them",
            ),
        );
        assert.ok(!planOf(ecsRaw({ service: "web" })).warnings.some((w) => /no compute\.ecs\.service/.test(w)));
        // No ramp to miss: an event whose peak needs no more instances than the baseline, or no event at all.
        const flat = ecsRaw();
        flat.traffic.peakRps = flat.traffic.baselineRps;
        const level = planOf(flat);
        assert.equal(level.ecs!.tasks.peak, level.ecs!.tasks.baseline);
        assert.ok(!level.warnings.some((w) => /no compute\.ecs\.service/.test(w)), level.warnings.join("\n"));
    });

    it("says nothing an EC2 plan of the same config does not, with a service and no reuse asked", () => {
        const ecs = planOf(ecsRaw({ service: "web" }));
        const ec2 = validRaw();
        ec2.event = EVENT;
        assert.deepEqual(ecs.warnings, planOf(ec2).warnings);
    });

    it("plans a service with no event: its own scaling between the baseline and the peak, nothing scheduled", () => {
        const raw = ecsRaw({ service: "web" });
        delete raw.event;
        const { tasks, service } = planOf(raw).ecs!;
        assert.deepEqual(service!.schedule, []);
        assert.deepEqual(service!.capacity, { minCapacity: tasks.baseline, maxCapacity: tasks.peak });
    });

    it("names the ECR images' repositories, and only theirs", () => {
        const ecs = planOf(ecsRaw({ images: [ECR, "public.ecr.aws/nginx/nginx:1.27", "redis:7"] })).ecs!;
        assert.deepEqual(ecs.ecr.map(repositoryArn), ["arn:aws:ecr:eu-west-1:123456789012:repository/shop/web"]);
    });
});

describe("ecs: refused, in one error naming the key", () => {
    it("compute.ecs on the ec2 platform", () => {
        const raw = validRaw();
        raw.compute.ecs = { images: ["redis:7"] };
        const err = parseRefusal(raw);
        assert.deepEqual(
            err.problems.map((p) => p.key),
            ["warmstack:compute.ecs"],
        );
        assert.match(err.message, /only with compute\.platform ecs \(the platform is "ec2"\)/);
    });

    it("a pull timeout beyond the agent's deadline", () => {
        // bootSeconds 180: the hook holds 360 s, the agent has 360 − 180 − 60 = 120.
        const err = refusal(ecsRaw({ pullTimeoutSeconds: 121 }));
        assert.deepEqual(
            err.problems.map((p) => p.key),
            ["warmstack:compute.ecs.pullTimeoutSeconds"],
        );
        assert.match(
            err.message,
            /at most 120, the agent's deadline \(the launch hook's timeout less compute\.bootSeconds and the minute ABANDON needs\): a longer pull is cut off by the deadline before its own timeout can say which image hung/,
        );
        assert.ok(planOf(ecsRaw({ pullTimeoutSeconds: 120 })).ecs);
    });

    it("an image that is no image reference, a repeated one, an unknown platform", () => {
        const err = parseRefusal(ecsRaw({ images: ["Shop Web:latest", "redis:7", "redis:7"] }, { platform: "eks" }));
        assert.deepEqual(err.problems.map((p) => p.key).sort(), [
            "warmstack:compute.ecs",
            "warmstack:compute.ecs.images",
            "warmstack:compute.ecs.images[0]",
            "warmstack:compute.platform",
        ]);
        assert.match(err.message, /compute\.platform: one of ec2 \| ecs; given "eks"/);
    });
});

describe("container images: ECR or not", () => {
    it("reads the registry, account, region and repository of an ECR image, with a tag or a digest", () => {
        assert.deepEqual(ecrImageOf(ECR), {
            image: ECR,
            registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            account: "123456789012",
            region: "eu-west-1",
            repository: "shop/web",
        });
        const digest = `123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api@sha256:${"a".repeat(64)}`;
        assert.equal(ecrImageOf(digest)?.repository, "api");
        assert.equal(repositoryArn(ecrImageOf(digest)!), "arn:aws-cn:ecr:cn-north-1:123456789012:repository/api");
    });

    it("is undefined for Docker Hub, ECR Public and a look-alike host", () => {
        for (const image of ["redis:7", "public.ecr.aws/nginx/nginx", "123456789012.dkr.ecr.eu-west-1.example.com/x"])
            assert.equal(ecrImageOf(image), undefined, image);
    });
});
