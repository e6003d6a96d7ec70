// The instance type's memory and hibernation support and the image's size, from AWS at preview
// (aws.ec2.getInstanceType, aws.ec2.getAmi, answered by the mocks as AWS would): the root volume they size, and
// the one error, before any resource, when AWS says the pool cannot work or does not know the type or image.
import { strict as assert } from "node:assert";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import {
    BUILT_EVENT,
    editedConfig,
    NOW,
    productionWorld,
    runProgram,
    T,
    type AwsWorld,
    type ProgramRun,
    type RegisteredResource,
} from "../support/pulumi";

type Compute = Record<string, unknown>;
const run = (compute: (c: Compute) => Compute, world: AwsWorld = productionWorld()) =>
    runProgram(editedConfig(BUILT_EVENT, { compute }), () => warmstackFromPulumiConfig(NOW), BUILT_EVENT, world);
const hibernated = (instanceType: string) => (c: Compute) => ({
    ...c,
    instanceType,
    warmPool: { ...(c.warmPool as object), state: "Hibernated" },
});
const rootVolumeOf = (r: ProgramRun) => r.one(T.template).inputs.blockDeviceMappings[0].ebs.volumeSize;

/** The program's refusal and what it registered before it. */
async function refusal(compute: (c: Compute) => Compute, world = productionWorld()) {
    const registered: RegisteredResource[] = [];
    let error: unknown;
    await runProgram(
        editedConfig(BUILT_EVENT, { compute }),
        () => warmstackFromPulumiConfig(NOW),
        BUILT_EVENT,
        world,
        registered,
    ).catch((err) => (error = err));
    assert.ok(error instanceof Error, "the program was refused");
    return { message: error.message, registered };
}

describe("program under mocks: instance facts from AWS", () => {
    it("a Hibernated pool's root volume holds the 64 GiB AWS reports for the type beside the image", async () => {
        const r = await run(hibernated("r7i.2xlarge"));
        // rootVolumeGb 30 (above the image's 8) + 64 GiB of RAM.
        assert.equal(rootVolumeOf(r), 94);
        assert.deepEqual(r.outputs.plan.rootVolume, { gb: 94, memoryGiB: 64, memorySource: "aws", imageGiB: 8 });
    });

    it("a Stopped pool's root volume is rootVolumeGb, or the image's size when AWS says it is larger", async () => {
        assert.equal(rootVolumeOf(await run((c) => ({ ...c, instanceType: "r7i.2xlarge" }))), 30);
        const world = productionWorld();
        world.images["ami-0a1b2c3d4e5f60718"].blockDeviceMappings[0].ebs.volume_size = "50";
        assert.equal(rootVolumeOf(await run((c) => c, world)), 50);
        // Hibernated on that image: 50 + the c7i.large's 4 GiB.
        assert.equal(rootVolumeOf(await run(hibernated("c7i.large"), world)), 54);
    });

    it("refuses a Hibernated pool on a type AWS says cannot hibernate, naming the key and the type, before any resource", async () => {
        const { message, registered } = await refusal(hibernated("x2iedn.32xlarge"));
        assert.match(
            message,
            /\(1 problem\):\n {2}- warmstack:compute\.warmPool\.state: Stopped or Running: AWS says compute\.instanceType x2iedn\.32xlarge cannot hibernate \(aws\.ec2\.getInstanceType: hibernationSupported false\); given "Hibernated"/,
        );
        assert.equal(registered.length, 0, "no resource registered");
        // The same type Stopped deploys.
        assert.equal(rootVolumeOf(await run((c) => ({ ...c, instanceType: "x2iedn.32xlarge" }))), 30);
    });

    it("names compute.instanceType and compute.amiId with AWS's words when AWS has neither, before any resource", async () => {
        const { message, registered } = await refusal((c) => ({
            ...c,
            instanceType: "m9z.large",
            amiId: "ami-0ffffffffffffffff",
        }));
        assert.match(message, /warmstack cannot read the instance facts from AWS \(2 problems\):/);
        assert.match(
            message,
            /- warmstack:compute\.instanceType: an instance type AWS offers in this region \(AWS: reading EC2 Instance Type \(m9z\.large\): couldn't find resource\); given "m9z\.large"/,
        );
        assert.match(
            message,
            /- warmstack:compute\.amiId: an image this account may launch in this region \(AWS: Your query returned no results\. .*\); given "ami-0ffffffffffffffff"/,
        );
        assert.equal(registered.length, 0, "no resource registered");
    });
});
