// The group's resource options, as the program sends them to the engine (test/policies/harness.ts records what
// the mocks' newResource is not handed): the schedule and target tracking own the live capacity, so the group
// ignores changes to desiredCapacity. Without it a `pulumi up` during the event (an emergency fix at the peak)
// resets the running capacity to the plan's as-deployed value, the baseline (issue 27).
import { strict as assert } from "node:assert";
import { programResources, one } from "../policies/harness";
import { REFRESH_MAX_HEALTHY_PERCENT } from "../../infra/compute";
import { planStack } from "../../model/stack-plan";
import { NOW, stackConfig, T } from "../support/pulumi";

const { plan } = planStack(stackConfig("blackfriday"), NOW);

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

    it("a config change refreshes every instance, the warm pool's too: user data does not run again on a pooled one", async () => {
        const group = (edit?: (config: Record<string, string>) => void) =>
            programResources("blackfriday", edit).then((resources) => ({
                group: one(resources, T.asg),
                userData: one(resources, T.template).inputs.userData as string,
            }));
        const before = await group();
        assert.deepEqual(before.group.inputs.instanceRefresh, {
            strategy: "Rolling",
            preferences: {
                skipMatching: true,
                minHealthyPercentage: 100,
                maxHealthyPercentage: REFRESH_MAX_HEALTHY_PERCENT,
                instanceWarmup: String(plan.scaling.warmupSeconds),
            },
        });
        // A refresh starts only on a new launch template version the group names ("$Latest" starts none).
        assert.notEqual(before.group.inputs.launchTemplate.version, "$Latest");
        // The change: the pool sizes. It reaches the instances only through a new user data, so a new version.
        const after = await group((config) => {
            const database = JSON.parse(config["warmstack:database"]);
            database.pool = { ...database.pool, max: (database.pool?.max ?? 20) - 5 };
            config["warmstack:database"] = JSON.stringify(database);
        });
        assert.notEqual(after.userData, before.userData);
        assert.deepEqual(after.group.inputs.instanceRefresh, before.group.inputs.instanceRefresh);
    });
});
