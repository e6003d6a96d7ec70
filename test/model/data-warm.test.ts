// The scheduled data warm's lead: long enough for the warm, short enough that what it writes outlives the start.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError } from "../../model/config";
import {
    DEFAULT_LEAD_MINUTES,
    estimateWarmSeconds,
    longestLeadMinutes,
    WARM_KEYS_PER_SECOND,
} from "../../model/data-warm";
import { plan } from "../../model/plan";
import { jitteredTtl } from "../../warmers/engine/sink";
import { arbConfig, attempt, configWith, EVENT, NOW, runs } from "./fixtures";

const planWith = (patch: (raw: Record<string, any>) => void) => plan(configWith(patch), { now: NOW });
const prewarm = (fields: Record<string, unknown>) => (r: Record<string, any>) => {
    r.event = EVENT;
    Object.assign(r.cache.prewarm, fields);
};

function problems(patch: (raw: Record<string, any>) => void): string {
    try {
        planWith(patch);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.message;
    }
    assert.fail("the plan was accepted");
}

describe("data warm lead", () => {
    it("picks 30 minutes when the TTL allows it", () => {
        const p = planWith(prewarm({ ttlSeconds: 3600, ttlJitter: 0.1 }));
        assert.equal(p.dataPrewarm.leadMinutes, DEFAULT_LEAD_MINUTES);
        assert.equal(p.dataPrewarm.scheduleAt, "2027-11-26T04:30:00Z");
    });

    it("picks less where the TTL demands it: 1800 s ± 20 % lives at least 1440 s, so 23 minutes", () => {
        // 24 min × 60 = 1440 s is not < 1440 s: a key written then would expire at the very start.
        const p = planWith(prewarm({ ttlSeconds: 1800, ttlJitter: 0.2 }));
        assert.equal(p.dataPrewarm.leadMinutes, 23);
        assert.equal(p.dataPrewarm.scheduleAt, "2027-11-26T04:37:00Z");
    });

    it("takes a given lead up to the last one the TTL holds, and names both keys and that lead beyond it", () => {
        // 3600 × 0.85 = 3060 s: 50 min (3000 s) holds, 51 min (3060 s) does not.
        assert.equal(
            planWith(prewarm({ ttlSeconds: 3600, ttlJitter: 0.15, leadMinutes: 50 })).dataPrewarm.leadMinutes,
            50,
        );
        assert.match(
            problems(prewarm({ ttlSeconds: 3600, ttlJitter: 0.15, leadMinutes: 51 })),
            /warmstack:cache\.prewarm\.leadMinutes: at most 50 for cache\.prewarm\.ttlSeconds 3600: a key written then must outlive the start: lead × 60 < cache\.prewarm\.ttlSeconds × \(1 − ttlJitter\) = 3600 × 0\.85 s; given 51/,
        );
    });

    it("a lead whose TTL bound is a whole number of minutes stops one minute short of it", () => {
        assert.equal(longestLeadMinutes(3000, 0.1), 44); // 2700 s = 45 min exactly
        assert.equal(longestLeadMinutes(3001, 0.1), 45); // 2700.9 s
        assert.equal(longestLeadMinutes(60, 0), 0); // 60 s: no whole minute is shorter
        assert.equal(longestLeadMinutes(61, 0), 1);
    });

    it(`estimates the warm at ${WARM_KEYS_PER_SECOND} keys/s after a 30 s start, rounded up`, () => {
        assert.equal(estimateWarmSeconds(1), 31);
        assert.equal(estimateWarmSeconds(100_000), 35);
        assert.equal(estimateWarmSeconds(100_001), 36);
        const p = planWith(prewarm({ topKeys: 10_000_000 }));
        assert.equal(p.dataPrewarm.estimatedSeconds, 530);
        assert.equal(p.dataPrewarm.keysPerSecond, WARM_KEYS_PER_SECOND);
    });

    it("rejects a given lead shorter than the warm, rounding the warm up to whole minutes", () => {
        // 10M keys: 530 s, so 9 minutes (8 would leave 50 s of the warm after the start).
        assert.equal(
            planWith(prewarm({ topKeys: 10_000_000, leadMinutes: 9, timeoutSeconds: 300 })).dataPrewarm.leadMinutes,
            9,
        );
        assert.match(
            problems(prewarm({ topKeys: 10_000_000, leadMinutes: 8, timeoutSeconds: 300 })),
            /warmstack:cache\.prewarm\.leadMinutes: at least 9 \(and at most 53 for the TTL\): the warm of 10000000 keys needs about 530 s at 20000 keys\/s; given 8/,
        );
    });

    it("rejects the picked lead when the warm does not fit in it, asking for a lead", () => {
        // 50M keys: 2530 s, 43 minutes; the default 30 cannot hold it.
        assert.match(
            problems(prewarm({ topKeys: 50_000_000 })),
            /warmstack:cache\.prewarm\.leadMinutes: required, since the 30 the plan would pick is too short: at least 43 \(and at most 53 for the TTL\).*; given nothing/,
        );
        assert.equal(planWith(prewarm({ topKeys: 50_000_000, leadMinutes: 43 })).dataPrewarm.leadMinutes, 43);
    });

    it("rejects a TTL too short to outlive any lead that holds the warm, with the shortest TTL that works", () => {
        // 10M keys need 9 minutes; 600 × 0.9 = 540 s allows 8 at most; 601 × 0.9 = 540.9 s allows 9.
        assert.match(
            problems(prewarm({ topKeys: 10_000_000, ttlSeconds: 600, timeoutSeconds: 300 })),
            /warmstack:cache\.prewarm\.ttlSeconds: at least 601: the warm of 10000000 keys needs about 530 s .*\(9 min before the event\).*; given 600/,
        );
        assert.equal(
            planWith(prewarm({ topKeys: 10_000_000, ttlSeconds: 601, timeoutSeconds: 300 })).dataPrewarm.leadMinutes,
            9,
        );
    });

    it("constrains nothing on an everyday stack: without an event no warm is scheduled, so any TTL plans", () => {
        // The stack: ttlSeconds 300 was refused "at least 667 … (10 min before the event)".
        for (const ttlSeconds of [300, 66, 1]) {
            const p = planWith((r) => Object.assign(r.cache.prewarm, { ttlSeconds }));
            assert.equal(p.dataPrewarm.scheduleAt, undefined);
            assert.equal(p.cache.ttlSeconds, ttlSeconds);
        }
        // The same TTL with an event is still held to the lead.
        assert.match(
            problems(prewarm({ ttlSeconds: 300 })),
            /warmstack:cache\.prewarm\.ttlSeconds: at least 667: .*\(10 min before the event\)/,
        );
    });

    it("rejects a lead shorter than the warm's timeout: the warm must end before the start, as the pack requires", () => {
        // 100k keys are estimated at 35 s, but a warm may run its whole 600 s timeout: 10 minutes, not 1.
        assert.match(
            problems(prewarm({ topKeys: 100_000, leadMinutes: 9, timeoutSeconds: 600 })),
            /warmstack:cache\.prewarm\.leadMinutes: at least 10 \(and at most \d+ for the TTL\): the warm may run up to cache\.prewarm\.timeoutSeconds \(600 s\) and must end before the start; given 9/,
        );
        assert.equal(planWith(prewarm({ topKeys: 100_000, leadMinutes: 10 })).dataPrewarm.leadMinutes, 10);
    });

    it("warns when the estimated warm runs past cache.prewarm.timeoutSeconds", () => {
        const p = planWith(prewarm({ topKeys: 20_000_000, leadMinutes: 20, timeoutSeconds: 600 }));
        assert.match(
            p.warnings.join("\n"),
            /cache warm of 20000000 keys may take about 1030 s .*timeoutSeconds \(600 s\)/,
        );
    });

    it("carries the relations to warm on each replica, and deploys the warmer function for any event stack", () => {
        const p = planWith((r) => {
            r.event = EVENT;
            r.cache.prewarm.mode = "direct";
            r.database.prewarm = { relations: ["catalog.products", "catalog.prices"] };
        });
        assert.deepEqual(p.dataPrewarm.relations, ["catalog.products", "catalog.prices"]);
        assert.equal(p.dataPrewarm.warmerFunction, true, "the scheduled warm invokes it whatever the mode");
        assert.equal(planWith((r) => (r.cache.prewarm.mode = "direct")).dataPrewarm.warmerFunction, false);
        assert.equal(p.dataPrewarm.functionTimeoutSeconds, p.dataPrewarm.timeoutSeconds + 30);
    });

    describe("invariants (property tests)", () => {
        it("a key written at the cache warm instant is live at the start, even with the shortest jittered TTL", () => {
            const random = Math.random;
            Math.random = () => 0; // the engine's jitter at its lowest draw
            try {
                fc.assert(
                    fc.property(arbConfig, (config) => {
                        const p = attempt(config);
                        if (p instanceof ConfigError || !p.timeline) return;
                        const { ttlSeconds, ttlJitter } = config.cache.prewarm;
                        const shortest = jitteredTtl(ttlSeconds, ttlJitter);
                        const expiresAt = Date.parse(p.timeline.cacheWarm) + shortest * 1000;
                        assert.ok(
                            expiresAt > Date.parse(p.timeline.start),
                            `${shortest} s from ${p.timeline.cacheWarm}`,
                        );
                    }),
                    { numRuns: runs(2000) },
                );
            } finally {
                Math.random = random;
            }
        });

        it("an event's warm fits between the scheduled instant and the start; a picked lead is never above 30", () => {
            fc.assert(
                fc.property(arbConfig, (config) => {
                    const p = attempt(config);
                    if (p instanceof ConfigError) return;
                    const { leadMinutes, estimatedSeconds } = p.dataPrewarm;
                    // Only an event schedules the warm: an everyday stack's warm runs at deploy, held to no lead.
                    if (config.event) assert.ok(leadMinutes * 60 >= estimatedSeconds);
                    if (config.cache.prewarm.leadMinutes === undefined) assert.ok(leadMinutes <= DEFAULT_LEAD_MINUTES);
                    else assert.equal(leadMinutes, config.cache.prewarm.leadMinutes);
                }),
                { numRuns: runs(2000) },
            );
        });
    });
});
