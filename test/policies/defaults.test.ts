// The defaults the pack and the program share have one home (policies/shared/defaults.ts): pinned here as
// literals, and read by the program's schema, so a change to one is a change to both, seen in this test.
import { strict as assert } from "node:assert";
import { namespaceValues, parseConfig } from "../../model/config";
import { DEFAULTS } from "../../policies/shared/defaults";
import { stackConfig, BUILT_EVENT } from "../support/pulumi";

/** The blackfriday stack with every key the defaults under test fill in left out. */
function defaulted() {
    const values = namespaceValues(stackConfig(BUILT_EVENT)) as Record<string, any>;
    delete values.event.rampLeadMinutes;
    delete values.cache.prewarm.timeoutSeconds;
    return parseConfig(values);
}

describe("defaults the pack shares with the program", () => {
    it("are 30 min of ramp lead, 600 s of pre-warm and ElastiCache's 25 % reserved memory", () => {
        assert.deepEqual(DEFAULTS, { rampLeadMinutes: 30, prewarmTimeoutSeconds: 600, reservedMemoryShare: 0.25 });
    });

    it("fill in the program's config where the stack leaves them out", () => {
        const config = defaulted();
        assert.equal(config.event!.rampLeadMinutes, 30);
        assert.equal(config.cache.prewarm.timeoutSeconds, 600);
    });
});
