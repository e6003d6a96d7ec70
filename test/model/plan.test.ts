import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError } from "../../model/config";
import { instancesFor, plan } from "../../model/plan";
import { settle } from "../../policies/shared/numbers";
import { arbConfig, attempt, configWith, EVENT, NOW, runs } from "./fixtures";

describe("readiness plan", () => {
    describe("instance counts (table)", () => {
        const rows: Array<[number, number, number, number, number]> = [
            // rps, rpsPerInstance, headroom, floor → instances
            [1000, 100, 0, 1, 10],
            [1000, 100, 0.25, 1, 13], // 12.5 → 13
            [1200, 400, 0.25, 2, 4], // 3.75 → 4
            [100, 400, 0.25, 2, 2], // floor wins
            [300, 100, 0.1, 1, 4], // 3.3 → 4
            [1000, 100, 0.1, 1, 11], // 11.000000000000002 stays 11
        ];
        for (const [rps, per, headroom, floor, expected] of rows) {
            it(`${rps} rps at ${per}/instance, ${headroom * 100}% headroom, floor ${floor} → ${expected}`, () => {
                assert.equal(instancesFor(rps, per, headroom, floor), expected);
            });
        }
    });

    it("plans the everyday stack: no schedule, pool sized from fractionOfPeak", () => {
        const p = plan(
            configWith(() => undefined),
            { now: NOW },
        );
        // baseline ceil(100×1.25/100)=2 (floor 2), peak ceil(1000×1.25/100)=13
        assert.deepEqual(p.instances, { baseline: 2, peak: 13 });
        assert.deepEqual(p.group, { minSize: 2, maxSize: 13, desiredCapacity: 2 });
        // ceil(0.5 × 13) = 7 ≤ 13 − 2
        assert.deepEqual(p.warmPool, {
            state: "Stopped",
            minSize: 7,
            maxGroupPreparedCapacity: 9,
            reuseOnScaleIn: true,
        });
        assert.deepEqual(p.schedule, []);
        assert.equal(p.event, undefined);
        // replicas ceil(1000/500)=2; budget floor(500×0.9)=450; share floor(450/13)=34 → capped at 20
        assert.deepEqual(p.database, {
            replicas: 2,
            maxConnections: 500,
            budgetPerEndpoint: 450,
            writerPoolPerInstance: 20,
            readerPoolPerReplica: 20,
            readerPoolPerInstance: 40,
        });
        // 100 × 60 / 1.25 = 4800 per minute; hook 2 × 180 = 360 s; agent 360 − 180 (boot) − 60 = 120 s
        assert.deepEqual(p.scaling, {
            requestsPerTargetPerMinute: 4800,
            warmupSeconds: 60,
            launchHookTimeoutSeconds: 360,
            agentDeadlineSeconds: 120,
        });
        assert.deepEqual(p.cache, {
            nodes: 2,
            prewarmKeys: 100_000,
            ttlSeconds: 3600,
            ttlJitter: 0.1,
            minWarmth: 0.95,
            // (1024 + 180) × 1.15 = 1384.6 → 1385 B a key; 13.07 GiB × 0.75 × 0.8 usable on cache.r7g.large
            clusterMode: false,
            shards: 1,
            replicasPerShard: 1,
            bytesPerKey: 1385,
            hotSetBytes: 138_500_000,
            nodeMemoryBytes: 14_033_805_639,
            usableBytesPerShard: 8_420_283_383,
        });
    });

    it("schedules the ramp rampLeadMinutes before the start and the ramp-down cooldownMinutes after the end", () => {
        const p = plan(
            configWith((r) => (r.event = EVENT)),
            { now: NOW },
        );
        assert.deepEqual(p.schedule, [
            { name: "sale-ramp-up", startTime: "2027-11-26T04:15:00Z", minSize: 13, maxSize: 13, desiredCapacity: 13 },
            { name: "sale-ramp-down", startTime: "2027-11-27T06:00:00Z", minSize: 2, maxSize: 13, desiredCapacity: 2 },
        ]);
    });

    it("keeps at least one replica, for the pre-warm to read from, even with no read load", () => {
        assert.equal(
            plan(
                configWith((r) => (r.database.readQps = 0)),
                { now: NOW },
            ).database.replicas,
            1,
        );
        assert.equal(
            plan(
                configWith((r) => {
                    r.database.readQps = 0;
                    r.event = EVENT;
                }),
                { now: NOW },
            ).database.replicas,
            1,
        );
    });

    it("caps the warm pool at max − min", () => {
        const p = plan(
            configWith((r) => (r.compute.warmPool = { fractionOfPeak: 1 })),
            { now: NOW },
        );
        assert.equal(p.warmPool.minSize, 11);
        assert.equal(p.warmPool.maxGroupPreparedCapacity, 13);
    });

    it("rejects a writer budget that cannot hold the peak, saying how many connections are missing", () => {
        // peak 13 × writerMin 2 = 26 connections need ceil(26 / 0.9) = 29
        assert.throws(
            () =>
                plan(
                    configWith((r) => (r.database.maxConnections = 20)),
                    { now: NOW },
                ),
            (err: ConfigError) => {
                assert.match(err.message, /^warmstack config cannot be planned/);
                assert.match(
                    err.message,
                    /writer: 13 instances at peak × 2 connections need maxConnections ≥ 29 with 10% reserve \(9 missing/,
                );
                return true;
            },
        );
        assert.doesNotThrow(() =>
            plan(
                configWith((r) => {
                    r.database.maxConnections = 29;
                    r.database.pool = { readerMin: 2 };
                }),
                { now: NOW },
            ),
        );
    });

    it("rejects a reader budget that cannot hold the peak, saying how many replicas are missing", () => {
        // budget floor(45×0.9)=40, share floor(40/13)=3 per replica; readerMin 12 needs 4 replicas, planned 2
        const config = configWith((r) => {
            r.database.maxConnections = 45;
            r.database.pool = { readerMin: 12, writerMin: 1, max: 20 };
        });
        assert.throws(
            () => plan(config, { now: NOW }),
            /readers: 13 instances at peak × 12 reader connections over 2 replica\(s\) need maxConnections ≥ 87 .*or 2 more replica\(s\)/,
        );
    });

    it("rejects a ramp lead shorter than a cold boot plus warm-up", () => {
        const config = configWith((r) => {
            r.event = { ...EVENT, rampLeadMinutes: 3 };
            r.compute.bootSeconds = 240;
        });
        assert.throws(
            () => plan(config, { now: NOW }),
            (err: Error) => {
                // Headed by what it is: a config the plan cannot work with, not a claim about the peak.
                assert.match(err.message, /^warmstack config cannot be planned \(1 problem\):\n/);
                assert.doesNotMatch(err.message, /peak/);
                assert.match(
                    err.message,
                    /warmstack:event\.rampLeadMinutes: at least 5: .*\(300 s\) before the event starts; given 3/,
                );
                return true;
            },
        );
    });

    it("gives the agent what the launch hook leaves after the boot, and rejects a boot that leaves it too little", () => {
        // The hook's 300 s floor: 300 − 150 − 60 = 90; its 7200 s ceiling: 7200 − 7050 − 60 = 90
        assert.equal(
            plan(
                configWith((r) => (r.compute.bootSeconds = 150)),
                { now: NOW },
            ).scaling.agentDeadlineSeconds,
            90,
        );
        assert.equal(
            plan(
                configWith((r) => (r.compute.bootSeconds = 7050)),
                { now: NOW },
            ).scaling.agentDeadlineSeconds,
            90,
        );
        assert.throws(
            () =>
                plan(
                    configWith((r) => (r.compute.bootSeconds = 7051)),
                    { now: NOW },
                ),
            /warmstack:compute\.bootSeconds: at most 7050: the launch hook holds an instance at most 7200 s from launch, .*; given 7051/,
        );
    });

    describe("rounding boundaries: each rounds the safe way, whole numbers exactly, float noise dropped", () => {
        const planWith = (patch: (raw: Record<string, any>) => void) => plan(configWith(patch), { now: NOW });

        it("a ramp lead for a need of 5.5 minutes: 5 refused, 6 accepted (boot 270 s + warm-up 60 s)", () => {
            const lead = (rampLeadMinutes: number) => (r: Record<string, any>) => {
                r.event = { ...EVENT, rampLeadMinutes };
                r.compute.bootSeconds = 270;
            };
            assert.throws(
                () => planWith(lead(5)),
                /warmstack:event\.rampLeadMinutes: at least 6: .*\(330 s\).*; given 5/,
            );
            assert.doesNotThrow(() => planWith(lead(6)));
            // A whole need is met exactly: 240 + 60 = 300 s takes 5 minutes, not 6.
            assert.doesNotThrow(() =>
                planWith((r) => {
                    lead(5)(r);
                    r.compute.bootSeconds = 240;
                }),
            );
        });

        it("the warm pool rounds fractionOfPeak × peak up, but not for float noise (0.14 × 100 = 14.000000000000002)", () => {
            // peak ceil(800 × 1.25 / 10) = 100; baseline ceil(100 × 1.25 / 10) = 13
            const pool = (fractionOfPeak: number) =>
                planWith((r) => {
                    r.traffic = { baselineRps: 100, peakRps: 800, rpsPerInstance: 10 };
                    r.database.maxConnections = 5000;
                    r.compute.warmPool = { fractionOfPeak };
                }).warmPool.minSize;
            assert.equal(pool(0.14), 14);
            assert.equal(pool(0.141), 15);
        });

        it("replicas round up past a whole number of replicas' load, and not for float noise", () => {
            assert.equal(planWith((r) => (r.database.readQps = 1000)).database.replicas, 2);
            assert.equal(planWith((r) => (r.database.readQps = 1001)).database.replicas, 3);
            // 4.2 / 0.6 = 7.000000000000001 in floating point: 7 replicas, not 8
            const replicas = planWith((r) => {
                r.database.readQps = 4.2;
                r.database.readQpsPerReplica = 0.6;
                r.database.maxConnections = 5000;
            }).database.replicas;
            assert.equal(replicas, 7);
        });

        it("the connection budget rounds down, but 500 × (1 − 0.9) is 50, not 49", () => {
            // 1 − 0.9 = 0.09999999999999998, × 500 = 49.999999999999986 in floating point
            const budget = (maxConnections: number) =>
                planWith((r) => {
                    r.database.maxConnections = maxConnections;
                    r.database.connectionReserve = 0.9;
                    r.database.pool = { writerMin: 1, readerMin: 1 };
                }).database.budgetPerEndpoint;
            assert.equal(budget(500), 50);
            assert.equal(budget(509), 50); // 50.9
        });

        it("the scaling target rounds down, but 110 × 60 / 1.1 is 6000, not 5999", () => {
            // 6600 / 1.1 = 5999.999999999999 in floating point
            const target = (rpsPerInstance: number, headroom: number) =>
                planWith((r) => {
                    r.traffic = { baselineRps: 100, peakRps: 1000, rpsPerInstance, headroom };
                }).scaling.requestsPerTargetPerMinute;
            assert.equal(target(110, 0.1), 6000);
            assert.equal(target(100, 0.3), 4615); // 4615.38…
        });
    });

    describe("what a refused or warned plan says, word for word", () => {
        const problemsOf = (patch: (raw: Record<string, any>) => void) => {
            try {
                plan(configWith(patch), { now: NOW });
            } catch (err) {
                assert.ok(err instanceof ConfigError, String(err));
                return err.problems.map((p) => `${p.key}: ${p.allowed}`);
            }
            assert.fail("the plan was accepted");
        };

        it("a reader budget short by connections says how many, and how many more replicas would do instead", () => {
            // budget floor(45 × 0.9) = 40, share floor(40 / 13) = 3 per replica; readerMin 12 needs 4 replicas
            assert.deepEqual(
                problemsOf((r) => {
                    r.database.maxConnections = 45;
                    r.database.pool = { readerMin: 12, writerMin: 1, max: 20 };
                }),
                [
                    "warmstack:database.maxConnections: readers: 13 instances at peak × 12 reader connections over 2 " +
                        "replica(s) need maxConnections ≥ 87 with 10% reserve (42 missing), or 2 more replica(s) " +
                        "(lower database.readQpsPerReplica)",
                ],
            );
        });

        it("a budget too small for one connection per instance: no number of replicas would do", () => {
            // budget floor(10 × 0.9) = 9 over 13 instances: a share of 0
            assert.deepEqual(
                problemsOf((r) => {
                    r.database.maxConnections = 10;
                    r.database.pool = { readerMin: 2, writerMin: 1, max: 20 };
                }),
                [
                    "warmstack:database.maxConnections: writer: 13 instances at peak × 1 connections need " +
                        "maxConnections ≥ 15 with 10% reserve (5 missing; the budget is 9)",
                    "warmstack:database.maxConnections: readers: 13 instances at peak × 2 reader connections over 2 " +
                        "replica(s) need maxConnections ≥ 15 with 10% reserve (5 missing)",
                ],
            );
        });

        it("a boot the launch hook cannot wait for", () => {
            assert.deepEqual(
                problemsOf((r) => (r.compute.bootSeconds = 7051)),
                [
                    "warmstack:compute.bootSeconds: at most 7050: the launch hook holds an instance at most 7200 s " +
                        "from launch, and the agent needs 90 s after the boot plus 60 s to send ABANDON",
                ],
            );
        });

        it("deploy-by leaves the new replicas' 40 minutes and the warm pool's boot and agent deadline", () => {
            const deployBy = (bootSeconds: number) =>
                plan(
                    configWith((r) => {
                        r.event = EVENT;
                        r.compute.bootSeconds = bootSeconds;
                    }),
                    { now: NOW },
                ).timeline!.deployBy;
            // EVENT's ramp (45 min) comes before its data warm (30 min): 04:15.
            // boot 180 s: hook 360 s, agent 120 s, 40 + 5 = 45 min < 60: the allowance holds, 03:15.
            assert.equal(deployBy(180), "2027-11-26T03:15:00Z");
            // boot 900 s: hook 1800 s, agent 840 s, 40 + 29 = 69 min: 03:06.
            assert.equal(deployBy(900), "2027-11-26T03:06:00Z");
        });

        it("a cache warm that needs its whole timeout is one run; one more second is partitioned, not warned about", () => {
            // 30 s to start + 600,000 keys at 20,000 keys/s = 60 s
            const planOf = (topKeys: number) =>
                plan(
                    configWith((r) => {
                        r.cache.prewarm.topKeys = topKeys;
                        r.cache.prewarm.timeoutSeconds = 60;
                    }),
                    { now: NOW },
                );
            assert.deepEqual([planOf(600_000).warnings, planOf(600_000).dataPrewarm.partitions], [[], 1]);
            assert.deepEqual([planOf(600_001).warnings, planOf(600_001).dataPrewarm.partitions], [[], 2]);
        });

        it("a warm pool of none says why: here, a fraction of 0", () => {
            const pool = plan(
                configWith((r) => (r.compute.warmPool = { fractionOfPeak: 0 })),
                { now: NOW },
            ).warmPool;
            assert.equal(pool.minSize, 0);
            assert.equal(pool.reason, "compute.warmPool.fractionOfPeak is 0");
        });

        it("deploys the warmer function for the lambda mode even without an event", () => {
            const p = plan(
                configWith((r) => (r.cache.prewarm.mode = "lambda")),
                { now: NOW },
            );
            assert.equal(p.event, undefined);
            assert.equal(p.dataPrewarm.warmerFunction, true);
        });
    });

    describe("invariants (property tests)", () => {
        it("the connection budget always holds on every endpoint at peak", () => {
            fc.assert(
                fc.property(arbConfig, (config) => {
                    const p = attempt(config);
                    if (p instanceof ConfigError) return;
                    // Settled as the plan settles it: a reserve of 5.6e-17 must not make 1 connection over budget.
                    const budget = settle(config.database.maxConnections * (1 - config.database.connectionReserve));
                    assert.ok(p.instances.peak * p.database.writerPoolPerInstance <= budget);
                    assert.ok(p.instances.peak * p.database.readerPoolPerReplica <= budget);
                    assert.ok(p.database.writerPoolPerInstance >= config.database.pool.writerMin);
                    assert.ok(p.database.readerPoolPerInstance >= config.database.pool.readerMin);
                    assert.ok(p.database.writerPoolPerInstance <= config.database.pool.max);
                }),
                { numRuns: runs(2000) },
            );
        });

        it("a rejected budget names a maxConnections that then holds the peak", () => {
            fc.assert(
                fc.property(arbConfig, (config) => {
                    const p = attempt(config);
                    if (!(p instanceof ConfigError)) return;
                    const needed = Math.max(
                        ...Array.from(p.message.matchAll(/maxConnections ≥ (\d+)/g), (m) => Number(m[1])),
                        0,
                    );
                    if (needed === 0) return; // only the ramp was rejected
                    const fixed = attempt({ ...config, database: { ...config.database, maxConnections: needed } });
                    assert.ok(
                        !(fixed instanceof ConfigError) || !/maxConnections/.test(fixed.message),
                        `${needed} is still not enough:\n${fixed instanceof ConfigError ? fixed.message : ""}`,
                    );
                }),
                { numRuns: runs(2000) },
            );
        });

        it("the ramp always starts rampLeadMinutes before the event and ends cooldownMinutes after it", () => {
            fc.assert(
                fc.property(arbConfig, (config) => {
                    const p = attempt(config);
                    if (p instanceof ConfigError || !config.event) return;
                    if (p.instances.peak === p.instances.baseline) return assert.deepEqual(p.schedule, []);
                    const [up, down] = p.schedule;
                    assert.ok(
                        Date.parse(up.startTime) <=
                            Date.parse(config.event.start) - config.event.rampLeadMinutes * 60_000,
                    );
                    // Whole seconds: the ramp-down never comes before end + cooldown, nor a second after it.
                    const scaleDown = Date.parse(config.event.end) + config.event.cooldownMinutes * 60_000;
                    const downAt = Date.parse(down.startTime);
                    assert.ok(downAt >= scaleDown && downAt < scaleDown + 1000, down.startTime);
                    assert.equal(up.desiredCapacity, p.instances.peak);
                    assert.equal(down.desiredCapacity, p.instances.baseline);
                }),
                { numRuns: runs(1000) },
            );
        });

        it("the agent always gets at least 90 s after the boot, and answers a minute before the launch hook times out", () => {
            // The deadline depends on bootSeconds alone: range over it, beyond the hook's 7200 s ceiling too.
            fc.assert(
                fc.property(fc.integer({ min: 1, max: 10_000 }), (bootSeconds) => {
                    const p = attempt(configWith((r) => (r.compute.bootSeconds = bootSeconds)));
                    if (p instanceof ConfigError) return assert.ok(bootSeconds > 7050, p.message);
                    assert.ok(
                        p.scaling.agentDeadlineSeconds >= 90,
                        `${p.scaling.agentDeadlineSeconds} s for bootSeconds ${bootSeconds}`,
                    );
                    assert.equal(bootSeconds + p.scaling.agentDeadlineSeconds + 60, p.scaling.launchHookTimeoutSeconds);
                }),
                { numRuns: runs(2000) },
            );
        });

        it("the warm pool never exceeds max − min, and peak capacity covers peak traffic with headroom", () => {
            fc.assert(
                fc.property(arbConfig, (config) => {
                    const p = attempt(config);
                    if (p instanceof ConfigError) return;
                    const { baseline, peak } = p.instances;
                    assert.ok(p.warmPool.minSize >= 0 && p.warmPool.minSize <= peak - baseline);
                    assert.ok(p.warmPool.maxGroupPreparedCapacity <= peak);
                    assert.ok(p.group.minSize <= p.group.desiredCapacity && p.group.desiredCapacity <= p.group.maxSize);
                    const { peakRps, rpsPerInstance, headroom } = config.traffic;
                    assert.ok(p.instances.peak * rpsPerInstance >= peakRps * (1 + headroom) - 1e-6);
                    assert.ok(p.database.replicas * config.database.readQpsPerReplica >= config.database.readQps);
                    assert.ok(p.database.replicas >= 1);
                }),
                { numRuns: runs(2000) },
            );
        });
    });
});
