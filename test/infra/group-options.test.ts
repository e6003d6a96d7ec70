// The group's resource options, as the program sends them to the engine (test/policies/harness.ts records what
// the mocks' newResource is not handed): the schedule and target tracking own the live capacity, so the group
// ignores changes to desiredCapacity. Without it a `pulumi up` during the event (an emergency fix at the peak)
// resets the running capacity to the plan's as-deployed value, the baseline (issue 27).
import { strict as assert } from "node:assert";
import { programResources, one } from "../policies/harness";
import { T } from "../support/pulumi";

describe("program under mocks: the group's resource options", function () {
    this.timeout(120_000);
    // The option is set whatever the config; blackfriday is the stack with a ramp, whose schedules own the capacity.
    it("a `pulumi up` leaves the live desired capacity alone, and only it", async () => {
        const resources = await programResources("blackfriday");
        const group = one(resources, T.asg);
        assert.deepEqual(group.options.ignoreChanges, ["desiredCapacity"]);
        // What owns it instead: the ramp's scheduled actions, on this group.
        const actions = resources.filter((r) => r.type === T.schedule);
        assert.ok(actions.length >= 2, "blackfriday ramps up and back down");
        for (const action of actions) assert.equal(action.inputs.autoscalingGroupName, group.inputs.name, action.name);
    });
});
