// How many ElastiCache shards hold the hot set: the bytes each key takes in Redis, the memory a node leaves for
// data, and ElastiCache's limits. Pure; the figures are calibrated in test/model/cache-sizing.test.ts against a
// real redis-server and written out in docs/configuration.md.
import { DEFAULTS } from "../policies/shared/defaults";
import { settle } from "../policies/shared/numbers";
import type { WarmstackConfig } from "./config";
import { NODE_MEMORY_AS_OF, NODE_MEMORY_GIB } from "../policies/shared/node-memory";
import { planned, refused, type Planned } from "./planned";
import { redisBytesPerKey } from "./redis-memory";

/** ElastiCache's default `reserved-memory-percent`: kept for backups, replication and failover buffers. */
export const RESERVED_MEMORY = DEFAULTS.reservedMemoryShare;
/** ElastiCache quotas per cluster-mode replication group. */
export const MAX_SHARDS = 500;
export const MAX_NODES = 500;

const GIB = 1024 ** 3;

export interface CacheSizing {
    /** More than one shard: ElastiCache cluster mode enabled (numNodeGroups, replicasPerNodeGroup). */
    clusterMode: boolean;
    shards: number;
    replicasPerShard: number;
    /** Every node of the group: shards × (1 + replicasPerShard). */
    nodes: number;
    bytesPerKey: number;
    /** topKeys × bytesPerKey: what the warm writes. */
    hotSetBytes: number;
    nodeMemoryBytes: number;
    /** A node's memory less ElastiCache's reserved share and the configured headroom. */
    usableBytesPerShard: number;
}

export function sizeCache(cache: WarmstackConfig["cache"]): Planned<CacheSizing> {
    const gib = cache.nodeMemoryGiB ?? NODE_MEMORY_GIB[cache.nodeType];
    if (gib === undefined) {
        return refused([
            {
                key: "warmstack:cache.nodeMemoryGiB",
                given: undefined,
                allowed:
                    `required for cache.nodeType ${JSON.stringify(cache.nodeType)}, which the node table ` +
                    `(policies/shared/node-memory.ts, ${NODE_MEMORY_AS_OF}) does not list: the node's memory in GiB`,
            },
        ]);
    }
    const nodeMemoryBytes = Math.floor(settle(gib * GIB));
    const usableBytesPerShard = Math.floor(settle(nodeMemoryBytes * (1 - RESERVED_MEMORY) * (1 - cache.headroom)));
    const bytesPerKey = redisBytesPerKey(cache.prewarm.avgEntryBytes);
    const hotSetBytes = cache.prewarm.topKeys * bytesPerKey;
    const shards = Math.max(1, Math.ceil(settle(hotSetBytes / usableBytesPerShard)));
    const nodes = shards * (1 + cache.replicas);
    const needs = `the hot set (${cache.prewarm.topKeys} keys × ${bytesPerKey} B = ${gibText(hotSetBytes)}) needs ${shards} shards of ${gibText(usableBytesPerShard)} usable`;
    if (shards > MAX_SHARDS) {
        return refused([
            {
                key: "warmstack:cache.nodeType",
                given: cache.nodeType,
                allowed: `a larger node type: ${needs}, and ElastiCache allows at most ${MAX_SHARDS} shards`,
            },
        ]);
    }
    const replicasAllowed = Math.floor(MAX_NODES / shards) - 1;
    if (nodes > MAX_NODES && replicasAllowed < 1) {
        return refused([
            {
                key: "warmstack:cache.nodeType",
                given: cache.nodeType,
                allowed:
                    `a larger node type: ${needs}, each with at least 1 replica, and ElastiCache allows at most ` +
                    `${MAX_NODES} nodes`,
            },
        ]);
    }
    if (nodes > MAX_NODES) {
        return refused([
            {
                key: "warmstack:cache.replicas",
                given: cache.replicas,
                allowed:
                    `at most ${replicasAllowed}, or a larger cache.nodeType: ${needs}, ` +
                    `× ${1 + cache.replicas} nodes each = ${nodes}, and ElastiCache allows at most ${MAX_NODES} nodes`,
            },
        ]);
    }
    return planned({
        clusterMode: shards > 1,
        shards,
        replicasPerShard: cache.replicas,
        nodes,
        bytesPerKey,
        hotSetBytes,
        nodeMemoryBytes,
        usableBytesPerShard,
    });
}

function gibText(bytes: number): string {
    return `${settle(bytes / GIB).toFixed(2)} GiB`;
}
