// provisioned-concurrency-on-alias over the pack's protocol: $LATEST blocks, on a ProvisionedConcurrencyConfig and
// on an Application Auto Scaling target; an alias or a version passes, and so does a target of another kind.
import { provisionedConcurrencyOnAlias } from "../../policies/functions";
import { TYPES } from "../../policies/shared/contract";
import { strict as assert } from "node:assert";
import { resource } from "./fixtures";
import { passes, verdicts } from "./verdicts";

const config = (qualifier: string) =>
    resource(TYPES.provisionedConcurrency, "pc", {
        functionName: "checkout",
        qualifier,
        provisionedConcurrentExecutions: 10,
    });
const target = (resourceId: string, scalableDimension = "lambda:function:ProvisionedConcurrency") =>
    resource(TYPES.scalableTarget, "pc-target", {
        serviceNamespace: "lambda",
        scalableDimension,
        resourceId,
        minCapacity: 0,
        maxCapacity: 10,
    });

describe("policy provisioned-concurrency-on-alias", () => {
    it("blocks provisioned concurrency on $LATEST, set directly or through a scalable target", async () => {
        const direct = await verdicts(provisionedConcurrencyOnAlias, [config("$LATEST")]);
        assert.deepEqual(direct.found, ["provisioned-concurrency-on-alias mandatory pc"]);
        assert.equal(
            direct.messages.split("\n").pop(),
            "pc: provisioned concurrency on $LATEST, which Lambda refuses. Publish a version and point an alias at " +
                "it (warmstack:functions[i].alias), and provision that.",
        );
        const scaled = await verdicts(provisionedConcurrencyOnAlias, [target("function:checkout:$LATEST")]);
        assert.deepEqual(scaled.found, ["provisioned-concurrency-on-alias mandatory pc-target"]);
    });

    it("passes an alias or a version, and a scalable target of another dimension", async () => {
        await passes(provisionedConcurrencyOnAlias, [config("live"), config("7"), target("function:checkout:live")]);
        await passes(provisionedConcurrencyOnAlias, [target("cluster:$LATEST", "rds:cluster:ReadReplicaCount")]);
    });

    it("judges targets only: a scheduled action on the dimension, and a target with no resourceId, pass", async () => {
        const action = resource(TYPES.scalingSchedule, "pc-ramp", {
            scalableDimension: "lambda:function:ProvisionedConcurrency",
            resourceId: "function:checkout:$LATEST",
        });
        await passes(provisionedConcurrencyOnAlias, [action]);
        const bare = target("function:checkout:live");
        delete bare.inputs.resourceId;
        delete bare.outputs.resourceId;
        await passes(provisionedConcurrencyOnAlias, [bare]);
    });
});
