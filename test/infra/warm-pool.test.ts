// The event's warm pool on a group the stack did not create, against moto: created, updated, and destroyed back to
// a group with no pool; production's own pool raised for the event and put back as it was on destroy; a pool the
// preview did not read is never overwritten.
import { strict as assert } from "node:assert";
import {
    AutoScalingClient,
    CreateAutoScalingGroupCommand,
    CreateLaunchConfigurationCommand,
    DescribeWarmPoolCommand,
    PutWarmPoolCommand,
} from "@aws-sdk/client-auto-scaling";
import { warmPoolProvider, WarmPoolInputs } from "../../infra/providers/warm-pool";
import { Moto, startMoto } from "../support/moto";

describe("EventWarmPool against moto", function () {
    this.timeout(60_000);
    let moto: Moto;
    let asg: AutoScalingClient;
    const env = { ...process.env };

    before(async () => {
        moto = await startMoto();
        // The provider runs as in Pulumi's process: its credentials from the environment.
        Object.assign(process.env, moto.env);
        asg = new AutoScalingClient(moto.client);
        await asg.send(
            new CreateLaunchConfigurationCommand({
                LaunchConfigurationName: "shop-web",
                ImageId: "ami-12c6146b",
                InstanceType: "t3.micro",
            }),
        );
        for (const name of ["shop-web", "shop-pooled", "shop-held"]) {
            await asg.send(
                new CreateAutoScalingGroupCommand({
                    AutoScalingGroupName: name,
                    LaunchConfigurationName: "shop-web",
                    MinSize: 0,
                    MaxSize: 4,
                    DesiredCapacity: 0,
                    AvailabilityZones: ["us-east-1a"],
                }),
            );
        }
    });
    after(async () => {
        process.env = env;
        await moto?.stop();
    });

    const pool = (group: string) =>
        asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: group })).then((r) => r.WarmPoolConfiguration);
    const inputs = (over: Partial<WarmPoolInputs> = {}): WarmPoolInputs => ({
        autoScalingGroupName: "shop-web",
        minSize: 3,
        maxGroupPreparedCapacity: 8,
        poolState: "Stopped",
        reuseOnScaleIn: true,
        region: "us-east-1",
        groupCapacity: { minSize: 0, maxSize: 4, desiredCapacity: 0 },
        groupTags: { "warmstack:event": "blackfriday" },
        ...over,
    });

    it("puts the planned pool, resizes it, and deletes it leaving the group with none", async () => {
        const provider = warmPoolProvider(moto.url);
        assert.equal(await pool("shop-web"), undefined, "the group starts with no pool");
        const created = await provider.create!(inputs());
        assert.equal(created.id, "shop-web");
        assert.deepEqual(
            { ...(await pool("shop-web")) },
            {
                MinSize: 3,
                MaxGroupPreparedCapacity: 8,
                PoolState: "Stopped",
                InstanceReusePolicy: { ReuseOnScaleIn: true },
            },
        );
        const diff = await provider.diff!("shop-web", inputs(), inputs({ minSize: 5 }));
        assert.deepEqual([diff.changes, diff.replaces], [true, []]);
        await provider.update!("shop-web", inputs(), inputs({ minSize: 5 }));
        assert.equal((await pool("shop-web"))?.MinSize, 5);
        await provider.delete!("shop-web", inputs({ minSize: 5 }));
        assert.equal(await pool("shop-web"), undefined, "destroyed: the group as it was");
    });

    it("raises production's own pool to the plan's, and on destroy puts production's back as it was", async () => {
        await asg.send(
            new PutWarmPoolCommand({
                AutoScalingGroupName: "shop-pooled",
                MinSize: 1,
                MaxGroupPreparedCapacity: 2,
                PoolState: "Stopped",
                InstanceReusePolicy: { ReuseOnScaleIn: false },
            }),
        );
        const own = { minSize: 1, maxGroupPreparedCapacity: 2, state: "Stopped", reuseOnScaleIn: false };
        const raised = inputs({ autoScalingGroupName: "shop-pooled", productionPool: own });
        const provider = warmPoolProvider(moto.url);
        await provider.create!(raised);
        assert.deepEqual(
            [(await pool("shop-pooled"))?.MinSize, (await pool("shop-pooled"))?.MaxGroupPreparedCapacity],
            [3, 8],
        );
        await provider.delete!("shop-pooled", raised);
        assert.deepEqual(
            { ...(await pool("shop-pooled")) },
            {
                MinSize: 1,
                MaxGroupPreparedCapacity: 2,
                PoolState: "Stopped",
                InstanceReusePolicy: { ReuseOnScaleIn: false },
            },
            "production's own pool, as it was",
        );
    });

    it("holds production's own pool when it is already the plan's: a change production makes meanwhile stays, destroy included", async () => {
        await asg.send(
            new PutWarmPoolCommand({
                AutoScalingGroupName: "shop-held",
                MinSize: 6,
                MaxGroupPreparedCapacity: -1,
                PoolState: "Hibernated",
                InstanceReusePolicy: { ReuseOnScaleIn: false },
            }),
        );
        const own = { minSize: 6, maxGroupPreparedCapacity: -1, state: "Hibernated", reuseOnScaleIn: false };
        const held = inputs({ autoScalingGroupName: "shop-held", ...own, poolState: own.state, productionPool: own });
        const provider = warmPoolProvider(moto.url);
        await provider.create!(held);
        // Production's own team resizes its pool during the event: the event stack has nothing to undo.
        await asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: "shop-held", MinSize: 9 }));
        await provider.update!("shop-held", held, { ...held, groupTags: { "warmstack:event": "launch" } });
        assert.equal((await pool("shop-held"))?.MinSize, 9, "an update of a held pool puts nothing");
        await provider.delete!("shop-held", held);
        assert.equal((await pool("shop-held"))?.MinSize, 9, "destroying a held pool gives nothing back");
    });

    it("never overwrites a pool the preview did not read: one that appeared, or changed since", async () => {
        const provider = warmPoolProvider(moto.url);
        await assert.rejects(
            provider.create!(inputs({ autoScalingGroupName: "shop-pooled" })),
            /shop-pooled's warm pool is not the one the preview read \(none; now minSize 1, Stopped\)/,
        );
        const read = { minSize: 2, maxGroupPreparedCapacity: 2, state: "Stopped", reuseOnScaleIn: false };
        await assert.rejects(
            provider.create!(inputs({ autoScalingGroupName: "shop-pooled", productionPool: read })),
            /not the one the preview read \(minSize 2, Stopped; now minSize 1, Stopped\)/,
        );
        assert.equal((await pool("shop-pooled"))?.MinSize, 1, "production's pool untouched");
    });

    it("replaces only for another group or region", async () => {
        const provider = warmPoolProvider(moto.url);
        const diff = await provider.diff!("shop-web", inputs(), inputs({ autoScalingGroupName: "other" }));
        assert.deepEqual(diff.replaces, ["autoScalingGroupName"]);
        assert.equal((await provider.diff!("shop-web", inputs(), inputs())).changes, false);
    });
});
