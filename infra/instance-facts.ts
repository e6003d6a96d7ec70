// What AWS says of an instance type and an image, read at preview before any resource: the plan takes them as
// inputs (model/root-volume.ts), so the model stays pure. A type or image AWS does not have here is one ConfigError
// naming the key, the value and AWS's reason.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigProblem, type WarmstackConfig } from "../model/config";
import type { InstanceFacts } from "../model/root-volume";

/** aws.ec2.getInstanceType's memory and hibernation support: the built stack's type, and production's (infra/production.ts). */
export async function readInstanceType(
    type: string,
    opts: pulumi.InvokeOptions = {},
): Promise<Pick<InstanceFacts, "memoryMiB" | "hibernationSupported">> {
    const found = await aws.ec2.getInstanceType({ instanceType: type }, opts);
    return { memoryMiB: found.memorySize, hibernationSupported: found.hibernationSupported };
}

/** The image's root snapshot size, GiB (aws.ec2.getAmi on its id). */
async function imageGiB(amiId: string, opts: pulumi.InvokeOptions): Promise<number> {
    const image = await aws.ec2.getAmi({ filters: [{ name: "image-id", values: [amiId] }] }, opts);
    const root = image.blockDeviceMappings.find((m) => m.deviceName === image.rootDeviceName);
    return Number(root?.ebs?.volume_size ?? 0);
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim();

/** The built stack's instance facts, or one ConfigError naming each key AWS could not answer for. */
export async function builtInstanceFacts(
    compute: WarmstackConfig["compute"],
    opts: pulumi.InvokeOptions = {},
): Promise<InstanceFacts> {
    const [type, image] = await Promise.allSettled([
        readInstanceType(compute.instanceType, opts),
        imageGiB(compute.amiId as string, opts),
    ]);
    const problems: ConfigProblem[] = [];
    if (type.status === "rejected") {
        problems.push({
            key: "warmstack:compute.instanceType",
            given: compute.instanceType,
            allowed: `an instance type AWS offers in this region (AWS: ${reason(type.reason)})`,
        });
    }
    if (image.status === "rejected") {
        problems.push({
            key: "warmstack:compute.amiId",
            given: compute.amiId,
            allowed: `an image this account may launch in this region (AWS: ${reason(image.reason)})`,
        });
    }
    if (type.status === "rejected" || image.status === "rejected") {
        throw new ConfigError(problems, "warmstack cannot read the instance facts from AWS");
    }
    return { ...type.value, imageGiB: image.value };
}
