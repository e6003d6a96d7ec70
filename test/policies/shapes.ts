// The shapes the program registers, for the policies' tests: the blackfriday and launch events, built, under
// mocks, computed once for every file that judges them, with the cache left cold so that cache-prewarmed and
// whole-chain-warm have something to find; the replicas' buffers warm (relations given), so that the cache is
// the one cold link to begin with.
import { strict as assert } from "node:assert";
import { Policy } from "@pulumi/policy";
import { committedPackConfig, EngineResource, PackConfig, programResources, withoutPrewarm } from "./harness";
import { verdicts } from "./verdicts";
import { BUILT_EVENT, BUILT_HIBERNATED_EVENT } from "../support/pulumi";

export const CONFIG = committedPackConfig("blackfriday");

/** The stack's database config with relations for the replicas' buffer warm. */
function withRelations(config: Record<string, string>) {
    const database = JSON.parse(config["warmstack:database"]);
    database.prewarm = { ...database.prewarm, relations: ["catalog.products", "catalog.products_pkey"] };
    config["warmstack:database"] = JSON.stringify(database);
}

let shapes: Promise<{ bf: EngineResource[]; launch: EngineResource[] }> | undefined;

/** The two stacks' resources, from one run of the program each, however many files ask. */
export function programShapes() {
    shapes ??= (async () => ({
        bf: withoutPrewarm(await programResources(BUILT_EVENT, withRelations)),
        launch: withoutPrewarm(await programResources(BUILT_HIBERNATED_EVENT, withRelations)),
    }))();
    return shapes;
}

/** The pack's verdicts under the committed stack's pack config unless another is given. */
export const shapeVerdicts = (policy: Policy, resources: EngineResource[], config: PackConfig = CONFIG) =>
    verdicts(policy, resources, config);

export async function shapePasses(policy: Policy, resources: EngineResource[], config: PackConfig = CONFIG) {
    assert.deepEqual((await shapeVerdicts(policy, resources, config)).found, []);
}

/** The committed pack config with `properties` over one policy's settings. */
export const withConfig = (policy: string, properties: Record<string, unknown>): PackConfig => ({
    ...CONFIG,
    [policy]: { ...(CONFIG[policy] as object), ...properties },
});
