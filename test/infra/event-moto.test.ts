// What the attached stack sends for Aurora's readers (Application Auto Scaling) and for the agent's delivery (the
// SSM documents), taken from the program under mocks and played against moto: accepted as sent, updated, and
// deleted back to nothing — production as it was. Pulumi's AWS provider would make these same calls; moto stands
// in for AWS. CompleteLifecycleAction and warm pool instances are not exercised here (moto lacks them).
import { strict as assert } from "node:assert";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { awsJson, Moto, startMoto } from "../support/moto";
import { NOW, PRODUCTION, ProgramRun, runProgram, stackConfig, T, BUILT_EVENT } from "../support/pulumi";

function auroraConfig(): Record<string, string> {
    const config = stackConfig(BUILT_EVENT);
    const drop = (key: string, keys: string[]) => {
        const block = JSON.parse(config[`warmstack:${key}`]);
        for (const k of keys) delete block[k];
        config[`warmstack:${key}`] = JSON.stringify(block);
    };
    drop("compute", ["amiId", "instanceType"]);
    drop("cache", ["nodeType", "replicas"]);
    drop("database", ["instanceClass", "engineVersion"]);
    delete config["warmstack:network"];
    config["warmstack:production"] = JSON.stringify({
        autoScalingGroup: "shop-web",
        cacheReplicationGroup: "shop-redis",
        cacheAuthTokenSecretArn: PRODUCTION.tokenSecretArn,
        databaseCluster: "shop-aurora",
        databaseWarmerSecretArn: PRODUCTION.warmerSecretArn,
    });
    return config;
}

describe("attached stack's AWS calls against moto", function () {
    this.timeout(120_000);
    let moto: Moto;
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(auroraConfig(), () => warmstackFromPulumiConfig(NOW), "blackfriday");
        moto = await startMoto();
    });
    after(async () => moto?.stop());

    const scaling = (action: string, body: object) =>
        awsJson(moto, "application-autoscaling", `AnyScaleFrontendService.${action}`, body);
    const ssm = (action: string, body: object) => awsJson(moto, "ssm", `AmazonSSM.${action}`, body);

    it("registers Aurora's reader target and its scheduled actions, updates them, and deregisters to nothing", async () => {
        const target = run.one(T.scalableTarget).inputs;
        const key = {
            ServiceNamespace: target.serviceNamespace,
            ResourceId: target.resourceId,
            ScalableDimension: target.scalableDimension,
        };
        await scaling("RegisterScalableTarget", {
            ...key,
            MinCapacity: target.minCapacity,
            MaxCapacity: target.maxCapacity,
        });
        const actions = run.ofType(T.scalingSchedule).map((a) => a.inputs);
        assert.equal(actions.length, 2);
        for (const a of actions) {
            await scaling("PutScheduledAction", {
                ...key,
                ScheduledActionName: a.name,
                Schedule: a.schedule,
                Timezone: a.timezone,
                ScalableTargetAction: {
                    MinCapacity: a.scalableTargetAction.minCapacity,
                    MaxCapacity: a.scalableTargetAction.maxCapacity,
                },
            });
        }
        const listed = await scaling("DescribeScheduledActions", {
            ServiceNamespace: "rds",
            ResourceId: key.ResourceId,
        });
        assert.deepEqual(
            listed.ScheduledActions.map((a: any) => [
                a.ScheduledActionName,
                a.Schedule,
                a.ScalableTargetAction.MinCapacity,
            ]).sort(),
            actions.map((a) => [a.name, a.schedule, a.scalableTargetAction.minCapacity]).sort(),
        );
        // An update (a later deploy) re-registers the same target with new bounds.
        await scaling("RegisterScalableTarget", {
            ...key,
            MinCapacity: target.minCapacity,
            MaxCapacity: target.maxCapacity + 1,
        });
        const [registered] = (await scaling("DescribeScalableTargets", { ServiceNamespace: "rds" })).ScalableTargets;
        assert.equal(registered.MaxCapacity, target.maxCapacity + 1);
        // Destroy: actions first, then the target; the cluster keeps no trace of the event.
        for (const a of actions) await scaling("DeleteScheduledAction", { ...key, ScheduledActionName: a.name });
        await scaling("DeregisterScalableTarget", key);
        assert.deepEqual((await scaling("DescribeScalableTargets", { ServiceNamespace: "rds" })).ScalableTargets, []);
        assert.deepEqual((await scaling("DescribeScheduledActions", { ServiceNamespace: "rds" })).ScheduledActions, []);
    });

    it("creates the agent's Command and Automation documents as sent, updates one, and deletes both", async () => {
        const docs = run.ofType(T.document).map((d) => d.inputs);
        assert.deepEqual(docs.map((d) => d.documentType).sort(), ["Automation", "Command"]);
        for (const d of docs) {
            const created = await ssm("CreateDocument", {
                Name: `warmstack-${d.documentType}`,
                Content: d.content,
                DocumentType: d.documentType,
                DocumentFormat: d.documentFormat,
            });
            assert.equal(created.DocumentDescription.DocumentType, d.documentType);
            const got = await ssm("GetDocument", { Name: `warmstack-${d.documentType}` });
            assert.deepEqual(JSON.parse(got.Content), JSON.parse(d.content), "stored as sent");
        }
        const command = docs.find((d) => d.documentType === "Command")!;
        const changed = JSON.parse(command.content);
        changed.description += " (v2)";
        const updated = await ssm("UpdateDocument", {
            Name: "warmstack-Command",
            Content: JSON.stringify(changed),
            DocumentVersion: "$LATEST",
            DocumentFormat: "JSON",
        });
        assert.equal(updated.DocumentDescription.DocumentVersion, "2");
        for (const d of docs) await ssm("DeleteDocument", { Name: `warmstack-${d.documentType}` });
        const owned = await ssm("ListDocuments", { Filters: [{ Key: "Owner", Values: ["Self"] }] });
        assert.deepEqual(owned.DocumentIdentifiers, []);
    });
});
