// The Price List's questions and answers, pure: the on-demand hourly price read out of a product, every other
// answer a reason rather than a guess, and the order a price is taken in: warmstack:cost, the Price List, the table.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { resolvePrices } from "../../model/cost";
import { listedFrom, onDemandHourly, stackPriceQueries } from "../../model/price-list";
import { configWith, runs } from "./fixtures";

/** A product as GetProducts returns it, with `dimensions` per-hour or not. */
const product = (dimensions: { unit: string; usd: string }[], terms = 1) =>
    JSON.stringify({
        product: { attributes: { instanceType: "c7i.large" } },
        terms: {
            OnDemand: Object.fromEntries(
                Array.from({ length: terms }, (_, t) => [
                    `SKU.T${t}`,
                    {
                        priceDimensions: Object.fromEntries(
                            dimensions.map((d, i) => [
                                `SKU.T${t}.D${i}`,
                                { unit: d.unit, pricePerUnit: { USD: d.usd } },
                            ]),
                        ),
                    },
                ]),
            ),
            Reserved: { "SKU.R": { priceDimensions: { x: { unit: "Hrs", pricePerUnit: { USD: "0.01" } } } } },
        },
    });

describe("price list", () => {
    it("reads the one on-demand per-hour USD price, whatever it is", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 10 ** 10 }), (tenThousandths) => {
                const usd = (tenThousandths / 10_000).toFixed(10);
                assert.deepEqual(onDemandHourly(product([{ unit: "Hrs", usd }])), { hourly: Number(usd) });
            }),
            { numRuns: runs(200) },
        );
    });

    for (const [answer, problem] of [
        ["[", "its answer is not JSON"],
        [product([{ unit: "Hrs", usd: "0.1" }], 2), "2 on-demand terms where one was expected"],
        [product([{ unit: "Quantity", usd: "0.1" }]), "0 per-hour prices where one was expected"],
        [
            product([
                { unit: "Hrs", usd: "0.1" },
                { unit: "Hrs", usd: "0.2" },
            ]),
            "2 per-hour prices where one was expected",
        ],
        [
            product([{ unit: "Hrs", usd: "0.0000000000" }]),
            'its per-hour USD price is "0.0000000000", not a positive number',
        ],
        [product([{ unit: "Hrs", usd: "-1" }]), 'its per-hour USD price is "-1", not a positive number'],
        [product([{ unit: "Hrs", usd: "1e3" }]), 'its per-hour USD price is "1e3", not a positive number'],
    ] as const) {
        it(`says why an answer is no price: ${problem}`, () => {
            assert.deepEqual(onDemandHourly(answer), { problem });
        });
    }

    it("none or several products are no price either, and say how many in which region", () => {
        const one = product([{ unit: "Hrs", usd: "0.5" }]);
        assert.deepEqual(listedFrom("eu-west-1", { products: [] }), { failed: "no product matches in eu-west-1" });
        assert.deepEqual(listedFrom("eu-west-1", { products: [one, one] }), {
            failed: "2 products match in eu-west-1 where one was expected",
        });
        assert.deepEqual(listedFrom("eu-west-1", { products: [one] }), {
            value: 0.5,
            source: "AWS Price List API (eu-west-1 on-demand)",
        });
        assert.deepEqual(listedFrom("eu-west-1", { failed: "timed out" }), { failed: "timed out" });
    });

    it("asks only for what warmstack:cost does not set", () => {
        const all = configWith(() => undefined);
        assert.deepEqual(
            stackPriceQueries(all, "eu-west-1").map((q) => [q.key, q.serviceCode, q.type]),
            [
                ["instanceHourly", "AmazonEC2", all.compute.instanceType],
                ["replicaHourly", "AmazonRDS", all.database.instanceClass],
                ["cacheNodeHourly", "AmazonElastiCache", all.cache.nodeType],
            ],
        );
        const set = configWith((r) => (r.cost = { instanceHourly: 1, replicaHourly: 1, cacheNodeHourly: 1 }));
        assert.deepEqual(stackPriceQueries(set, "eu-west-1"), []);
    });

    it("takes a price from warmstack:cost, else the Price List, else the table, saying when it fell back", () => {
        const listed = {
            instanceHourly: { value: 0.3, source: "AWS Price List API (eu-west-1 on-demand)" },
            replicaHourly: { failed: "no product matches in eu-west-1" },
        };
        const config = configWith((r) => (r.cost = { cacheNodeHourly: 9 }));
        const { prices, fellBack, unpriced } = resolvePrices(config, {
            ...listed,
            cacheNodeHourly: { value: 1, source: "AWS Price List API (eu-west-1 on-demand)" },
        });
        assert.deepEqual(prices.instanceHourly, listed.instanceHourly);
        assert.match(prices.replicaHourly.source, /^model\/prices\.ts/);
        assert.deepEqual(prices.cacheNodeHourly, { value: 9, source: "warmstack:cost.cacheNodeHourly" });
        assert.deepEqual(fellBack, [
            {
                key: "warmstack:cost.replicaHourly",
                what: `database.instanceClass ${JSON.stringify(config.database.instanceClass)} replicas (their hourly price, USD)`,
                priceList: "no product matches in eu-west-1",
            },
        ]);
        assert.deepEqual(unpriced, []);
        // Not asked: nothing fell back.
        assert.deepEqual(resolvePrices(config).fellBack, []);
    });
});
