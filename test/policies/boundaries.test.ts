// Every boundary a policy compares at, from both sides, and every pool state the pack handles: the places where
// a slipped `>` or a dropped state passes a suite that only tries comfortable values.
import { strict as assert } from "node:assert";
import { connectionBudget, wholeChainWarm } from "../../policies/chain";
import { asgWarmPoolRequired, rampBeforeEvent, warmPoolCompatible, warmPoolState } from "../../policies/compute";
import { TYPES } from "../../policies/shared/contract";
import { dbReadReplicas } from "../../policies/database";
import { dbParams, group, ramp, rdsDatabase, resource, warmStack } from "./fixtures";
import { edited, EngineResource } from "./harness";
import { passes, verdicts } from "./verdicts";

const withRamp = (startTime: string, capacity: number, extra: Record<string, any> = {}) => {
    const asg = group();
    const schedule = ramp(asg, startTime, capacity);
    for (const p of [schedule.inputs, schedule.outputs]) Object.assign(p, extra);
    return [asg, schedule];
};

describe("boundaries", () => {
    describe("ramp-before-event (start 05:00Z, lead 45 min: deadline 04:15Z, minSize 4)", () => {
        it("refuses a schedule before the deadline whose capacity equals minSize: a ramp that raises nothing", async () => {
            const v = await verdicts(rampBeforeEvent, withRamp("2027-11-26T04:00:00Z", 4));
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(
                v.messages,
                /no scheduled action raises app-group's capacity above its minSize 4 before the event/,
            );
            await passes(rampBeforeEvent, withRamp("2027-11-26T04:00:00Z", 5));
        });

        it("takes minSize when a schedule sets no desiredCapacity, and -1 as leaving the capacity unchanged", async () => {
            await passes(rampBeforeEvent, withRamp("2027-11-26T04:00:00Z", 5, { desiredCapacity: undefined }));
            const unchanged = await verdicts(
                rampBeforeEvent,
                withRamp("2027-11-26T04:00:00Z", 20, { desiredCapacity: -1, minSize: -1 }),
            );
            assert.deepEqual(unchanged.found, ["ramp-before-event mandatory app-group"]);
        });

        it("accepts a ramp at the deadline to the second, and refuses one a second later", async () => {
            await passes(rampBeforeEvent, withRamp("2027-11-26T04:15:00Z", 20));
            const late = await verdicts(rampBeforeEvent, withRamp("2027-11-26T04:15:01Z", 20));
            assert.match(late.messages, /starts at 2027-11-26T04:15:01Z, 45 min before the event blackfriday/);
        });

        it("judges the earliest ramp, whatever order the schedules come in", async () => {
            const [asg, early] = withRamp("2027-11-26T04:00:00Z", 20);
            const late = ramp(asg, "2027-11-26T06:00:00Z", 20);
            late.name = "app-ramp-late";
            late.urn += "-late";
            await passes(rampBeforeEvent, [asg, late, early]);
        });
    });

    describe("warm pools in every state", () => {
        const pooled = (warmPool: Record<string, any>, overrides: Record<string, any> = {}) => [
            group({ warmPool, ...overrides }),
        ];

        it("warm-pool-state: Stopped and Hibernated pass, Running advises, a pool without a state is Stopped", async () => {
            await passes(warmPoolState, pooled({ minSize: 8, poolState: "Stopped" }));
            await passes(warmPoolState, pooled({ minSize: 8, poolState: "Hibernated" }));
            await passes(warmPoolState, pooled({ minSize: 8 }));
            const running = await verdicts(warmPoolState, pooled({ minSize: 8, poolState: "Running" }));
            assert.match(running.messages, /keeps 16 instance\(s\) Running in its warm pool, each billed in full/);
        });

        it("counts the pool up to maxGroupPreparedCapacity, or maxSize when it is -1 or unset, never below minSize", async () => {
            const count = async (pool: Record<string, any>) =>
                /keeps (\d+) instance/.exec(
                    (await verdicts(warmPoolState, pooled({ ...pool, poolState: "Running" }))).messages,
                )![1];
            assert.equal(await count({ minSize: 2 }), "16");
            assert.equal(await count({ minSize: 2, maxGroupPreparedCapacity: -1 }), "16");
            assert.equal(await count({ minSize: 2, maxGroupPreparedCapacity: 10 }), "6");
            assert.equal(await count({ minSize: 9, maxGroupPreparedCapacity: 10 }), "9");
        });

        it("warm-pool-compatible: a Running pool keeps no EBS root, a Stopped or Hibernated one must", async () => {
            const template = resource(TYPES.launchTemplate, "app-template", {
                blockDeviceMappings: [],
                hibernationOptions: { configured: true },
            });
            const linked = (poolState: string) => {
                const asg = group({ warmPool: { minSize: 8, poolState }, launchTemplate: { id: "lt-1" } });
                asg.propertyDependencies.launchTemplate = [template.urn];
                return [asg, template];
            };
            await passes(warmPoolCompatible, linked("Running"));
            for (const state of ["Stopped", "Hibernated"]) {
                assert.match(
                    (await verdicts(warmPoolCompatible, linked(state))).messages,
                    new RegExp(`maps no EBS root volume .* a ${state} pool can only keep EBS-backed instances`),
                );
            }
        });

        it("asg-warm-pool-required: a pool of exactly minWarmPoolSize passes, one fewer does not", async () => {
            const config = { "asg-warm-pool-required": { minWarmPoolSize: 8 } };
            await passes(asgWarmPoolRequired, pooled({ minSize: 8 }), config);
            assert.match(
                (await verdicts(asgWarmPoolRequired, pooled({ minSize: 7 }), config)).messages,
                /keeps 7 instance\(s\) at least; this stack needs 8/,
            );
        });

        it("whole-chain-warm counts an exempt group as warm enough, and a group with no waiting instance as not warm", async () => {
            const cold = group({ name: "batch" });
            delete cold.inputs.warmPool;
            delete cold.outputs.warmPool;
            cold.name = "batch";
            cold.urn += "-batch";
            for (const p of [cold.inputs, cold.outputs]) {
                p.tags = [{ key: "warmstack:cold-ok", value: "batch jobs", propagateAtLaunch: false }];
            }
            await passes(wholeChainWarm, [...warmStack(), cold]);
            // A pool that holds nobody (maxGroupPreparedCapacity at the desired capacity, minSize 0) is not warm.
            const empty = edited(warmStack(), TYPES.group, (p) => {
                p.warmPool = { minSize: 0, maxGroupPreparedCapacity: 4 };
            });
            await passes(
                wholeChainWarm,
                edited(empty, TYPES.cachePrewarm, (p) => (p.relations = [])),
            );
        });
    });

    describe("connection-budget (app-group: 20 instances × 10 connections = 200 on the writer)", () => {
        const budget = (maxConnections: string, reserve: number, maxSize = 20): Promise<string[]> => {
            const db = rdsDatabase(0);
            const params = dbParams("db-params", "postgres16", maxConnections);
            params.urn = db.params.urn;
            const asg = group({ maxSize });
            for (const p of [asg.inputs, asg.outputs]) {
                p.tags = p.tags.filter((t: { key: string }) => t.key !== "warmstack:replicas");
            }
            return verdicts(connectionBudget, [asg, params, db.primary], { "connection-budget": { reserve } }).then(
                (v) => v.found,
            );
        };

        it("passes a budget of exactly the demand and blocks one connection less", async () => {
            assert.deepEqual(await budget("250", 0.2), []);
            assert.deepEqual(await budget("249", 0.2), ["connection-budget mandatory db-primary"]);
        });

        it("rounds the budget down only after dropping float noise: 1000 × (1 − 0.9) holds 100", async () => {
            assert.deepEqual(await budget("1000", 0.9, 10), []);
            assert.deepEqual(await budget("1000", 0.9, 11), ["connection-budget mandatory db-primary"]);
        });
    });

    describe("db-read-replicas", () => {
        const stack = (replicas: number): EngineResource[] => rdsDatabase(replicas).all;

        it("passes exactly minReplicas and blocks one fewer", async () => {
            const config = { "db-read-replicas": { minReplicas: 2 } };
            await passes(dbReadReplicas, stack(2), config);
            assert.match(
                (await verdicts(dbReadReplicas, stack(1), config)).messages,
                /db-primary has 1 read replica\(s\); this event needs 2\. Add 1 RDS instance/,
            );
        });
    });
});
