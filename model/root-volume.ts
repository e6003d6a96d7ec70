// The app instances' root volume: big enough for the image, and for a Hibernated pool the RAM it writes there too.
// At preview the facts are AWS's (infra/instance-facts.ts reads them); offline, `warmstack plan` has only the
// config and the labelled table, and says which it used. Pure.
import type { WarmstackConfig } from "./config";
import { planned, refused, type Planned } from "./planned";
import { INSTANCE_MEMORY_GIB, PRICES_AS_OF } from "./prices";

/** What AWS says of the app's instance type (aws.ec2.getInstanceType) and image (aws.ec2.getAmi), at preview. */
export interface InstanceFacts {
    memoryMiB: number;
    hibernationSupported: boolean;
    /** The image's root snapshot, GiB: the least root volume AWS launches it on. */
    imageGiB: number;
}

/**
 * Where the instance type's memory came from: AWS at preview, else `warmstack:cost.instanceMemoryGiB`, else the
 * fallback table (model/prices.ts); `unknown` when none has it (offline only: the preview always asks AWS).
 */
export type MemorySource = "aws" | "cost.instanceMemoryGiB" | "table" | "unknown";

/** Each source as a report says it. */
export const MEMORY_SOURCE_TEXT: Readonly<Record<MemorySource, string>> = {
    aws: "from AWS (aws.ec2.getInstanceType)",
    "cost.instanceMemoryGiB": "from warmstack:cost.instanceMemoryGiB",
    table: `from the fallback table (model/prices.ts, ${PRICES_AS_OF}); the deploy reads it from AWS`,
    unknown: "unknown offline (set warmstack:cost.instanceMemoryGiB); the deploy reads it from AWS",
};

export interface RootVolumePlan {
    /** The launch template's root volume, GiB: max(rootVolumeGb, the image), plus ⌈RAM⌉ for a Hibernated pool. */
    gb: number;
    /** The instance type's memory, GiB, when known. */
    memoryGiB?: number;
    memorySource: MemorySource;
    /** The image's size, GiB: known at preview only. */
    imageGiB?: number;
}

/** The instance type's memory and where it came from. */
function memoryOf(config: WarmstackConfig, facts?: InstanceFacts): Pick<RootVolumePlan, "memoryGiB" | "memorySource"> {
    if (facts) return { memoryGiB: facts.memoryMiB / 1024, memorySource: "aws" };
    const given = config.cost.instanceMemoryGiB;
    if (given !== undefined) return { memoryGiB: given, memorySource: "cost.instanceMemoryGiB" };
    const listed = INSTANCE_MEMORY_GIB[config.compute.instanceType];
    return listed !== undefined ? { memoryGiB: listed, memorySource: "table" } : { memorySource: "unknown" };
}

/**
 * The root volume, or the refusal of a Hibernated pool on a type AWS says cannot hibernate (AWS would refuse the
 * launch template's hibernation; the pool would never fill).
 */
export function planRootVolume(config: WarmstackConfig, facts?: InstanceFacts): Planned<RootVolumePlan> {
    const { compute } = config;
    const hibernated = compute.warmPool.state === "Hibernated";
    if (hibernated && facts && !facts.hibernationSupported) {
        return refused([
            {
                key: "warmstack:compute.warmPool.state",
                given: compute.warmPool.state,
                allowed:
                    `Stopped or Running: AWS says compute.instanceType ${compute.instanceType} cannot hibernate ` +
                    "(aws.ec2.getInstanceType: hibernationSupported false)",
            },
        ]);
    }
    const memory = memoryOf(config, facts);
    const image = Math.max(compute.rootVolumeGb, facts?.imageGiB ?? 0);
    // Hibernation writes the whole RAM to the root volume, beside what the image and the app already hold.
    const ram = hibernated && memory.memoryGiB !== undefined ? Math.ceil(memory.memoryGiB) : 0;
    return planned({ gb: image + ram, ...memory, ...(facts && { imageGiB: facts.imageGiB }) });
}
