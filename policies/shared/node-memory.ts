// Memory of one ElastiCache node, by node type, in GiB, as AWS publishes it for Redis OSS / Valkey ("Supported node
// types" in the ElastiCache user guide), compiled 2026-12-02. Its one home: the pack judges sizes with it, and the
// program's cache sizing (model/cache-sizing.ts) imports it from the pack's shared folder.
export const NODE_MEMORY_AS_OF = "2026-12-02";

const GRAVITON_M = {
    large: 6.38,
    xlarge: 12.93,
    "2xlarge": 26.04,
    "4xlarge": 52.26,
    "8xlarge": 103.68,
    "12xlarge": 157.12,
    "16xlarge": 209.55,
};
const GRAVITON_R = {
    large: 13.07,
    xlarge: 26.32,
    "2xlarge": 52.82,
    "4xlarge": 105.81,
    "8xlarge": 209.55,
    "12xlarge": 317.77,
    "16xlarge": 419.09,
};
const BURSTABLE = { micro: 0.5, small: 1.37, medium: 3.09 };

function family(prefix: string, sizes: Record<string, number>): Array<[string, number]> {
    return Object.entries(sizes).map(([size, gib]) => [`cache.${prefix}.${size}`, gib]);
}

export const NODE_MEMORY_GIB: Readonly<Record<string, number>> = Object.fromEntries([
    ...family("t3", BURSTABLE),
    ...family("t4g", BURSTABLE),
    ...family("m6g", GRAVITON_M),
    ...family("m7g", GRAVITON_M),
    ...family("r6g", GRAVITON_R),
    ...family("r7g", GRAVITON_R),
    ...family("m5", {
        large: 6.38,
        xlarge: 12.93,
        "2xlarge": 26.04,
        "4xlarge": 52.26,
        "12xlarge": 157.12,
        "24xlarge": 314.32,
    }),
    ...family("r5", {
        large: 13.07,
        xlarge: 26.32,
        "2xlarge": 52.82,
        "4xlarge": 105.81,
        "12xlarge": 317.77,
        "24xlarge": 635.61,
    }),
]);
