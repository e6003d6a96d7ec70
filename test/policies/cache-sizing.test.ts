// cache-fits-hot-set and cache-ha-encrypted on single-shard and cluster-mode groups: the usable memory (node
// memory from the pack's table × shards, less ElastiCache's 25 % reserve) against the hot-set tag, to the byte.
import { strict as assert } from "node:assert";
import { cacheFitsHotSet, cacheHaEncrypted, nodeMemoryBytes } from "../../policies/cache";
import { TYPES } from "../../policies/shared/contract";
import { unjudgedResources } from "../../policies/unjudged";
import { prewarm, replicationGroup } from "./fixtures";
import { EngineResource } from "./harness";
import { passes, verdicts } from "./verdicts";

/** cache.r7g.large: 13.07 GiB = 14033805639 B; one shard holds ⌊× 0.75⌋ of it for data. */
const USABLE_PER_SHARD = 10525354229;

function cacheWith(hotSetBytes: number | undefined, shape: Record<string, any> = {}): EngineResource[] {
    const cache = replicationGroup({
        ...shape,
        tags: hotSetBytes === undefined ? {} : { "warmstack:hot-set-bytes": String(hotSetBytes) },
    });
    return [cache, prewarm(cache)];
}

const CLUSTER_MODE = { numCacheClusters: undefined, numNodeGroups: 3, replicasPerNodeGroup: 1 };

describe("cache-fits-hot-set", () => {
    it("reads cache.r7g.large from the pack's table", () => {
        assert.equal(nodeMemoryBytes("cache.r7g.large"), 14033805639);
        assert.equal(nodeMemoryBytes("cache.x9.huge"), undefined);
    });

    it("passes a single-shard group whose usable memory holds the hot set exactly, and blocks one byte more", async () => {
        await passes(cacheFitsHotSet, cacheWith(USABLE_PER_SHARD));
        const v = await verdicts(cacheFitsHotSet, cacheWith(USABLE_PER_SHARD + 1));
        assert.deepEqual(v.found, ["cache-fits-hot-set mandatory cache-redis"]);
        assert.match(
            v.messages,
            /cache-redis holds 9\.80 GiB of data \(1 shard\(s\) × cache\.r7g\.large 13\.07 GiB, less 25 % reserved\), but its hot set is 9\.80 GiB \(10525354230 B, tag warmstack:hot-set-bytes\): the warm would evict its own hottest keys\. Use 2 shards of this node type/,
        );
    });

    it("counts every shard of a cluster-mode group", async () => {
        await passes(cacheFitsHotSet, cacheWith(3 * USABLE_PER_SHARD, CLUSTER_MODE));
        const v = await verdicts(cacheFitsHotSet, cacheWith(3 * USABLE_PER_SHARD + 1, CLUSTER_MODE));
        assert.match(v.messages, /holds 29\.41 GiB of data \(3 shard\(s\) × cache\.r7g\.large .*Use 4 shards/);
    });

    it("counts one shard for a group sized by numCacheClusters, whatever numNodeGroups says", async () => {
        const v = await verdicts(cacheFitsHotSet, cacheWith(2 * USABLE_PER_SHARD, { numNodeGroups: 2 }));
        assert.deepEqual(v.found, ["cache-fits-hot-set mandatory cache-redis"]);
    });

    it("leaves a pre-warmed group that does not publish its hot set to an advisory naming the tag", async () => {
        await passes(cacheFitsHotSet, cacheWith(undefined));
        const v = await verdicts([cacheFitsHotSet, unjudgedResources], cacheWith(undefined));
        assert.deepEqual(v.found, ["unjudged-resources advisory cache-redis"]);
        assert.match(
            v.messages,
            /cache-redis does not publish the size of the hot set its CachePrewarm writes \(tag warmstack:hot-set-bytes: top keys × bytes per key\): cache-fits-hot-set cannot tell whether it holds it\. Tag it with that whole number of bytes to be judged/,
        );
        // One nobody warms is cache-prewarmed's to block: nothing to size.
        await passes(
            unjudgedResources,
            cacheWith(undefined).filter((r) => r.type !== TYPES.cachePrewarm),
        );
    });

    it("leaves an unknown node type to an advisory of unjudged-resources", async () => {
        const unknownType = cacheWith(10 * USABLE_PER_SHARD, { nodeType: "cache.x9.huge" });
        const v = await verdicts([cacheFitsHotSet, unjudgedResources], unknownType);
        assert.deepEqual(v.found, ["unjudged-resources advisory cache-redis"]);
    });
});

describe("cache-ha-encrypted on cluster-mode groups", () => {
    it("passes shards of a primary and a replica, encrypted, with failover", () =>
        passes(cacheHaEncrypted, cacheWith(1, CLUSTER_MODE)));

    it("blocks shards without a replica, naming replicasPerNodeGroup", async () => {
        const v = await verdicts(cacheHaEncrypted, cacheWith(1, { ...CLUSTER_MODE, replicasPerNodeGroup: 0 }));
        assert.deepEqual(v.found, ["cache-ha-encrypted mandatory cache-redis"]);
        assert.match(
            v.messages,
            /1 node\(s\) hold each shard's data, 2 are needed .* set replicasPerNodeGroup to 1 or more/,
        );
    });

    it("takes numCacheClusters as the node count when a group gives it, and minNodes from the config", async () => {
        await passes(cacheHaEncrypted, cacheWith(1), { "cache-ha-encrypted": { minNodes: 2 } });
        const v = await verdicts(cacheHaEncrypted, cacheWith(1), { "cache-ha-encrypted": { minNodes: 3 } });
        assert.match(v.messages, /2 node\(s\) hold the data, 3 are needed .* set numCacheClusters to 3 or more/);
        const clustered = await verdicts(cacheHaEncrypted, cacheWith(1, { ...CLUSTER_MODE, replicasPerNodeGroup: 2 }), {
            "cache-ha-encrypted": { minNodes: 3 },
        });
        assert.deepEqual(clustered.found, []);
    });
});
