// Cache sizing: the bytes a warmed key takes, calibrated against a real redis-server, and the shards that hold
// the hot set with the headroom, within ElastiCache's limits.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import Redis from "ioredis";
import { MAX_NODES, MAX_SHARDS, RESERVED_MEMORY, sizeCache } from "../../model/cache-sizing";
import { redisBytesPerKey, REDIS_KEY_OVERHEAD_BYTES } from "../../model/redis-memory";
import { ConfigError } from "../../model/config";
import { NODE_MEMORY_GIB } from "../../policies/shared/node-memory";
import { plan } from "../../model/plan";
import { RedisServer, startRedis, startRedisCluster } from "../../warmers/local/servers";
import { arbConfig, attempt, configWith, NOW, runs } from "./fixtures";

const GIB = 1024 ** 3;
/** Just past 2^16: the hash tables have just doubled, the most bucket memory per key they ever hold. */
const KEYS = 70_000;
const VALUE_BYTES = [1, 100, 600, 1000, 4000];

/** used_memory per key for KEYS fresh keys of `prefix` + 7 digits, each with a TTL as the warm writes them. */
async function measuredBytesPerKey(redis: Redis, prefix: string, valueBytes: number): Promise<number> {
    const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))![1]);
    await redis.flushall();
    const before = await used();
    // Written by the server itself: one round trip, whatever the machine's load.
    await redis.eval(
        "local v = string.rep('x', tonumber(ARGV[3])) " +
            "for i = 1, tonumber(ARGV[2]) do redis.call('SET', ARGV[1] .. string.format('%07d', i), v, 'EX', 3600) end",
        0,
        prefix,
        KEYS,
        valueBytes,
    );
    return ((await used()) - before) / KEYS;
}

describe("cache sizing", () => {
    describe(`bytes per key, calibrated: (entry + ${REDIS_KEY_OVERHEAD_BYTES} B) × 1.15`, () => {
        let server: RedisServer;
        let redis: Redis;
        before(async () => {
            server = await startRedis();
            redis = new Redis(server.port, server.host, { maxRetriesPerRequest: 1 });
        });
        after(async () => {
            redis?.disconnect();
            await server?.stop();
        });

        for (const valueBytes of VALUE_BYTES) {
            const entry = "product:".length + 7 + valueBytes;
            it(`covers what Redis takes for a ${entry} B entry with a TTL, without doubling it`, async () => {
                const measured = await measuredBytesPerKey(redis, "product:", valueBytes);
                const model = redisBytesPerKey(entry);
                assert.ok(model >= measured, `model ${model} B < measured ${measured.toFixed(1)} B`);
                assert.ok(model <= measured * 1.35, `model ${model} B ≫ measured ${measured.toFixed(1)} B`);
                // Redis's own per-key figure (no hash-table share) stays under the model too.
                const usage = Number(await redis.call("MEMORY", "USAGE", "product:0000001"));
                assert.ok(usage < model, `MEMORY USAGE ${usage} B ≥ model ${model} B`);
            });
        }

        it("covers a cluster node too, whose keys also carry their slot's bookkeeping", async function () {
            this.timeout(120_000);
            const cluster = await startRedisCluster({ primaries: 3 });
            try {
                // Every key shares the hash tag {h}, so one node holds them all: find it by writing.
                for (const node of cluster.nodes) {
                    const client = new Redis(node.port, node.host, { maxRetriesPerRequest: 0 });
                    try {
                        if ((await client.set("{h}probe", "1").catch(() => "MOVED")) !== "OK") continue;
                        for (const valueBytes of [1, 600, 4000]) {
                            const entry = "{h}product:".length + 7 + valueBytes;
                            const measured = await measuredBytesPerKey(client, "{h}product:", valueBytes);
                            assert.ok(
                                redisBytesPerKey(entry) >= measured,
                                `${entry} B: model ${redisBytesPerKey(entry)} < ${measured}`,
                            );
                        }
                        return;
                    } finally {
                        client.disconnect();
                    }
                }
                assert.fail("no node took the key");
            } finally {
                await cluster.stop();
            }
        });
    });

    it("keeps one shard when the hot set fits: today's replication group", () => {
        const p = plan(
            configWith(() => undefined),
            { now: NOW },
        );
        assert.equal(p.cache.shards, 1);
        assert.equal(p.cache.clusterMode, false);
        assert.equal(p.cache.nodes, 2);
    });

    it("50M entries of 600 B on cache.r7g.large: cluster mode with 6 shards", () => {
        const p = plan(
            configWith((r) => {
                r.cache.prewarm.topKeys = 50_000_000;
                r.cache.prewarm.avgEntryBytes = 600;
                r.cache.prewarm.leadMinutes = 45; // the warm: 2530 s
                r.cache.replicas = 2;
            }),
            { now: NOW },
        );
        // (600 + 180) × 1.15 = 897 B; 44.85 GB over 13.07 GiB × 0.75 × 0.8 = 8.42 GB usable: 5.3 → 6
        assert.equal(p.cache.bytesPerKey, 897);
        assert.equal(p.cache.hotSetBytes, 44_850_000_000);
        assert.equal(p.cache.usableBytesPerShard, 8_420_283_383);
        assert.equal(p.cache.shards, 6);
        assert.equal(p.cache.clusterMode, true);
        assert.equal(p.cache.replicasPerShard, 2);
        assert.equal(p.cache.nodes, 18);
    });

    it("takes cache.nodeMemoryGiB for a node type the table does not list, and asks for it otherwise", () => {
        const sized = sizeCache(
            configWith((r) => {
                r.cache.nodeType = "cache.x9.huge";
                r.cache.nodeMemoryGiB = 1;
            }).cache,
        );
        assert.ok(sized.planned);
        assert.equal(sized.value.nodeMemoryBytes, GIB);
        assert.throws(
            () =>
                plan(
                    configWith((r) => (r.cache.nodeType = "cache.x9.huge")),
                    { now: NOW },
                ),
            /warmstack:cache\.nodeMemoryGiB: required for cache\.nodeType "cache\.x9\.huge", which the node table \(policies\/shared\/node-memory\.ts, 2026-12-02\) does not list: the node's memory in GiB; given nothing/,
        );
    });

    it("rejects more shards than ElastiCache allows, naming the numbers", () => {
        const tooBig = configWith((r) => {
            r.cache.prewarm.topKeys = 50_000_000;
            r.cache.prewarm.avgEntryBytes = 100_000;
            r.cache.prewarm.leadMinutes = 45;
        });
        const refused = attempt(tooBig);
        assert.ok(refused instanceof ConfigError);
        assert.deepEqual(
            refused.problems.map((p) => p.key),
            ["warmstack:cache.nodeType"],
            "the cache's one problem, no cost problem beside it",
        );
        // 50M × (100,000 + 180) × 1.15 = 5.76 TB over 8.42 GB usable a node: 685 shards
        assert.throws(
            () =>
                plan(
                    configWith((r) => {
                        r.cache.prewarm.topKeys = 50_000_000;
                        r.cache.prewarm.avgEntryBytes = 100_000;
                        r.cache.prewarm.leadMinutes = 45;
                    }),
                    { now: NOW },
                ),
            new RegExp(
                "warmstack:cache\\.nodeType: a larger node type: the hot set \\(50000000 keys × 115207 B = 5364\\.74 GiB\\) " +
                    `needs 685 shards of 7\\.84 GiB usable, and ElastiCache allows at most ${MAX_SHARDS} shards; given "cache\\.r7g\\.large"`,
            ),
        );
    });

    it("rejects more nodes than ElastiCache allows, with the replicas that would fit", () => {
        // 200 shards × (1 + 2) = 600 nodes > 500: at most 1 replica each.
        const cache = configWith((r) => {
            r.cache.nodeMemoryGiB = 1;
            r.cache.nodeType = "cache.custom";
            r.cache.headroom = 0;
            r.cache.replicas = 2;
            r.cache.prewarm.avgEntryBytes = 1000;
            r.cache.prewarm.topKeys = 100_000_000;
        }).cache;
        const sized = sizeCache(cache);
        assert.ok(!sized.planned);
        assert.equal(sized.problems[0].key, "warmstack:cache.replicas");
        assert.match(
            sized.problems[0].allowed,
            /^at most 1, or a larger cache\.nodeType: .*needs 169 shards .*× 3 nodes each = 507, and ElastiCache allows at most 500 nodes/,
        );
    });

    describe("ElastiCache's limits, at their edges", () => {
        /** A cache whose hot set needs exactly `shards` shards of a 1 GiB node, with `replicas` each. */
        function cacheOf(shards: number, replicas: number) {
            const base = configWith((r) => {
                r.cache.nodeMemoryGiB = 1;
                r.cache.nodeType = "cache.custom";
                r.cache.headroom = 0;
                r.cache.replicas = replicas;
                r.cache.prewarm.avgEntryBytes = 1000;
            }).cache;
            const perShard = Math.floor((GIB * (1 - RESERVED_MEMORY)) / redisBytesPerKey(1000));
            return { ...base, prewarm: { ...base.prewarm, topKeys: perShard * shards } };
        }
        const nodesMessage = (shards: number) =>
            new RegExp(
                `^a larger node type: .* needs ${shards} shards of .*, each with at least 1 replica, and ElastiCache ` +
                    `allows at most ${MAX_NODES} nodes$`,
            );

        it(`${MAX_NODES / 2} shards with 1 replica each, ${MAX_NODES} nodes: accepted`, () => {
            const sized = sizeCache(cacheOf(MAX_NODES / 2, 1));
            assert.ok(sized.planned, JSON.stringify(sized));
            assert.equal(sized.value.shards, MAX_NODES / 2);
            assert.equal(sized.value.nodes, MAX_NODES);
        });

        it(`${MAX_NODES / 2 + 1} shards: no room for a replica each, so a larger node type`, () => {
            const sized = sizeCache(cacheOf(MAX_NODES / 2 + 1, 1));
            assert.ok(!sized.planned);
            assert.equal(sized.problems.length, 1);
            assert.equal(sized.problems[0].key, "warmstack:cache.nodeType");
            assert.equal(sized.problems[0].given, "cache.custom");
            assert.match(sized.problems[0].allowed, nodesMessage(MAX_NODES / 2 + 1));
        });

        it(`${MAX_SHARDS} shards is within the shard limit (the node limit is what refuses it); ${MAX_SHARDS + 1} is not`, () => {
            const atLimit = sizeCache(cacheOf(MAX_SHARDS, 1));
            assert.ok(!atLimit.planned);
            assert.match(atLimit.problems[0].allowed, nodesMessage(MAX_SHARDS));
            const over = sizeCache(cacheOf(MAX_SHARDS + 1, 1));
            assert.ok(!over.planned);
            assert.match(
                over.problems[0].allowed,
                new RegExp(
                    `needs ${MAX_SHARDS + 1} shards of .*, and ElastiCache allows at most ${MAX_SHARDS} shards$`,
                ),
            );
        });
    });

    describe("invariants (property tests)", () => {
        it("the planned shards hold the hot set with the headroom, as few as do; one shard when it fits", () => {
            fc.assert(
                fc.property(arbConfig, (config) => {
                    const p = attempt(config);
                    if (p instanceof ConfigError) return;
                    const { cache } = p;
                    const gib = config.cache.nodeMemoryGiB ?? NODE_MEMORY_GIB[config.cache.nodeType];
                    const usable = gib * GIB * (1 - RESERVED_MEMORY) * (1 - config.cache.headroom);
                    assert.ok(cache.usableBytesPerShard <= usable);
                    assert.ok(cache.shards * cache.usableBytesPerShard >= cache.hotSetBytes);
                    if (cache.shards > 1) assert.ok((cache.shards - 1) * cache.usableBytesPerShard < cache.hotSetBytes);
                    assert.equal(cache.shards === 1, cache.hotSetBytes <= cache.usableBytesPerShard);
                    assert.equal(cache.clusterMode, cache.shards > 1);
                    assert.equal(
                        cache.hotSetBytes,
                        config.cache.prewarm.topKeys * redisBytesPerKey(config.cache.prewarm.avgEntryBytes),
                    );
                    assert.ok(cache.shards <= MAX_SHARDS && cache.nodes <= MAX_NODES);
                    assert.equal(cache.nodes, cache.shards * (1 + cache.replicasPerShard));
                }),
                { numRuns: runs(2000) },
            );
        });
    });
});
