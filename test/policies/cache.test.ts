// The cache policies (policies/cache.ts), one describe per policy: on the shapes the program registers, then
// on caches built by hand — cluster mode, single nodes, RBAC, unknown node types — with the full wording a
// blocked user reads.
import { strict as assert } from "node:assert";
import { cacheHaEncrypted, cachePrewarmed, cacheFitsHotSet, nodeMemoryBytes } from "../../policies/cache";
import { TYPES } from "../../policies/shared/contract";
import { unjudgedResources } from "../../policies/unjudged";
import { single, withProps, without, prewarm, replicationGroup, resource } from "./fixtures";
import { cachePrewarm, edited, EngineResource, one, UNKNOWN } from "./harness";
import { programShapes, shapePasses, shapeVerdicts } from "./shapes";
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

// The committed blackfriday and launch stacks' resources under mocks, the cache left cold (see shapes.ts).
let bf: EngineResource[];
before(async function () {
    this.timeout(180_000); // two runs of the program under mocks, slow on a busy machine
    ({ bf } = await programShapes());
});

describe("cache-ha-encrypted", () => {
    describe("on the program's resource shapes", () => {
        it("passes the program's group, whose generated auth token is still unknown at preview", async () => {
            await shapePasses(cacheHaEncrypted, bf);
            await shapePasses(
                cacheHaEncrypted,
                edited(bf, TYPES.replicationGroup, (p) => {
                    p.authToken = UNKNOWN;
                }),
            );
        });
        it("lists every missing safeguard in one message", async () => {
            const v = await shapeVerdicts(
                cacheHaEncrypted,
                edited(bf, TYPES.replicationGroup, (p) => {
                    p.automaticFailoverEnabled = false;
                    p.numCacheClusters = 1;
                    p.transitEncryptionEnabled = false;
                    delete p.atRestEncryptionEnabled;
                    delete p.authToken;
                }),
            );
            assert.deepEqual(v.found, ["cache-ha-encrypted mandatory cache-redis"]);
            for (const finding of [
                /automatic failover is off/,
                /1 node\(s\) hold the data, 3 are needed/,
                /traffic to the cache is unencrypted/,
                /unencrypted on disk/,
                /anyone who reaches the port/,
            ]) {
                assert.match(v.messages, finding);
            }
        });
    });

    describe("at its edges", () => {
        it("cache-ha-encrypted tells a blocked user each fix in full: failover, node count, auth", async () => {
            const cache = without(
                replicationGroup({ automaticFailoverEnabled: false, numCacheClusters: 1, numNodeGroups: 2 }),
                "authToken",
            );
            const v = await verdicts(cacheHaEncrypted, [cache]);
            assert.deepEqual(v.found, ["cache-ha-encrypted mandatory cache-redis"]);
            assert.ok(
                v.messages.endsWith(
                    [
                        "cache-redis:",
                        "  - automatic failover is off: losing the primary drops the cache until a node is replaced " +
                            "— set automaticFailoverEnabled (and multiAzEnabled) to true",
                        // numCacheClusters given: one shard, whatever numNodeGroups says.
                        "  - 1 node(s) hold the data, 2 are needed so a replica can take over — set numCacheClusters " +
                            "to 2 or more (warmstack: cache.replicas)",
                        "  - anyone who reaches the port can read or flush the cache — set an authToken (from a " +
                            "secret) or RBAC userGroupIds",
                    ].join("\n"),
                ),
                v.messages,
            );
        });
        it("cache-ha-encrypted counts one node per shard in cluster mode when replicasPerNodeGroup is left to AWS", async () => {
            const cache = without(replicationGroup({ numNodeGroups: 2 }), "numCacheClusters");
            const v = await verdicts(cacheHaEncrypted, [cache]);
            assert.deepEqual(v.found, ["cache-ha-encrypted mandatory cache-redis"]);
            assert.match(
                v.messages,
                /1 node\(s\) hold each shard's data, 2 are needed so a replica can take over — set replicasPerNodeGroup to 1 or more \(warmstack: cache\.replicas\)/,
            );
        });
        it("cache-ha-encrypted accepts RBAC userGroupIds in place of an auth token", async () => {
            await passes(cacheHaEncrypted, [
                withProps(without(replicationGroup(), "authToken"), { userGroupIds: ["app-users"] }),
            ]);
        });
        it("cache-ha-encrypted tells a single node what it lacks, and does not call it unencrypted when it has TLS", async () => {
            const v = await verdicts(cacheHaEncrypted, [single({ transitEncryptionEnabled: true })]);
            assert.deepEqual(v.found, ["cache-ha-encrypted mandatory cache-single"]);
            assert.ok(
                v.messages.endsWith(
                    [
                        "cache-single:",
                        "  - it is a single node: no replica takes over when it fails, and nothing fails over " +
                            "automatically — deploy an aws.elasticache.ReplicationGroup with automatic failover and a " +
                            "replica instead",
                        "  - a single-node cluster has no at-rest encryption and no auth token: anyone who reaches the " +
                            "port can read or flush it — a replication group has both (atRestEncryptionEnabled, authToken)",
                    ].join("\n"),
                ),
                v.messages,
            );
        });
        it("leaves a cluster member that names its engine to its replication group", async () => {
            await passes(
                [cacheHaEncrypted, cachePrewarmed],
                [single({ replicationGroupId: "cache-redis-1234", engine: "redis" })],
            );
        });
        it("cache-ha-encrypted does not take a serverless or MemoryDB cache for a single-node cluster", async () => {
            await passes(cacheHaEncrypted, [
                resource("aws:elasticache/serverlessCache:ServerlessCache", "edge-cache", { engine: "valkey" }),
                resource("aws:memorydb/cluster:Cluster", "sessions", { engine: "redis", nodeType: "db.r7g.large" }),
            ]);
        });
    });

    describe("on cluster-mode groups", () => {
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
            const clustered = await verdicts(
                cacheHaEncrypted,
                cacheWith(1, { ...CLUSTER_MODE, replicasPerNodeGroup: 2 }),
                {
                    "cache-ha-encrypted": { minNodes: 3 },
                },
            );
            assert.deepEqual(clustered.found, []);
        });
    });
});

describe("cache-prewarmed", () => {
    describe("on the program's resource shapes", () => {
        it("blocks a cache that no CachePrewarm fills", async () => {
            const v = await shapeVerdicts(cachePrewarmed, bf);
            assert.deepEqual(v.found, ["cache-prewarmed mandatory cache-redis"]);
            assert.match(
                v.messages,
                /cache-redis is not the target of any CachePrewarm: it opens empty.*Add a CachePrewarm with replicationGroupId: cache-redis\.id/,
            );
        });
        it("passes when a CachePrewarm targets the group through its replicationGroupId dependency", async () => {
            await shapePasses(cachePrewarmed, [...bf, cachePrewarm(one(bf, TYPES.replicationGroup), "dependency")]);
        });
        it("passes when a CachePrewarm names the group's id literally", async () => {
            const named = edited(bf, TYPES.replicationGroup, (p) => {
                p.replicationGroupId = "warmstack-bf-cache";
            });
            await shapePasses(cachePrewarmed, [...named, cachePrewarm(one(named, TYPES.replicationGroup), "value")]);
        });
        it("does not count a CachePrewarm that targets another group", async () => {
            const other = cachePrewarm(one(bf, TYPES.replicationGroup), "value");
            other.inputs.replicationGroupId = other.outputs.replicationGroupId = "some-other-group";
            assert.deepEqual((await shapeVerdicts(cachePrewarmed, [...bf, other])).found, [
                "cache-prewarmed mandatory cache-redis",
            ]);
        });
    });

    describe("at its edges", () => {
        it("cache-prewarmed says how to add the CachePrewarm, to its last words", async () => {
            const v = await verdicts(cachePrewarmed, [replicationGroup()]);
            assert.match(
                v.messages,
                /Add a CachePrewarm with replicationGroupId: cache-redis\.id \(and redisHost: its primary endpoint\), created after the database replicas\.$/,
            );
        });
    });
});

describe("cache-fits-hot-set", () => {
    describe("sizing", () => {
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

    describe("at its edges", () => {
        it("cache-fits-hot-set judges only a cache a warm fills", async () => {
            const [cache] = cacheWith(100 * USABLE_PER_SHARD);
            await passes(cacheFitsHotSet, [cache]);
        });
        it("cache-fits-hot-set leaves an untagged cache to unjudged-resources, and says every way to make it fit", async () => {
            const untagged = replicationGroup({ tags: {} });
            await passes(cacheFitsHotSet, [untagged, prewarm(untagged)]);
            const advised = await verdicts(unjudgedResources, [untagged, prewarm(untagged)]);
            assert.match(
                advised.messages,
                /Tag it with that whole number of bytes to be judged \(see the policy contract\), or check by hand that the node memory × shards, less 25 % reserved, holds it\.$/,
            );
            const big = replicationGroup({ tags: { "warmstack:hot-set-bytes": String(20 * 1024 ** 3) } });
            const tooBig = await verdicts(cacheFitsHotSet, [big, prewarm(big)]);
            assert.match(
                tooBig.messages,
                /Use 3 shards of this node type \(cluster mode: numNodeGroups\), a larger node type \(warmstack: cache\.nodeType\), or warm fewer keys \(cache\.prewarm\.topKeys\)\.$/,
            );
        });
        it("nodeMemoryBytes reads a node type only from a string", () => {
            assert.equal(nodeMemoryBytes(["cache.r7g.large"]), undefined);
            assert.equal(nodeMemoryBytes(undefined), undefined);
        });
    });
});
