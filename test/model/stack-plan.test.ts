// One way from a stack's config values to its plan (model/stack-plan.ts): the values parsed as the program and the
// CLI read them, planned at the clock given, and an attached stack's plan saying what the file alone cannot know.
import { strict as assert } from "node:assert";
import { ConfigError, parseConfig } from "../../model/config";
import { plan } from "../../model/plan";
import { fromConfigAlone } from "../../model/production";
import { planStack } from "../../model/stack-plan";
import { EVENT, NOW, pulumiValues, validRaw } from "./fixtures";

describe("planStack", () => {
    it("plans a built stack's values as plan() plans its parsed config, at the clock given", () => {
        const raw = { ...validRaw(), event: { ...EVENT } };
        for (const now of [NOW, Date.parse(EVENT.start) - 60 * 60_000]) {
            const { config, plan: planned } = planStack(pulumiValues(raw), now);
            assert.deepEqual(config, parseConfig(raw));
            assert.deepEqual(planned, plan(parseConfig(raw), { now }));
        }
        // The clock decides what is still to schedule: once the ramp has begun, its first action is not.
        const ahead = planStack(pulumiValues(raw), NOW).plan.schedule;
        const begun = planStack(pulumiValues(raw), Date.parse(ahead[0].startTime) + 1000).plan.schedule;
        assert.deepEqual(begun, ahead.slice(1));
    });

    it("adds to an attached stack's plan, last, the warning that it was made from the file alone", () => {
        const raw: Record<string, any> = {
            ...validRaw(),
            event: { ...EVENT },
            production: { stack: "acme/shop/baseline" },
        };
        delete raw.compute.amiId; // a key of a system warmstack builds
        const { config, plan: planned } = planStack(pulumiValues(raw), NOW);
        const alone = plan(config, { now: NOW });
        assert.deepEqual(planned.warnings, [...alone.warnings, fromConfigAlone(config)]);
        assert.deepEqual({ ...planned, warnings: [] }, { ...alone, warnings: [] });
    });

    it("throws the config's ConfigError for bad values, naming the key", () => {
        const raw = { ...validRaw(), event: { ...EVENT, rampLeadMinutes: -1 } };
        assert.throws(
            () => planStack(pulumiValues(raw), NOW),
            (err: unknown) =>
                err instanceof ConfigError && err.problems.some((p) => p.key.endsWith("event.rampLeadMinutes")),
        );
    });
});
