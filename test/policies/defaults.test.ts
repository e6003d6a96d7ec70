// The pack is published on its own and keeps its own copy of the defaults it shares with the program: each
// copy must equal the program's, so the two cannot drift.
import { strict as assert } from "node:assert";
import { namespaceValues, parseConfig } from "../../infra/config";
import { RESERVED_MEMORY } from "../../infra/cache-sizing";
import { NODE_MEMORY_AS_OF as PROGRAM_AS_OF, NODE_MEMORY_GIB as PROGRAM_NODES } from "../../infra/node-memory";
import { DEFAULTS } from "../../policies/defaults";
import { NODE_MEMORY_AS_OF, NODE_MEMORY_GIB } from "../../policies/node-memory";
import { stackConfig } from "../support/pulumi";

/** The blackfriday stack with every key the defaults under test fill in left out. */
function defaulted() {
    const values = namespaceValues(stackConfig("blackfriday")) as Record<string, any>;
    delete values.event.rampLeadMinutes;
    delete values.cache.prewarm.timeoutSeconds;
    return parseConfig(values);
}

describe("defaults the pack shares with the program", () => {
    it("the ramp lead and the pre-warm timeout equal the program's config defaults", () => {
        const config = defaulted();
        assert.equal(DEFAULTS.rampLeadMinutes, config.event!.rampLeadMinutes);
        assert.equal(DEFAULTS.prewarmTimeoutSeconds, config.cache.prewarm.timeoutSeconds);
    });

    it("ElastiCache's reserved share equals the program's", () => {
        assert.equal(DEFAULTS.reservedMemoryShare, RESERVED_MEMORY);
    });

    it("the node memory table equals the program's, to the type and the date", () => {
        assert.deepEqual(NODE_MEMORY_GIB, PROGRAM_NODES);
        assert.equal(NODE_MEMORY_AS_OF, PROGRAM_AS_OF);
    });
});
