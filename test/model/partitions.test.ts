// The partitioned warm's plan: the fewest partitions each within its run, and a fan-out bounded by the cache's
// shards and the connections the database has left at the warm's instant.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError } from "../../model/config";
import { estimateWarmSeconds, WARM_KEYS_PER_SECOND, WARM_START_SECONDS } from "../../model/data-warm";
import { fanOut, PARTITION_FILL, splitWarm, type WarmSplit } from "../../model/partitions";
import { plan } from "../../model/plan";
import { configWith, EVENT, NOW } from "./fixtures";

const prewarmOf = (topKeys: number, timeoutSeconds: number) =>
    configWith((r) => Object.assign(r.cache.prewarm, { topKeys, timeoutSeconds })).cache.prewarm;

const split = (topKeys: number, timeoutSeconds: number): WarmSplit => {
    const result = splitWarm(prewarmOf(topKeys, timeoutSeconds));
    assert.ok(result.planned);
    return result.value;
};

describe("partitioned warm plan", () => {
    it("one run when it fits its timeout, to the second; one key more splits it", () => {
        // 30 s to start + 600,000 keys at 20,000 keys/s = 60 s.
        assert.deepEqual(split(600_000, 60), { partitions: 1, keysPerPartition: 600_000, partitionSeconds: 60 });
        // Split, each run is planned to 80 % of 60 s: (48 − 30) × 20,000 = 360,000 keys, so 2 partitions.
        assert.deepEqual(split(600_001, 60), { partitions: 2, keysPerPartition: 300_001, partitionSeconds: 46 });
    });

    it("the fewest partitions, each within its share of the timeout", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 1, max: 2_000_000_000 }),
                fc.integer({ min: 38, max: 870 }),
                (topKeys, timeoutSeconds) => {
                    const s = split(topKeys, timeoutSeconds);
                    assert.ok(s.partitions * s.keysPerPartition >= topKeys);
                    assert.equal(s.partitionSeconds, estimateWarmSeconds(s.keysPerPartition));
                    if (s.partitions === 1) return assert.ok(estimateWarmSeconds(topKeys) <= timeoutSeconds);
                    const keysPerRun = (timeoutSeconds * PARTITION_FILL - WARM_START_SECONDS) * WARM_KEYS_PER_SECOND;
                    assert.ok(s.keysPerPartition <= keysPerRun + 1e-6, "a partition beyond its run");
                    assert.ok(Math.ceil(topKeys / (s.partitions - 1)) > keysPerRun, "one partition fewer would do");
                },
            ),
        );
    });

    it("a timeout too short to hold even a run's start is refused, naming it and what it needs", () => {
        const result = splitWarm(prewarmOf(1_000_000, 37));
        assert.ok(!result.planned);
        assert.deepEqual(result.problems, [
            {
                key: "warmstack:cache.prewarm.timeoutSeconds",
                given: 37,
                allowed:
                    "at least 38 for a warm of 1000000 keys (about 80 s at 20000 keys/s) split into runs: each run " +
                    "takes 30 s to start and is planned to 80 % of the timeout",
            },
        ]);
        assert.throws(
            () =>
                plan(
                    configWith((r) => Object.assign(r.cache.prewarm, { topKeys: 1_000_000, timeoutSeconds: 37 })),
                    { now: NOW },
                ),
            (err: unknown) =>
                err instanceof ConfigError && /cache\.prewarm\.timeoutSeconds.*at least 38/.test(err.message),
        );
    });

    it("at most as many at once as shards, as connections left, as partitions; never fewer than one", () => {
        const six = split(50_000_000, 600);
        assert.equal(six.partitions, 6);
        const db = { budgetPerEndpoint: 450, readerPoolPerReplica: 20 };
        assert.deepEqual(fanOut(six, 3, db, 2), {
            maxConcurrency: 3,
            bounds: { shards: 3, connectionsLeft: 410 },
            waves: 2,
            estimatedSeconds: 2 * six.partitionSeconds,
        });
        assert.equal(fanOut(six, 12, db, 2).maxConcurrency, 6);
        // 22 instances × 20 leave 10 of 450; 22.4 would leave 2: the connections bound.
        assert.equal(fanOut(six, 12, db, 22).bounds.connectionsLeft, 10);
        assert.equal(fanOut(six, 12, { budgetPerEndpoint: 450, readerPoolPerReplica: 112 }, 4).maxConcurrency, 2);
        // Nothing left: one at a time, from the reserve.
        const none = fanOut(six, 12, db, 30);
        assert.deepEqual([none.maxConcurrency, none.bounds.connectionsLeft, none.waves], [1, 0, 6]);
    });

    describe("in the plan", () => {
        const planOf = (patch: (r: Record<string, any>) => void) =>
            plan(
                configWith((r) => {
                    r.event = { ...EVENT };
                    Object.assign(r.cache.prewarm, { topKeys: 50_000_000, avgEntryBytes: 600, ttlSeconds: 7200 });
                    patch(r);
                }),
                { now: NOW },
            );

        it("a 50M-key hot set plans into 6 partitions over its 6 shards, with the connections left at the warm", () => {
            const p = planOf(() => {});
            assert.equal(p.cache.shards, 6);
            const d = p.dataPrewarm;
            assert.deepEqual(
                [d.estimatedSeconds, d.partitions, d.keysPerPartition, d.partitionSeconds],
                [2530, 6, 8_333_334, 447],
            );
            // The warm fires 30 min before the start, after the 45-min ramp: 13 instances × 20 of 450 are taken.
            assert.deepEqual(d.fanOut, {
                maxConcurrency: 6,
                bounds: { shards: 6, connectionsLeft: 450 - 13 * 20 },
                waves: 1,
                estimatedSeconds: 447,
            });
            assert.deepEqual(p.warnings, [], "a partitioned warm is not a warning");
        });

        it("before the ramp the warm meets the baseline; at the peak a tight budget bounds the fan-out", () => {
            // A ramp 20 min before the start: the warm, 30 min before it, meets the 2 baseline instances.
            const early = planOf((r) => (r.event.rampLeadMinutes = 20)).dataPrewarm;
            assert.equal(early.fanOut?.bounds.connectionsLeft, 450 - 2 * 20);
            // maxConnections 292: a budget of 262, 13 × 20 taken at the peak, 2 left: 2 at once, in 3 rounds.
            const tight = planOf((r) => (r.database.maxConnections = 292)).dataPrewarm;
            assert.deepEqual(tight.fanOut, {
                maxConcurrency: 2,
                bounds: { shards: 6, connectionsLeft: 2 },
                waves: 3,
                estimatedSeconds: 3 * 447,
            });
        });

        it("rounds of partitions set the shortest lead: each may run its whole timeout", () => {
            const p = planOf((r) => {
                r.cache.nodeType = "cache.r7g.xlarge"; // 3 shards: 6 partitions in 2 rounds
            });
            assert.equal(p.dataPrewarm.fanOut?.waves, 2);
            assert.throws(
                () =>
                    planOf((r) => {
                        r.cache.nodeType = "cache.r7g.xlarge";
                        r.cache.prewarm.leadMinutes = 19; // 2 × 600 s = 20 min
                    }),
                (err: unknown) =>
                    err instanceof ConfigError &&
                    err.message.includes(
                        "at least 20 (and at most 107 for the TTL): the partitioned warm's 2 round(s) may each run up to " +
                            "cache.prewarm.timeoutSeconds (600 s) and must end before the start",
                    ),
            );
        });

        it("one run suffices: partitions 1 and no fan-out", () => {
            const p = plan(
                configWith(() => {}),
                { now: NOW },
            );
            assert.equal(p.dataPrewarm.partitions, 1);
            assert.equal(p.dataPrewarm.fanOut, undefined);
        });
    });
});
