// The data warm's section of the plan (model/plan/data-prewarm.ts): the scheduled run's retry window, and the plan
// carrying it only while a warm is still scheduled before an event.
import { strict as assert } from "node:assert";
import { plan } from "../../model/plan";
import { retryWindow } from "../../model/plan/data-prewarm";
import { configWith, EVENT, NOW } from "./fixtures";

describe("retryWindow", () => {
    const START = "2027-11-26T05:00:00Z";
    const before = (seconds: number) => new Date(Date.parse(START) - seconds * 1000).toISOString();

    it("lets a retry start while a whole run still ends before the start, twice at most", () => {
        // 3600 s before, a 630 s function: a retry may start up to 2970 s late.
        assert.deepEqual(retryWindow(before(3600), START, 630), {
            maximumEventAgeInSeconds: 2970,
            maximumRetryAttempts: 2,
        });
        assert.deepEqual(retryWindow(before(690.9), START, 630), {
            maximumEventAgeInSeconds: 60,
            maximumRetryAttempts: 2,
        });
    });

    it("retries nothing when a run leaves less than the minute an event age must be, and caps the age at six hours", () => {
        for (const lead of [689, 630, 0, -600])
            assert.deepEqual(retryWindow(before(lead), START, 630), {
                maximumEventAgeInSeconds: 60,
                maximumRetryAttempts: 0,
            });
        assert.deepEqual(retryWindow(before(2 * 86_400), START, 630), {
            maximumEventAgeInSeconds: 21_600,
            maximumRetryAttempts: 2,
        });
    });

    it("is in the plan only while a warm is scheduled before an event", () => {
        const config = configWith((raw) => (raw.event = { ...EVENT }));
        const { dataPrewarm } = plan(config, { now: NOW });
        assert.ok(dataPrewarm.scheduleAt);
        assert.deepEqual(
            dataPrewarm.retry,
            retryWindow(dataPrewarm.scheduleAt, EVENT.start, dataPrewarm.functionTimeoutSeconds),
        );
        const passed = plan(config, { now: Date.parse(dataPrewarm.scheduleAt) + 1000 }).dataPrewarm;
        assert.deepEqual([passed.scheduleAt, passed.retry], [undefined, undefined]);
        const noEvent = plan(
            configWith(() => undefined),
            { now: NOW },
        ).dataPrewarm;
        assert.deepEqual([noEvent.scheduleAt, noEvent.retry], [undefined, undefined]);
    });
});
