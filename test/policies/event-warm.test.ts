// prewarm-before-event (policies/event-warm.ts): the scheduled warm must fire inside the window its keys'
// life and its own duration leave before the start — and the edges of that window.
import { strict as assert } from "node:assert";
import { wholeChainWarm } from "../../policies/chain";
import { rampBeforeEvent } from "../../policies/compute";
import { prewarmBeforeEvent, warmWindow } from "../../policies/event-warm";
import { TYPES } from "../../policies/shared/contract";
import { isoSeconds } from "../../policies/shared/numbers";
import {
    eventStack,
    without,
    group,
    prewarm,
    ramp,
    replicationGroup,
    warmSchedule,
    warmStack,
    START,
} from "./fixtures";
import { edited, EngineResource, UNKNOWN } from "./harness";
import { passes, verdicts } from "./verdicts";

/** The warm stack with its scheduled warm at `at` (UTC, to the second), or with `edit` applied to it. */
const scheduledAt = (at: string, edit: (p: Record<string, any>) => void = () => undefined) =>
    edited(
        warmStack().map((r) =>
            r.type === TYPES.warmSchedule
                ? edited([r], TYPES.warmSchedule, (p) => (p.scheduleExpression = `at(${at})`))[0]
                : r,
        ),
        TYPES.warmSchedule,
        edit,
    );

/** The event moved to `start` on every resource that carries it (the group's tags). */
function eventAt(resources: EngineResource[], start: string): EngineResource[] {
    return edited(resources, TYPES.group, (p) => {
        p.tags.find((t: { key: string }) => t.key === "warmstack:event-start").value = start;
    });
}

/** A scheduled warm named `name`, at `at` (UTC), linked to `cache` by dependency. */
function namedSchedule(cache: EngineResource, name: string, at: string, overrides: Record<string, any> = {}) {
    const schedule = warmSchedule(cache, at, overrides);
    schedule.name = name;
    schedule.urn = schedule.urn.replace(/[^:]+$/, name);
    return schedule;
}

describe("prewarm-before-event", () => {
    describe("the window", () => {
        // TTL 3600 s less 15 % jitter: keys live 3060 s = 51 min; timeout 600 s. Window: (04:09:00Z, 04:50:00Z].
        it("passes a warm at 04:30 for a 05:00 start, and both ends of its window", async () => {
            await passes(prewarmBeforeEvent, warmStack());
            await passes(prewarmBeforeEvent, scheduledAt("2027-11-26T04:50:00"));
            await passes(prewarmBeforeEvent, scheduledAt("2027-11-26T04:09:01"));
        });
        it("blocks a warm that fires too early for its keys to live until the start, naming the window", async () => {
            const v = await verdicts(prewarmBeforeEvent, scheduledAt("2027-11-26T04:09:00"));
            assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(
                v.messages,
                /cache-redis: no scheduled warm fires in time for the event blackfriday at 2027-11-26T05:00:00Z: cache-warm-schedule fires at 2027-11-26T04:09:00Z, 51 min before the start: too early — the keys it writes live 3060 s and expire before the start; it must fire after 2027-11-26T04:09:00Z \(a key written then lives 3060 s, TTL less jitter\) and by 2027-11-26T04:50:00Z, the latest safe instant \(the warm may take 600 s, its timeout\)/,
            );
        });
        it("blocks a warm after the latest safe instant, and one after the start", async () => {
            const late = await verdicts(prewarmBeforeEvent, scheduledAt("2027-11-26T04:50:01"));
            assert.match(
                late.messages,
                /fires at 2027-11-26T04:50:01Z, 599 s before the start: later than the latest safe instant/,
            );
            const after = await verdicts(prewarmBeforeEvent, scheduledAt("2027-11-26T05:10:00"));
            assert.match(
                after.messages,
                /fires at 2027-11-26T05:10:00Z, 10 min after the start: the traffic meets the cache before its warm/,
            );
        });
        it("blocks an event stack whose cache has no scheduled warm", async () => {
            const v = await verdicts(
                [prewarmBeforeEvent, wholeChainWarm],
                warmStack().filter((r) => r.type !== TYPES.warmSchedule),
            );
            assert.deepEqual(v.found, [
                "prewarm-before-event mandatory cache-redis",
                "whole-chain-warm mandatory stack",
            ]);
            assert.match(
                v.messages,
                /no scheduled warm \(an aws:scheduler\/schedule:Schedule whose target input names this cache\) runs before the event blackfriday/,
            );
            assert.match(
                v.messages,
                /cache cache-redis: no scheduled warm in time — the deploy's keys have expired when the event blackfriday at 2027-11-26T05:00:00Z starts \(prewarm-before-event\)/,
            );
        });
        it("refuses a schedule read in another zone, with a flexible window, or disabled", async () => {
            for (const [edit, finding] of [
                [
                    (p: any) => (p.scheduleExpressionTimezone = "America/New_York"),
                    /reads at\(2027-11-26T04:30:00\) in America\/New_York: set scheduleExpressionTimezone to UTC/,
                ],
                [
                    (p: any) => (p.flexibleTimeWindow = { mode: "FLEXIBLE", maximumWindowInMinutes: 15 }),
                    /flexibleTimeWindow\.mode is FLEXIBLE: set it to OFF/,
                ],
                [(p: any) => (p.state = "DISABLED"), /it is DISABLED/],
                [
                    (p: any) => (p.scheduleExpression = "rate(1 day)"),
                    /its expression rate\(1 day\) is not a one-time at/,
                ],
            ] as const) {
                const v = await verdicts(prewarmBeforeEvent, scheduledAt("2027-11-26T04:30:00", edit));
                assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
                assert.match(v.messages, finding);
            }
            await passes(
                prewarmBeforeEvent,
                scheduledAt("2027-11-26T04:30:00", (p) => delete p.scheduleExpressionTimezone),
            );
        });
        it("links a schedule by the group id in its payload, and not one for another cache", async () => {
            const byValue = edited(warmStack(), TYPES.warmSchedule, (_p, r) => (r.propertyDependencies = {}));
            await passes(prewarmBeforeEvent, byValue);
            const other = edited(
                byValue,
                TYPES.warmSchedule,
                (p) => (p.target.input = JSON.stringify({ replicationGroupId: "other" })),
            );
            assert.deepEqual((await verdicts(prewarmBeforeEvent, other)).found, [
                "prewarm-before-event mandatory cache-redis",
            ]);
        });
        it("defers to apply when the schedule's expression is unknown at preview", async () => {
            const v = await verdicts(
                prewarmBeforeEvent,
                scheduledAt("2027-11-26T04:30:00", (p) => (p.scheduleExpression = UNKNOWN)),
            );
            assert.deepEqual(v.found, ["prewarm-before-event advisory stack"]);
        });
        it("takes the start from the policy config first, then the cache's tag, then the group's", async () => {
            const v = await verdicts(prewarmBeforeEvent, warmStack(), {
                "prewarm-before-event": { eventStart: "2027-11-26T07:00:00Z" },
            });
            assert.match(
                v.messages,
                /the event blackfriday at 2027-11-26T07:00:00Z: cache-warm-schedule fires at 2027-11-26T04:30:00Z, 150 min before the start: too early/,
            );
            const tagged = edited(
                warmStack(),
                TYPES.replicationGroup,
                (p) => (p.tags["warmstack:event-start"] = "2027-11-26T06:00:00Z"),
            );
            assert.match((await verdicts(prewarmBeforeEvent, tagged)).messages, /at 2027-11-26T06:00:00Z/);
        });
        it("needs no schedule once no schedule could be in time: a deploy in the window, during or after the event", async () => {
            const now = Date.now();
            for (const start of [now + 20 * 60_000, now - 60_000, now - 86_400_000]) {
                const stack = eventAt(
                    warmStack().filter((r) => r.type !== TYPES.warmSchedule),
                    isoSeconds(start),
                );
                await passes([prewarmBeforeEvent, wholeChainWarm, rampBeforeEvent], stack);
            }
            // The keys live 51 min: an event 52 min ahead needs the schedule, one 50 min ahead is warmed by the deploy.
            const justOutside = eventAt(
                warmStack().filter((r) => r.type !== TYPES.warmSchedule),
                isoSeconds(now + 52 * 60_000),
            );
            assert.deepEqual((await verdicts(prewarmBeforeEvent, justOutside)).found, [
                "prewarm-before-event mandatory cache-redis",
            ]);
            const justInside = eventAt(
                warmStack().filter((r) => r.type !== TYPES.warmSchedule),
                isoSeconds(now + 50 * 60_000),
            );
            await passes(prewarmBeforeEvent, justInside);
            // Two hours ahead the keys of a warm now would expire first: the schedule is needed.
            const ahead = eventAt(
                warmStack().filter((r) => r.type !== TYPES.warmSchedule),
                isoSeconds(now + 2 * 3600_000),
            );
            assert.deepEqual((await verdicts(prewarmBeforeEvent, ahead)).found, [
                "prewarm-before-event mandatory cache-redis",
            ]);
        });
        it("ignores a stack with no event", async () => {
            const noEvent = edited(
                warmStack().filter((r) => r.type !== TYPES.warmSchedule),
                TYPES.group,
                (p) => (p.tags = p.tags.filter((t: { key: string }) => !t.key.includes("event"))),
            );
            await passes(prewarmBeforeEvent, noEvent);
        });
        it("says no instant works when the keys live shorter than the warm may take", async () => {
            const asg = group();
            const cache = replicationGroup();
            const v = await verdicts(prewarmBeforeEvent, [
                asg,
                ramp(asg),
                cache,
                prewarm(cache, [], { ttlSeconds: 600, ttlJitter: 0.1 }),
                warmSchedule(cache),
            ]);
            assert.match(
                v.messages,
                /no instant works: its keys live 540 s, no longer than the warm's timeout of 600 s/,
            );
        });
        it("takes the shortest key life and the longest timeout over the cache's warms", () => {
            const start = Date.parse("2027-11-26T05:00:00Z");
            const cache = replicationGroup();
            const warms = [
                prewarm(cache, [], { ttlSeconds: 3600, ttlJitter: 0.15, timeoutSeconds: 300 }, "a"),
                prewarm(cache, [], { ttlSeconds: 1800, ttlJitter: 0.2, timeoutSeconds: 900 }, "b"),
            ].map((r) => ({ props: r.outputs }) as any);
            const w = warmWindow(start, warms);
            assert.equal(w.lifeSeconds, 1440);
            assert.equal(w.timeoutSeconds, 900);
            assert.equal(start - w.earliest, 1440_000);
            assert.equal(start - w.latest, 900_000);
            assert.equal(
                warmWindow(start, [{ props: {} } as any]).timeoutSeconds,
                600,
                "the pre-warm's default timeout",
            );
        });
    });

    describe("at its edges", () => {
        const start = Date.parse(START);
        it("warmWindow without a CachePrewarm: no key life, the default timeout, no earliest instant", () => {
            assert.deepEqual(warmWindow(start, []), {
                earliest: -Infinity,
                latest: start - 600_000,
                lifeSeconds: undefined,
                timeoutSeconds: 600,
            });
            assert.equal(warmWindow(start, [{ props: { timeoutSeconds: 300 } } as any]).lifeSeconds, undefined);
        });
        it("blocks a warm that fires at the start itself, as before the start but too late for the traffic", async () => {
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [warmSchedule(c, "2027-11-26T05:00:00")]),
            );
            assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(
                v.messages,
                /cache-warm-schedule fires at 2027-11-26T05:00:00Z, 0 min before the start: the traffic meets the cache before its warm;/,
            );
            assert.match(
                v.messages,
                /\. Add or move its aws\.scheduler\.Schedule \(warmstack: cache\.prewarm\.leadMinutes sets the lead\)\.$/,
            );
        });
        it("calls a warm at the latest instant too early when the keys outlive no instant", async () => {
            // Keys live 540 s, the warm may take 600 s: earliest 04:51:00Z, latest 04:50:00Z.
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [warmSchedule(c, "2027-11-26T04:50:00")], {
                    ttlSeconds: 600,
                    ttlJitter: 0.1,
                }),
            );
            assert.match(
                v.messages,
                /fires at 2027-11-26T04:50:00Z, 10 min before the start: too early — the keys it writes live 540 s and expire before the start/,
            );
        });
        it("says no instant works when the keys live exactly as long as the warm may take", async () => {
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [warmSchedule(c, "2027-11-26T04:50:00")], {
                    ttlSeconds: 600,
                    ttlJitter: 0,
                }),
            );
            assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(
                v.messages,
                /no instant works: its keys live 600 s, no longer than the warm's timeout of 600 s/,
            );
        });
        it("lists every schedule that misses the window, each with its reason", async () => {
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [
                    namedSchedule(c, "warm-early", "2027-11-26T04:00:00"),
                    namedSchedule(c, "warm-late", "2027-11-26T04:55:00"),
                ]),
            );
            assert.match(
                v.messages,
                /no scheduled warm fires in time for the event blackfriday at 2027-11-26T05:00:00Z: warm-early fires at 2027-11-26T04:00:00Z, 60 min before the start: too early — the keys it writes live 3060 s and expire before the start; warm-late fires at 2027-11-26T04:55:00Z, 5 min before the start: later than the latest safe instant/,
            );
        });
        it("names a schedule without a flexible window as unset", async () => {
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [without(warmSchedule(c), "flexibleTimeWindow")]),
            );
            assert.match(
                v.messages,
                /cache-warm-schedule: its flexibleTimeWindow\.mode is unset: set it to OFF, or it may fire late/,
            );
        });
        it("does not link a schedule whose payload is not JSON, or names no id while the cache's is unknown", async () => {
            const notJson = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => {
                    const s = warmSchedule(c);
                    s.propertyDependencies = {};
                    s.dependencies = [];
                    s.inputs.target.input = s.outputs.target.input = "warm cache-redis-1234";
                    return [s];
                }),
            );
            assert.deepEqual(notJson.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(
                notJson.messages,
                /no scheduled warm \(an aws:scheduler\/schedule:Schedule whose target input names this cache\)/,
            );
            const unknownId = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup({ replicationGroupId: UNKNOWN }), (c) => {
                    const s = warmSchedule(c);
                    s.propertyDependencies = {};
                    s.dependencies = [];
                    s.inputs.target.input = s.outputs.target.input = JSON.stringify({});
                    return [s];
                }),
            );
            assert.deepEqual(unknownId.found, ["prewarm-before-event mandatory cache-redis"]);
        });
        it("blocks a cache whose event start is not a date-time, saying how to write it", async () => {
            const cache = replicationGroup();
            cache.inputs.tags["warmstack:event-start"] = cache.outputs.tags["warmstack:event-start"] = "Black Friday";
            const v = await verdicts(prewarmBeforeEvent, eventStack(cache));
            assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(
                v.messages,
                /\ncache-redis: the event start "Black Friday" is not a date-time; write it like 2027-11-26T05:00:00Z\.$/,
            );
        });
        it("needs the schedule when the deploy is exactly at the earliest instant, not a millisecond later", async () => {
            // Keys live 3060 s: a key written at start − 3060 s expires at the start itself.
            const stack = eventStack(replicationGroup(), () => []);
            const realNow = Date.now;
            try {
                Date.now = () => start - 3060_000;
                assert.deepEqual((await verdicts(prewarmBeforeEvent, stack)).found, [
                    "prewarm-before-event mandatory cache-redis",
                ]);
                Date.now = () => start - 3060_000 + 1;
                await passes(prewarmBeforeEvent, stack);
            } finally {
                Date.now = realNow;
            }
        });
    });
});
