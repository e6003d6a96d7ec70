// Prices from the AWS Price List at deploy, under mocks: what getProduct is asked and through which provider, an
// answer used as the plan's price, and every way of not answering falling back to the table with one warning.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { listPrices, priceListProvider } from "../../infra/price-list";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { instanceQuery } from "../../model/price-list";
import {
    BUILT_EVENT,
    editedConfig,
    NOW,
    priceListProduct,
    productionWorld,
    runProgram,
    stackConfig,
    type AwsWorld,
    type ProgramRun,
} from "../support/pulumi";

const GET_PRODUCT = "aws:pricing/getProduct:getProduct";

/** The program on `config` in `world`, with every warning it logs. */
async function deploy(config: Record<string, string>, world: AwsWorld): Promise<{ run: ProgramRun; warned: string[] }> {
    const warned: string[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = async (message: string) => void warned.push(message);
    try {
        return { run: await runProgram(config, () => warmstackFromPulumiConfig(NOW), "test", world), warned };
    } finally {
        pulumi.log.warn = warn;
    }
}

/** The EC2 product the stack's lookup of `type` matches. */
const ec2 = (region: string, type: string, usd: string) =>
    priceListProduct(
        "AmazonEC2",
        Object.fromEntries(instanceQuery(region, type).filters.map((f) => [f.field, f.value])),
        usd,
    );
const m7i = (region: string, usd: string) => ec2(region, "m7i.large", usd);
/** the built event's app instance product, its terms edited. */
function edited(edit: (product: any) => void): string {
    const product = JSON.parse(ec2("us-east-1", "c7i.xlarge", "0.1785000000"));
    edit(product);
    return JSON.stringify(product);
}

describe("program under mocks: prices from the AWS Price List", () => {
    it("asks getProduct through a us-east-1 provider for the stack's region, type, OS or engine and tenancy", async () => {
        const world = { ...productionWorld(), region: "eu-west-1" };
        const { run } = await deploy(stackConfig(BUILT_EVENT), world);
        const provider = run.one("pulumi:providers:aws", "price-list");
        assert.equal(provider.inputs.region, "us-east-1");
        const asked = world.invokes.filter((i) => i.token === GET_PRODUCT);
        assert.deepEqual(
            asked.map((i) => i.provider),
            asked.map(() => `${provider.urn}::${provider.id}`),
        );
        const filters = (serviceCode: string) =>
            Object.fromEntries(
                asked
                    .find((i) => i.inputs.serviceCode === serviceCode)!
                    .inputs.filters.map((f: { field: string; value: string }) => [f.field, f.value]),
            );
        assert.deepEqual(filters("AmazonEC2"), {
            regionCode: "eu-west-1",
            productFamily: "Compute Instance",
            instanceType: "c7i.xlarge",
            operatingSystem: "Linux",
            tenancy: "Shared",
            preInstalledSw: "NA",
            licenseModel: "No License required",
            capacitystatus: "Used",
        });
        assert.deepEqual(filters("AmazonRDS"), {
            regionCode: "eu-west-1",
            productFamily: "Database Instance",
            instanceType: "db.r6g.2xlarge",
            databaseEngine: "PostgreSQL",
            deploymentOption: "Single-AZ",
        });
        assert.deepEqual(filters("AmazonElastiCache"), {
            regionCode: "eu-west-1",
            productFamily: "Cache Instance",
            instanceType: "cache.r7g.xlarge",
            cacheEngine: "Redis",
        });
        assert.equal(asked.length, 3);
    });

    it("prices from the answer: a type the table lacks is priced, and nothing warns of it", async () => {
        const world = productionWorld();
        world.priceList.push(m7i("us-east-1", "0.1008000000"));
        const config = editedConfig(BUILT_EVENT, { compute: (c) => ({ ...c, instanceType: "m7i.large" }) });
        const { run, warned } = await deploy(config, world);
        assert.deepEqual(run.outputs.plan.cost.prices.instanceHourly, {
            value: 0.1008,
            source: "AWS Price List API (us-east-1 on-demand)",
        });
        assert.equal(run.outputs.plan.cost.prices.replicaHourly.source, "AWS Price List API (us-east-1 on-demand)");
        assert.deepEqual(
            warned.filter((w) => w.includes("Price List") || w.includes("warmstack:cost.instanceHourly")),
            [],
        );
    });

    it("a price warmstack:cost sets is not asked for", async () => {
        const world = productionWorld();
        const config = editedConfig(BUILT_EVENT, { cost: (c) => ({ ...c, instanceHourly: 0.5 }) });
        const { run } = await deploy(config, world);
        const asked = world.invokes.filter((i) => i.token === GET_PRODUCT).map((i) => i.inputs.serviceCode);
        assert.deepEqual(asked.sort(), ["AmazonElastiCache", "AmazonRDS"]);
        assert.equal(run.outputs.plan.cost.prices.instanceHourly.source, "warmstack:cost.instanceHourly");
    });

    it("no product matches: the table's price, with one warning naming the type and what failed", async () => {
        const world = { ...productionWorld(), priceList: [] };
        const { run, warned } = await deploy(stackConfig(BUILT_EVENT), world);
        const { prices } = run.outputs.plan.cost;
        assert.equal(prices.instanceHourly.value, 0.1785);
        assert.match(prices.instanceHourly.source, /^model\/prices\.ts \(us-east-1 on-demand, \d{4}-\d\d-\d\d\)$/);
        const about = (type: string) => warned.filter((w) => w.includes(type));
        assert.equal(about('compute.instanceType "c7i.xlarge" (its hourly').length, 1);
        assert.match(
            about('compute.instanceType "c7i.xlarge" (its hourly')[0],
            /^the AWS Price List gave no price for compute\.instanceType "c7i\.xlarge" \(its hourly price, USD\) \(reading Pricing Product: query returned 0 products, expected exactly one\): priced from model\/prices\.ts .* \(set warmstack:cost\.instanceHourly to give it\)$/,
        );
        assert.equal(about('database.instanceClass "db.r6g.2xlarge"').length, 1);
        assert.equal(about('cache.nodeType "cache.r7g.xlarge"').length, 1);
        // Still deployed, whole.
        assert.equal(run.ofType("aws:ec2/launchTemplate:LaunchTemplate").length, 1);
    });

    it("a type neither the Price List nor the table prices: one warning, saying both", async () => {
        const world = productionWorld();
        const config = editedConfig(BUILT_EVENT, { compute: (c) => ({ ...c, instanceType: "m7i.large" }) });
        const { warned } = await deploy(config, world);
        const hourly = warned.filter((w) => w.includes("warmstack:cost.instanceHourly"));
        assert.equal(hourly.length, 1);
        assert.match(
            hourly[0],
            /^cannot price compute\.instanceType "m7i\.large" \(its hourly price, USD\) \(set warmstack:cost\.instanceHourly\): the AWS Price List gave no price \(reading Pricing Product: query returned 0 products, expected exactly one\) and model\/prices\.ts .* does not list it/,
        );
    });

    for (const [answer, problem] of [
        ["{not json", /its answer is not JSON/],
        [ec2("us-east-1", "c7i.xlarge", "0.0000000000"), /its per-hour USD price is "0\.0000000000", not a positive/],
        [edited((p) => (p.terms.OnDemand = {})), /0 on-demand terms where one was expected/],
        [
            edited((p) => Object.values<any>(p.terms.OnDemand).forEach((t) => (t.priceDimensions = {}))),
            /0 per-hour prices where one was expected/,
        ],
    ] as const) {
        it(`a malformed answer (${problem.source.slice(0, 24)}…) falls back to the table, saying why`, async () => {
            const world = { ...productionWorld(), priceList: [answer] };
            const config = editedConfig(BUILT_EVENT, {
                cost: (c) => ({ ...c, replicaHourly: 1, cacheNodeHourly: 1 }),
            });
            const { run, warned } = await deploy(config, world);
            assert.equal(run.outputs.plan.cost.prices.instanceHourly.value, 0.1785);
            const fellBack = warned.filter((w) => w.startsWith("the AWS Price List gave no price"));
            assert.equal(fellBack.length, 1);
            assert.match(fellBack[0], problem);
            const [only, ...more] = run.outputs.plan.cost.fellBack;
            assert.deepEqual(more, []);
            assert.equal(only.key, "warmstack:cost.instanceHourly");
            assert.match(only.priceList, problem);
        });
    }

    it("a lookup that does not answer in time falls back: each lookup has its own deadline", async () => {
        const world = { ...productionWorld(), priceListDelayMs: 400 };
        const lookup = (timeoutMs: number) => () => ({
            listed: listPrices([instanceQuery("us-east-1", "c7i.xlarge")], "us-east-1", priceListProvider(), timeoutMs),
        });
        const late = await runProgram({}, lookup(50), "test", world);
        assert.deepEqual(late.outputs.listed, { instanceHourly: { failed: "no answer within 50 ms" } });
        // The same answer within the deadline is the price.
        const inTime = await runProgram({}, lookup(5_000), "test", { ...world, invokes: [] });
        assert.equal(inTime.outputs.listed.instanceHourly.value, 0.1785);
    });
});
