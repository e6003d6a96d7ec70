// What to ask AWS's Price List API for each price the cost needs, and how to read its answer. Pure: the deploy
// (infra/price-list.ts, through aws.pricing.getProduct) and `warmstack plan --prices aws` (warmers/cli/
// price-list.ts, through the SDK's GetProducts) ask the same questions and read the answers the same way; the
// prices they find feed the plan as inputs (PlanOptions.prices), and what they could not find falls back to the
// dated table in model/prices.ts, saying why (model/cost.ts).
import type { WarmstackConfig } from "./config";

/** The prices the Price List is asked for: what an instance type costs an hour. */
export type ListedKey = "instanceHourly" | "replicaHourly" | "cacheNodeHourly";

/** A price the Price List gave, or why it gave none (the plan falls back to the table and says this). */
export type Listed = { value: number; source: string } | { failed: string };

export type ListedPrices = Partial<Record<ListedKey, Listed>>;

/** One TERM_MATCH filter of GetProducts: the product attribute and the value it must have. */
export interface PriceFilter {
    field: string;
    value: string;
}

export interface PriceQuery {
    key: ListedKey;
    /** The instance type or class asked about, for the lines that report it. */
    type: string;
    serviceCode: "AmazonEC2" | "AmazonRDS" | "AmazonElastiCache";
    filters: PriceFilter[];
}

/** The Price List's databaseEngine values for what warmstack's replicas run on. */
export type DatabaseEngine = "PostgreSQL" | "Aurora PostgreSQL";
/** The Price List's cacheEngine values for what warmstack's cache runs. */
export type CacheEngine = "Redis" | "Valkey";

/**
 * Where the Price List Query API answers (AWS's Billing User Guide lists us-east-1, eu-central-1 and ap-south-1;
 * the endpoint is not the region priced: the `regionCode` filter is). us-east-1 is the one every tool agrees on.
 */
export const PRICE_LIST_ENDPOINT_REGION = "us-east-1";

/** The label of a price the Price List gave, in the plan's `prices` and its assumptions. */
export const priceListSource = (region: string): string => `AWS Price List API (${region} on-demand)`;

const filters = (given: Record<string, string>): PriceFilter[] =>
    Object.entries(given).map(([field, value]) => ({ field, value }));

/** An EC2 instance type, Linux with no software, shared tenancy, on-demand capacity (not a reservation). */
export function instanceQuery(region: string, type: string): PriceQuery {
    return {
        key: "instanceHourly",
        type,
        serviceCode: "AmazonEC2",
        filters: filters({
            regionCode: region,
            productFamily: "Compute Instance",
            instanceType: type,
            operatingSystem: "Linux",
            tenancy: "Shared",
            preInstalledSw: "NA",
            licenseModel: "No License required",
            // "Used" is the instance itself; the others are a capacity reservation's used and unused hours.
            capacitystatus: "Used",
        }),
    };
}

/** An RDS instance class single-AZ, which is what a read replica (or an Aurora reader) is billed as. */
export function replicaQuery(region: string, instanceClass: string, engine: DatabaseEngine): PriceQuery {
    return {
        key: "replicaHourly",
        type: instanceClass,
        serviceCode: "AmazonRDS",
        filters: filters({
            regionCode: region,
            productFamily: "Database Instance",
            instanceType: instanceClass,
            databaseEngine: engine,
            deploymentOption: "Single-AZ",
        }),
    };
}

/** An ElastiCache node type running `engine`. */
export function cacheNodeQuery(region: string, nodeType: string, engine: CacheEngine): PriceQuery {
    return {
        key: "cacheNodeHourly",
        type: nodeType,
        serviceCode: "AmazonElastiCache",
        filters: filters({
            regionCode: region,
            productFamily: "Cache Instance",
            instanceType: nodeType,
            cacheEngine: engine,
        }),
    };
}

/**
 * The lookups a built stack in `region` needs: its app instance type, its replicas' class (RDS for PostgreSQL) and
 * its cache nodes' type (ElastiCache for Redis OSS). A price warmstack:cost.* sets is not asked for.
 */
export function stackPriceQueries(config: WarmstackConfig, region: string): PriceQuery[] {
    const { cost, compute, database, cache } = config;
    return [
        ...(cost.instanceHourly === undefined ? [instanceQuery(region, compute.instanceType)] : []),
        ...(cost.replicaHourly === undefined ? [replicaQuery(region, database.instanceClass, "PostgreSQL")] : []),
        ...(cost.cacheNodeHourly === undefined ? [cacheNodeQuery(region, cache.nodeType, "Redis")] : []),
    ];
}

/**
 * The on-demand hourly price in one Price List product (a GetProducts PriceList entry, JSON text): its one
 * OnDemand term's one per-hour dimension, in USD. Anything else is a problem, never a guess.
 */
export function onDemandHourly(text: string): { hourly: number } | { problem: string } {
    let product: unknown;
    try {
        product = JSON.parse(text);
    } catch {
        return { problem: "its answer is not JSON" };
    }
    const terms = record(record(product)?.terms)?.OnDemand;
    const onDemand = Object.values(record(terms) ?? {});
    if (onDemand.length !== 1) return { problem: `${onDemand.length} on-demand terms where one was expected` };
    const dimensions = Object.values(record(record(onDemand[0])?.priceDimensions) ?? {}).map(record);
    const hourly = dimensions.filter((d) => d?.unit === "Hrs");
    if (hourly.length !== 1) return { problem: `${hourly.length} per-hour prices where one was expected` };
    const usd = record(hourly[0]?.pricePerUnit)?.USD;
    const value = typeof usd === "string" && /^\d+(\.\d+)?$/.test(usd) ? Number(usd) : NaN;
    // A price of 0 is what the Price List shows for a product it does not sell on demand.
    if (!(value > 0)) return { problem: `its per-hour USD price is ${JSON.stringify(usd)}, not a positive number` };
    return { hourly: value };
}

const record = (x: unknown): Record<string, unknown> | undefined =>
    x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;

/** The answer to one lookup, as the plan takes it: the price, or why there is none. */
export function listedFrom(region: string, answer: { products: string[] } | { failed: string }): Listed {
    if ("failed" in answer) return answer;
    const { products } = answer;
    if (products.length === 0) return { failed: `no product matches in ${region}` };
    if (products.length > 1) return { failed: `${products.length} products match in ${region} where one was expected` };
    const price = onDemandHourly(products[0]);
    return "problem" in price ? { failed: price.problem } : { value: price.hourly, source: priceListSource(region) };
}
