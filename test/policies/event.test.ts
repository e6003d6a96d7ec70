// The event a stack is for (policies/event.ts): which resource's tags name it, and how it is called.
import { strict as assert } from "node:assert";
import { tagMapOf } from "../../policies/event";
import { prewarmBeforeEvent } from "../../policies/event-warm";
import { TYPES } from "../../policies/shared/contract";
import { eventStack, replicationGroup, resource, START } from "./fixtures";
import { verdicts } from "./verdicts";

describe("the event of a stack", () => {
    it("tagMapOf keeps only the tags whose value is a string", () => {
        assert.deepEqual(
            tagMapOf({ tags: { "warmstack:event": "blackfriday", size: 5, owner: null } }),
            new Map([["warmstack:event", "blackfriday"]]),
        );
    });
    it("takes the event from the group that carries it, past a group that carries none", async () => {
        const batch = resource(TYPES.group, "batch-group", {
            name: "batch-group",
            minSize: 1,
            maxSize: 1,
            tags: [],
        });
        const v = await verdicts(prewarmBeforeEvent, [batch, ...eventStack(replicationGroup(), () => [])]);
        assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
        assert.match(v.messages, /runs before the event blackfriday at 2027-11-26T05:00:00Z/);
    });
    it("names an event without a name by its start alone", async () => {
        const cache = replicationGroup();
        cache.inputs.tags["warmstack:event-start"] = cache.outputs.tags["warmstack:event-start"] = START;
        const v = await verdicts(
            prewarmBeforeEvent,
            eventStack(cache, () => []),
        );
        assert.match(v.messages, /runs before the event at 2027-11-26T05:00:00Z;/);
    });
});
