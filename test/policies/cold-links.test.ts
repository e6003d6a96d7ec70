// Cold links the pack used to pass (issue 26, items 10–13), each over the harness that runs the policies the way
// the policy server does: a scale-down between the ramp and the end, a replica of a database outside the stack,
// an Aurora Serverless v2 cluster that pauses, a replica in another region counted as read capacity.
import { strict as assert } from "node:assert";
import { policies } from "../../policies/pack";
import { connectionBudget, wholeChainWarm } from "../../policies/chain";
import { rampBeforeEvent } from "../../policies/compute";
import { dbAlwaysOn, dbReadReplicas, replicaBuffersWarm } from "../../policies/database";
import { unjudgedResources } from "../../policies/unjudged";
import { TYPES } from "../../policies/shared/contract";
import {
    auroraDatabase,
    group,
    prewarm,
    ramp,
    rdsDatabase,
    replicationGroup,
    resource,
    warmSchedule,
    warmStack,
} from "./fixtures";
import { edited } from "./harness";
import { at, passes, verdicts } from "./verdicts";

/** A scheduled action on the fixture group, named `name`. */
const action = (asg: ReturnType<typeof group>, name: string, props: Record<string, any>) =>
    resource(TYPES.schedule, name, { autoscalingGroupName: "app-group", ...props }, { autoscalingGroupName: [asg] });

/** The fixture group (start 05:00Z, lead 45 min: ramp by 04:15Z, peak 20), with its end tagged when given. */
const eventGroup = (end?: string) =>
    edited([group()], TYPES.group, (p) => {
        if (end) p.tags.push({ key: "warmstack:event-end", value: end, propagateAtLaunch: false });
    })[0];

describe("cold links the pack passed", () => {
    describe("ramp-before-event: nothing lowers the capacity from the ramp to the end (item 10)", () => {
        it("blocks a scale-down at 04:50 for a 05:00 start, after a 04:15 ramp, naming the action and the sizes", async () => {
            const asg = eventGroup();
            const down = action(asg, "early-scale-down", {
                startTime: "2027-11-26T04:50:00Z",
                minSize: 4,
                desiredCapacity: 4,
                maxSize: 20,
            });
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg), down]);
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(
                v.messages,
                /app-group's scheduled action early-scale-down, at 2027-11-26T04:50:00Z \(10 min before the event blackfriday at 2027-11-26T05:00:00Z\), lowers its desiredCapacity 4, minSize 4, below the 20 app-ramp-up raised it to: .* From the ramp until the event ends \(its end is not known; it starts\) no action may lower the capacity: move it to the end or later/,
            );
        });

        it("holds the peak until the tagged end, and lets the ramp-down run at the end itself", async () => {
            const asg = eventGroup("2027-11-26T09:00:00Z");
            const down = (startTime: string) =>
                action(asg, "scale-down", { startTime, minSize: 4, desiredCapacity: 4, maxSize: 20 });
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg), down("2027-11-26T08:59:59Z")]);
            assert.deepEqual(v.found, ["ramp-before-event mandatory app-group"]);
            assert.match(v.messages, /until the event ends \(2027-11-26T09:00:00Z\)/);
            await passes(rampBeforeEvent, [asg, ramp(asg), down("2027-11-26T09:00:00Z")]);
            // The policy config's end wins over the tag.
            await passes(rampBeforeEvent, [asg, ramp(asg), down("2027-11-26T08:59:59Z")], {
                "ramp-before-event": { eventEnd: "2027-11-26T08:00:00Z" },
            });
        });

        it("counts a lowered floor or ceiling as a scale-down, and a second ramp higher as none", async () => {
            const asg = eventGroup("2027-11-26T09:00:00Z");
            const floor = action(asg, "floor", { startTime: "2027-11-26T06:00:00Z", minSize: 4 });
            const v = await verdicts(rampBeforeEvent, [asg, ramp(asg), floor]);
            assert.match(v.messages, /lowers its minSize 4, below the 20/);
            const ceiling = action(asg, "ceiling", { startTime: "2027-11-26T06:00:00Z", maxSize: 10 });
            assert.match(
                (await verdicts(rampBeforeEvent, [asg, ramp(asg), ceiling])).messages,
                /lowers its maxSize 10/,
            );
            // A first ramp to 10 and a second to 20 raise twice; leaving a size unchanged (-1) lowers nothing.
            const again = action(asg, "ramp-more", {
                startTime: "2027-11-26T04:30:00Z",
                minSize: 20,
                desiredCapacity: 20,
                maxSize: -1,
            });
            await passes(rampBeforeEvent, [asg, ramp(asg, "2027-11-26T04:00:00Z", 10), again]);
        });

        it("passes a scale-down before the ramp, and judges a late group's scale-down though its ramp is past due", async () => {
            const asg = eventGroup("2027-11-26T09:00:00Z");
            const before = action(asg, "night", { startTime: "2027-11-26T02:00:00Z", desiredCapacity: 4 });
            await passes(rampBeforeEvent, [asg, before, ramp(asg)]);
            const down = action(asg, "down", { startTime: "2027-11-26T06:00:00Z", desiredCapacity: 4 });
            const mid = await at("2027-11-26T05:30:00Z", () => verdicts(rampBeforeEvent, [asg, ramp(asg), down]));
            assert.deepEqual(mid.found, ["ramp-before-event mandatory app-group"]);
            // After the end, nothing is held any more.
            await at("2027-11-26T09:00:00Z", () => passes(rampBeforeEvent, [asg, ramp(asg), down]));
        });
    });

    describe("a replica whose primary is outside the stack (item 11)", () => {
        const SOURCE = "arn:aws:rds:us-east-1:123456789012:db:legacy-orders";
        /** The issue's replica: replicateSourceDb an ARN, the RDS default parameter group, in no warm. */
        const orphan = (props: Record<string, any> = {}) =>
            resource(TYPES.dbInstance, "orders-replica", {
                identifier: "orders-replica",
                replicateSourceDb: SOURCE,
                publiclyAccessible: false,
                address: "orders-replica.example.internal",
                region: "us-east-1",
                ...props,
            });

        it("is named by unjudged-resources, and judged as a reader by the policies that can judge it", async () => {
            const v = await verdicts(policies, [...warmStack(), orphan()]);
            assert.deepEqual(v.found.sort(), [
                "connection-budget mandatory orders-replica",
                "replica-buffers-warm advisory orders-replica",
                "unjudged-resources advisory orders-replica",
                "whole-chain-warm mandatory stack",
            ]);
            assert.match(
                v.messages,
                /orders-replica replicates arn:aws:rds:us-east-1:123456789012:db:legacy-orders, which is not in this stack: the pack cannot count its primary's replicas \(db-read-replicas\), hold the writer to its connection budget or see its buffers warmed\. Check the primary by hand/,
            );
            assert.match(
                v.messages,
                /reader orders-replica: max_connections is not pinned to a number in a parameter group of this stack/,
            );
            assert.match(
                v.messages,
                /database orders-replica: its buffer cache comes back cold .*RDS default parameter group/,
            );
            assert.match(v.messages, /database orders-replica: its buffers are cold at the event/);
        });

        it("still only advises once it has its parameters and its warm, as its primary is out of reach", async () => {
            const stack = warmStack();
            const cache = stack.find((r) => r.type === TYPES.replicationGroup)!;
            const params = stack.find((r) => r.type === TYPES.dbParameterGroup)!;
            const replica = orphan({ parameterGroupName: "db-params" });
            const warm = prewarm(cache, [replica], {}, "orders-warm");
            const v = await verdicts(
                policies,
                [...stack, replica, warm, params].filter((r, i, all) => all.indexOf(r) === i),
            );
            assert.deepEqual(v.found, ["unjudged-resources advisory orders-replica"]);
        });

        it("a replica of the stack's own primary, linked by its ARN, is no outsider", async () => {
            const db = rdsDatabase(1);
            for (const p of [db.primary.inputs, db.primary.outputs])
                p.arn = "arn:aws:rds:us-east-1:123456789012:db:db-primary";
            for (const p of [db.readers[0].inputs, db.readers[0].outputs]) p.replicateSourceDb = db.primary.outputs.arn;
            db.readers[0].propertyDependencies = {};
            await passes(unjudgedResources, db.all);
            await passes(dbReadReplicas, db.all);
        });
    });

    describe("Aurora Serverless v2 that pauses (item 12)", () => {
        const serverless = (scaling: Record<string, any>) => {
            const asg = group();
            const cache = replicationGroup();
            const db = auroraDatabase(2, { serverlessv2ScalingConfiguration: scaling });
            return [asg, ramp(asg), cache, prewarm(cache, db.instances), warmSchedule(cache), ...db.all];
        };

        it("blocks minCapacity 0, with or without secondsUntilAutoPause, in its policy and in the whole chain", async () => {
            const v = await verdicts(
                policies,
                serverless({ minCapacity: 0, maxCapacity: 16, secondsUntilAutoPause: 600 }),
                {
                    "db-read-replicas": { minReplicas: 2 },
                },
            );
            assert.deepEqual(v.found, ["db-always-on mandatory aurora-cluster", "whole-chain-warm mandatory stack"]);
            assert.match(
                v.messages,
                /aurora-cluster: Aurora Serverless v2 with minCapacity 0 pauses after 600 s without connections: a paused cluster takes seconds to resume on the first connection and resumes with an empty buffer cache\. Set serverlessv2ScalingConfiguration\.minCapacity to 0\.5 or more/,
            );
            assert.match(v.messages, /database aurora-cluster: Aurora Serverless v2 .* \(db-always-on\)/);
            const byDefault = await verdicts(dbAlwaysOn, serverless({ minCapacity: 0, maxCapacity: 16 }));
            assert.match(byDefault.messages, /pauses after 300 s without connections/);
        });

        it("passes a cluster that never pauses", async () => {
            await passes([dbAlwaysOn, wholeChainWarm], serverless({ minCapacity: 0.5, maxCapacity: 16 }));
            await passes(dbAlwaysOn, serverless({ minCapacity: "0.5", maxCapacity: 16 }));
        });
    });

    describe("a cross-region replica is not this region's read capacity (item 13)", () => {
        /** The fixture RDS database in us-east-1, its second replica in us-west-2 by the ARN it names. */
        const twoRegions = () => {
            const db = rdsDatabase(2);
            for (const r of [db.primary, db.readers[0]]) for (const p of [r.inputs, r.outputs]) p.region = "us-east-1";
            for (const p of [db.readers[1].inputs, db.readers[1].outputs]) {
                p.region = "us-west-2";
                p.replicateSourceDb = "arn:aws:rds:us-east-1:123456789012:db:db-primary";
            }
            return db;
        };

        it("db-read-replicas counts only the replicas in the primary's region, and says why", async () => {
            const db = twoRegions();
            await passes(dbReadReplicas, db.all, { "db-read-replicas": { minReplicas: 1 } });
            const v = await verdicts(dbReadReplicas, db.all, { "db-read-replicas": { minReplicas: 2 } });
            assert.deepEqual(v.found, ["db-read-replicas mandatory db-primary"]);
            assert.match(
                v.messages,
                /db-primary has 1 read replica\(s\) in its region; this event needs 2\. db-replica-2 \(us-west-2\) serves another region's readers, not this one's\. Add 1 RDS instance/,
            );
        });

        it("is no reader for the budget, and unjudged-resources says so", async () => {
            const db = twoRegions();
            const asg = group();
            // The group sized its reader pool for 2 replicas; only 1 serves this region.
            const v = await verdicts([connectionBudget, unjudgedResources], [asg, ...db.all]);
            assert.deepEqual(v.found, [
                "connection-budget mandatory app-group",
                "unjudged-resources advisory db-replica-2",
            ]);
            assert.match(v.messages, /app-group sized its reader pool for 2 replicas of db-primary, but 1 exist/);
            assert.match(
                v.messages,
                /db-replica-2 is a read replica of db-primary in another region \(us-west-2\): it serves that region's readers/,
            );
        });

        it("reads the region from the provider when the resource carries none", async () => {
            const db = twoRegions();
            const remote = db.readers[1];
            delete remote.inputs.region;
            delete remote.outputs.region;
            remote.provider = {
                type: "pulumi:providers:aws",
                name: "west",
                urn: "urn:west",
                props: { region: "us-west-2" },
            };
            const v = await verdicts(dbReadReplicas, db.all, { "db-read-replicas": { minReplicas: 2 } });
            assert.match(v.messages, /db-replica-2 \(us-west-2\) serves another region's readers/);
        });

        it("counts replicas whose region is not known as this region's, as before", async () => {
            await passes(dbReadReplicas, rdsDatabase(2).all, { "db-read-replicas": { minReplicas: 2 } });
            await passes(replicaBuffersWarm, warmStack());
        });
    });
});
