// `warmstack plan --prices aws`: the stack's prices from AWS's Price List API with the caller's credentials
// (GetProducts, each request under its own deadline), the answers kept in a cache file the next runs reuse while
// they are young. The questions and the reading of the answers are model/price-list.ts's, the same the deploy
// asks; a price the Price List does not give falls back to the table, and the plan says so for that type.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import {
    listedFrom,
    PRICE_LIST_ENDPOINT_REGION,
    type Listed,
    type ListedPrices,
    type PriceQuery,
} from "../../model/price-list";
import { fieldError } from "../fields";
import { CALL_TIMEOUT_MS, sdkClientOptions } from "../sdk-options";
import { abortAfter, TimeoutError } from "../timeout";

/** Where `plan` takes its prices from: the bundled table (offline), or the AWS Price List. */
export const PRICE_SOURCES = ["table", "aws"] as const;
export type PriceSource = (typeof PRICE_SOURCES)[number];

/** How old a cached answer may be before it is asked again: AWS changes prices rarely, and not within a day. */
export const PRICE_CACHE_MAX_AGE_HOURS = 24;

/** `--prices`: one of PRICE_SOURCES. */
export function priceSourceFlag(value: string): PriceSource {
    if ((PRICE_SOURCES as readonly string[]).includes(value)) return value as PriceSource;
    throw fieldError(
        "prices",
        "table (the bundled, dated table: offline) or aws (the AWS Price List, with your AWS credentials)",
        value,
    );
}

/** The cache file: $XDG_CACHE_HOME/warmstack/prices.json, else ~/.cache/warmstack/prices.json. */
export function priceCacheFile(env: NodeJS.ProcessEnv = process.env): string {
    const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(base, "warmstack", "prices.json");
}

/** One answer kept: when it was asked, and the price. Only prices are kept: a miss is asked again next time. */
interface Cached {
    at: string;
    price: { value: number; source: string };
}
type Cache = Record<string, Cached>;

/** The question as the cache keys it: the service and every filter. */
const cacheKey = (q: PriceQuery) => `${q.serviceCode}?${q.filters.map((f) => `${f.field}=${f.value}`).join("&")}`;

export interface PriceListRun {
    prices: ListedPrices;
    /** What `plan` prints about it: where the prices came from and the cache file. */
    lines: string[];
}

/** The answers to `queries` for `region`: young cached ones reused, the rest asked, the cache rewritten. */
export async function listPricesWithSdk(
    queries: PriceQuery[],
    region: string,
    now: number,
    file = priceCacheFile(),
): Promise<PriceListRun> {
    const { cache, unreadable } = readCache(file);
    const maxAgeMs = PRICE_CACHE_MAX_AGE_HOURS * 3_600_000;
    const young = (c: Cached | undefined) =>
        c !== undefined && now - Date.parse(c.at) >= 0 && now - Date.parse(c.at) < maxAgeMs;
    const client = new PricingClient({ ...sdkClientOptions(), region: PRICE_LIST_ENDPOINT_REGION });
    let reused = 0;
    try {
        const answers = await Promise.all(
            queries.map(async (q): Promise<[PriceQuery, Listed]> => {
                const kept = cache[cacheKey(q)];
                if (young(kept)) {
                    reused += 1;
                    return [q, kept!.price];
                }
                const listed = listedFrom(region, await getProducts(client, q));
                if ("value" in listed) cache[cacheKey(q)] = { at: new Date(now).toISOString(), price: listed };
                return [q, listed];
            }),
        );
        const written = writeCache(file, cache);
        const asked = queries.length - reused;
        return {
            prices: Object.fromEntries(answers.map(([q, listed]) => [q.key, listed])),
            lines: [
                `prices: the AWS Price List for ${region} (${asked} asked, ${reused} reused from the cache, ` +
                    `which keeps an answer ${PRICE_CACHE_MAX_AGE_HOURS} h)`,
                ...(unreadable ? [`price cache: ${file} could not be read (${unreadable}); asked again`] : []),
                written === undefined ? `price cache: ${file}` : `price cache: ${file} not written (${written})`,
            ],
        };
    } finally {
        client.destroy();
    }
}

/** GetProducts for one question, under its own deadline: its products, or why there are none. */
async function getProducts(client: PricingClient, q: PriceQuery): Promise<{ products: string[] } | { failed: string }> {
    try {
        const answer = await abortAfter(CALL_TIMEOUT_MS, `pricing:GetProducts (${q.type})`, (abortSignal) =>
            client.send(
                new GetProductsCommand({
                    ServiceCode: q.serviceCode,
                    Filters: q.filters.map((f) => ({ Type: "TERM_MATCH", Field: f.field, Value: f.value })),
                    FormatVersion: "aws_v1",
                    // Two tell "one" from "more than one", which is a question that does not name one product.
                    MaxResults: 2,
                }),
                { abortSignal },
            ),
        );
        // Each product is JSON text on the wire; the SDK's type also allows its own JSON wrapper, which String() reads.
        const list: unknown = answer.PriceList;
        return { products: Array.isArray(list) ? list.map(String) : [] };
    } catch (err) {
        if (err instanceof TimeoutError) return { failed: err.message };
        const e = err as { name?: string; message?: string };
        return { failed: `pricing:GetProducts: ${e.name ?? "Error"}: ${(e.message ?? String(err)).split("\n")[0]}` };
    }
}

function readCache(file: string): { cache: Cache; unreadable?: string } {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return code === "ENOENT" ? { cache: {} } : { cache: {}, unreadable: code ?? String(err) };
    }
    try {
        const parsed: unknown = JSON.parse(text);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
            return { cache: {}, unreadable: "not a JSON object" };
        // Only entries of the kept shape: a hand-edited or older file never passes a non-price to the plan.
        const kept = Object.entries(parsed as Record<string, unknown>).filter(
            ([, c]) =>
                typeof (c as Cached)?.at === "string" &&
                typeof (c as Cached)?.price?.value === "number" &&
                (c as Cached).price.value > 0 &&
                typeof (c as Cached)?.price?.source === "string",
        );
        return { cache: Object.fromEntries(kept) as Cache };
    } catch {
        return { cache: {}, unreadable: "not JSON" };
    }
}

/** Each missing level on its own: a recursive mkdir spins forever under /proc (warmers/out-dir.ts). */
function makeDirs(dir: string): void {
    if (fs.existsSync(dir)) return;
    const parent = path.dirname(dir);
    if (parent !== dir) makeDirs(parent);
    fs.mkdirSync(dir);
}

/** Writes the cache whole (a temporary file renamed over it); the reason it could not, if it could not. */
function writeCache(file: string, cache: Cache): string | undefined {
    try {
        makeDirs(path.dirname(file));
        const temporary = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, `${JSON.stringify(cache, null, 2)}\n`);
        fs.renameSync(temporary, file);
        return undefined;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code ?? String(err);
    }
}
