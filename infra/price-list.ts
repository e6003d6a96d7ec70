// Prices from AWS's Price List API at deploy: aws.pricing.getProduct through a provider in the Price List's own
// region, each lookup under its own deadline. Never a reason to fail: a lookup that errs, times out, matches
// nothing or answers something that is not a price becomes the reason the plan gives when it falls back to the
// table (model/cost.ts). What to ask and how to read the answer are model/price-list.ts's.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { WarmstackConfig } from "../model/config";
import {
    listedFrom,
    PRICE_LIST_ENDPOINT_REGION,
    stackPriceQueries,
    type ListedPrices,
    type PriceQuery,
} from "../model/price-list";

/** How long one lookup may take before the deploy prices from the table instead. */
export const PRICE_LOOKUP_TIMEOUT_MS = 10_000;

/**
 * The provider the lookups go through: the Price List answers in PRICE_LIST_ENDPOINT_REGION whatever the stack's
 * region. An explicit provider reads none of the stack's `aws:` config, so the stack's profile is passed on.
 */
export function priceListProvider(name = "price-list", opts: pulumi.CustomResourceOptions = {}): aws.Provider {
    const profile = new pulumi.Config("aws").get("profile");
    return new aws.Provider(name, { region: PRICE_LIST_ENDPOINT_REGION, ...(profile && { profile }) }, opts);
}

/** Each query's answer, asked at once; `timeoutMs` is each one's own deadline. */
export async function listPrices(
    queries: PriceQuery[],
    region: string,
    provider: pulumi.ProviderResource,
    timeoutMs = PRICE_LOOKUP_TIMEOUT_MS,
): Promise<ListedPrices> {
    const answers = await Promise.all(
        queries.map(async (q) => {
            const lookup = aws.pricing
                .getProduct({ serviceCode: q.serviceCode, filters: q.filters }, { provider })
                .then((found) => ({ products: [found.result] }));
            return [q.key, listedFrom(region, await settled(lookup, timeoutMs))] as const;
        }),
    );
    return Object.fromEntries(answers);
}

/** The lookup's answer, or why there is none: its error's first line, or that it did not answer in time. */
async function settled<T extends object>(lookup: Promise<T>, ms: number): Promise<T | { failed: string }> {
    let timer: NodeJS.Timeout | undefined;
    // A getProduct that never answers cannot be cancelled; the deadline only stops the plan waiting for it.
    const deadline = new Promise<{ failed: string }>((resolve) => {
        timer = setTimeout(() => resolve({ failed: `no answer within ${ms} ms` }), ms);
    });
    try {
        return await Promise.race([lookup, deadline]);
    } catch (err) {
        const message = ((err as { details?: string }).details ?? (err as Error).message ?? String(err)).trim();
        return { failed: message.split("\n")[0] };
    } finally {
        clearTimeout(timer);
    }
}

/**
 * The stack's prices from the AWS Price List, for its region: `config` as deployed (a built system's, or an
 * attached stack's with production's types). Each one it cannot give says why. `scope`: the provider's name and
 * parent, when a program of the user's own holds the stack's resources (infra/attached.ts).
 */
export async function stackPrices(
    config: WarmstackConfig,
    scope: { name?: string; parent?: pulumi.Resource } = {},
): Promise<ListedPrices> {
    const opts = scope.parent ? { parent: scope.parent } : {};
    const queries = stackPriceQueries(config, (await aws.getRegion({}, opts)).region);
    if (queries.length === 0) return {};
    return listPrices(queries, queries[0].filters[0].value, priceListProvider(scope.name, opts));
}
