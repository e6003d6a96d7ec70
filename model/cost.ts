// What readiness costs, against what a cold start would: the warm pool's idle cost by state, the same pool kept
// always warm, the event's extra capacity, and the break-even in minutes of outage. Pure; prices come from
// warmstack:cost or the dated table in model/prices.ts, never from a guess. A price in neither never blocks a
// deploy: the figures that need it are unpriced (null) and `unpriced` names the key that would price them.
import { POOL_STATES } from "../policies/shared/contract";
import { settle } from "../policies/shared/numbers";
import type { PoolState, WarmstackConfig } from "./config";
import {
    CACHE_NODE_HOURLY,
    EBS_GP3_GB_MONTH,
    HOURS_PER_MONTH,
    INSTANCE_HOURLY,
    INSTANCE_MEMORY_GIB,
    PRICES_AS_OF,
    PRICES_REGION,
    REPLICA_HOURLY,
} from "./prices";
import type { Listed, ListedKey, ListedPrices } from "./price-list";
import type { RootVolumePlan } from "./root-volume";
import type { Instants } from "./timeline";

/** "Always warm": the alternative of keeping this share of the group's maximum in the pool around the clock. */
export const ALWAYS_WARM_FRACTION_OF_MAX = 0.5;

/** USD, or null when a price it needs is in neither warmstack:cost nor the table. */
export type Usd = number | null;

export interface Price {
    /** null: unpriced, see CostPlan.unpriced. */
    value: number | null;
    /** `warmstack:cost.<key>`, the table it came from, or "unpriced". */
    source: string;
}

/** A price the cost could not find: what it is and the key that would give it. */
export interface Unpriced {
    key: `warmstack:cost.${keyof Prices}`;
    what: string;
    /** Why the AWS Price List gave none, when it was asked. */
    priceList?: string;
}

/** A price the AWS Price List was asked for and did not give, taken from the table instead. */
export interface FellBack {
    key: `warmstack:cost.${ListedKey}`;
    what: string;
    /** Why the Price List gave none. */
    priceList: string;
}

export interface Prices {
    instanceHourly: Price;
    instanceMemoryGiB: Price;
    ebsGbMonth: Price;
    replicaHourly: Price;
    cacheNodeHourly: Price;
}

export interface PeriodCost {
    perHour: Usd;
    perDay: Usd;
    perMonth: Usd;
}

export interface CostPlan {
    currency: "USD";
    prices: Prices;
    /** Every price in neither warmstack:cost, the AWS Price List nor the table: the figures that need it are null. */
    unpriced: Unpriced[];
    /** Every price the AWS Price List did not give that the table did. */
    fellBack: FellBack[];
    /** Revenue at stake per minute of full outage, when warmstack:cost.revenuePerMinute is set. */
    revenuePerMinute?: number;
    /** What the figures assume, to print beside them. */
    assumptions: string[];
    /** This stack's warm pool idle, priced in each state (`state` is the one it uses). */
    warmPool: { size: number; state: PoolState; byState: Record<PoolState, PeriodCost> };
    /** The same kind of pool sized at ALWAYS_WARM_FRACTION_OF_MAX of the group's maximum, kept 24/7. */
    alwaysWarm: { size: number; byState: Record<PoolState, PeriodCost> };
    /** The capacity the event adds, from the ramp to the scale-down. */
    event?: {
        hours: number;
        rampInstances: number;
        instances: Usd;
        replicas: Usd;
        cacheNodes: Usd;
        total: Usd;
    };
    /** A spike met cold: every instance beyond the baseline boots from nothing while traffic waits. */
    coldSpike: {
        missingInstanceMinutes: number;
        /** The same as minutes of full outage: missing instance-minutes ÷ peak instances. */
        outageMinutes: number;
        /** outageMinutes × revenuePerMinute; absent without a revenue figure. */
        cost?: number;
    };
    /** What being ready costs: the warm pool idle over the stack's event window (or a day), plus the ramp's lead. */
    readiness: { cost: Usd; covers: string };
    /** Minutes of full outage that cost as much as being ready: readiness.cost ÷ revenuePerMinute. */
    breakEvenOutageMinutes?: number;
}

export interface CostInputs {
    config: WarmstackConfig;
    instances: { baseline: number; peak: number };
    warmPoolSize: number;
    replicas: number;
    cacheNodes: number;
    /** The event's instants, when there is an event. */
    instants?: Instants;
    /** What the AWS Price List answered, when it was asked (PlanOptions.prices). */
    listed?: ListedPrices;
    /**
     * The plan's root volume: the image's size and the instance type's memory, from AWS when the deploy read them
     * (a Hibernated pool's volume holds the image and the RAM).
     */
    rootVolume?: RootVolumePlan;
}

/** Where the Hibernated pool's memory came from when the deploy read it from AWS. */
const AWS_MEMORY_SOURCE = "AWS (aws.ec2.getInstanceType)";

const TABLE = `model/prices.ts (${PRICES_REGION} on-demand, ${PRICES_AS_OF})`;

/**
 * Every price the cost needs, each from warmstack:cost, else the AWS Price List's answer (`listed`, when it was
 * asked), else the table; the rest unpriced, naming the key to set. A Price List miss the table covers fell back.
 */
export function resolvePrices(
    config: WarmstackConfig,
    listed: ListedPrices = {},
    rootVolume?: RootVolumePlan,
): { prices: Prices; unpriced: Unpriced[]; fellBack: FellBack[] } {
    const unpriced: Unpriced[] = [];
    const fellBack: FellBack[] = [];
    const pick = (key: keyof Prices, given: number | undefined, table: number | undefined, what: string): Price => {
        if (given !== undefined) return { value: given, source: `warmstack:cost.${key}` };
        const answer: Listed | undefined = listed[key as ListedKey];
        if (answer && "value" in answer) return answer;
        const priceList = answer?.failed;
        if (table !== undefined) {
            if (priceList !== undefined) fellBack.push({ key: `warmstack:cost.${key as ListedKey}`, what, priceList });
            return { value: table, source: TABLE };
        }
        unpriced.push({ key: `warmstack:cost.${key}`, what, ...(priceList !== undefined && { priceList }) });
        return { value: null, source: "unpriced" };
    };
    const { cost, compute, database, cache } = config;
    const prices: Prices = {
        instanceHourly: pick(
            "instanceHourly",
            cost.instanceHourly,
            INSTANCE_HOURLY[compute.instanceType],
            `compute.instanceType ${JSON.stringify(compute.instanceType)} (its hourly price, USD)`,
        ),
        // A fact, not a price: what AWS says of the type wins, as it does for the root volume (model/root-volume.ts).
        instanceMemoryGiB:
            rootVolume?.memorySource === "aws" && rootVolume.memoryGiB !== undefined
                ? { value: rootVolume.memoryGiB, source: AWS_MEMORY_SOURCE }
                : pick(
                      "instanceMemoryGiB",
                      cost.instanceMemoryGiB,
                      INSTANCE_MEMORY_GIB[compute.instanceType],
                      `a Hibernated pool of compute.instanceType ${JSON.stringify(compute.instanceType)} (its memory, GiB, which the RAM image adds to the root volume)`,
                  ),
        ebsGbMonth: pick(
            "ebsGbMonth",
            cost.ebsGbMonth,
            EBS_GP3_GB_MONTH,
            "EBS gp3 storage (its price per GB-month, USD)",
        ),
        replicaHourly: pick(
            "replicaHourly",
            cost.replicaHourly,
            REPLICA_HOURLY[database.instanceClass],
            `database.instanceClass ${JSON.stringify(database.instanceClass)} replicas (their hourly price, USD)`,
        ),
        cacheNodeHourly: pick(
            "cacheNodeHourly",
            cost.cacheNodeHourly,
            CACHE_NODE_HOURLY[cache.nodeType],
            `cache.nodeType ${JSON.stringify(cache.nodeType)} nodes (their hourly price, USD)`,
        ),
    };
    return { prices, unpriced, fellBack };
}

/** What the deploy and `warmstack plan` say for an unpriced price: once, naming the type and the key. */
export const unpricedWarning = (u: Unpriced): string =>
    `cannot price ${u.what} (set ${u.key}): ` +
    (u.priceList === undefined ? "" : `the AWS Price List gave no price (${u.priceList}) and `) +
    `${TABLE} does not list it, so the cost figures that need it are left out`;

/** What they say for a price the Price List did not give and the table did: once, naming the type and why. */
export const fellBackWarning = (f: FellBack): string =>
    `the AWS Price List gave no price for ${f.what} (${f.priceList}): priced from ${TABLE}, a fallback that may ` +
    `be out of date or of another region (set ${f.key} to give it)`;

/** The prices each pool state's idle cost needs. */
export const POOL_STATE_PRICES: Record<PoolState, (keyof Prices)[]> = {
    Stopped: ["ebsGbMonth"],
    Hibernated: ["ebsGbMonth", "instanceMemoryGiB"],
    Running: ["instanceHourly", "ebsGbMonth"],
};

/** USD to a hundredth of a cent: a Stopped instance idles at a fraction of a cent an hour. */
export const usd = (x: number): number => Math.round(settle(x * 10_000)) / 10_000;

// An unpriced price is NaN inside the arithmetic, so every figure that needs it comes out NaN, and null here.
const priced = (x: number): Usd => (Number.isNaN(x) ? null : usd(x));
const valueOf = (price: Price): number => price.value ?? NaN;
/** `count` of something priced `each`: none of it costs nothing, whether or not its price is known. */
const times = (count: number, each: number): number => (count === 0 ? 0 : count * each);

function period(perHour: number): PeriodCost {
    return { perHour: priced(perHour), perDay: priced(perHour * 24), perMonth: priced(perHour * HOURS_PER_MONTH) };
}

/** One pooled instance's idle cost per hour, by state: what AWS bills while it waits in the pool (NaN: unpriced). */
export function idleHourly(prices: Prices, rootVolumeGb: number): Record<PoolState, number> {
    const ebsHourly = (gb: number) => (gb * valueOf(prices.ebsGbMonth)) / HOURS_PER_MONTH;
    return {
        // Only the root volume is billed.
        Stopped: ebsHourly(rootVolumeGb),
        // The root volume also holds the RAM image, so it must be that much larger.
        Hibernated: ebsHourly(rootVolumeGb + valueOf(prices.instanceMemoryGiB)),
        Running: valueOf(prices.instanceHourly) + ebsHourly(rootVolumeGb),
    };
}

function byState(size: number, perInstance: Record<PoolState, number>): Record<PoolState, PeriodCost> {
    return Object.fromEntries(POOL_STATES.map((s) => [s, period(times(size, perInstance[s]))])) as Record<
        PoolState,
        PeriodCost
    >;
}

/** What the instances, replicas and cache nodes the event adds cost from the ramp to the scale-down. */
export function eventCost(
    prices: Prices,
    instants: Instants,
    counts: { rampInstances: number; replicas: number; cacheNodes: number },
    instanceHourly: number,
): NonNullable<CostPlan["event"]> {
    const { rampInstances, replicas, cacheNodes } = counts;
    const hours = settle((instants.scaleDown - instants.ramp) / 3_600_000);
    const instanceCost = times(rampInstances * hours, instanceHourly);
    const replicaCost = times(replicas * hours, valueOf(prices.replicaHourly));
    const cacheCost = times(cacheNodes * hours, valueOf(prices.cacheNodeHourly));
    return {
        hours,
        rampInstances,
        instances: priced(instanceCost),
        replicas: priced(replicaCost),
        cacheNodes: priced(cacheCost),
        total: priced(instanceCost + replicaCost + cacheCost),
    };
}

/**
 * What being ready costs: with an event, the pool idle from the deploy-by instant to the scale-down plus the ramped
 * instances running the ramp's lead before the start; without one, the pool idle for a day.
 */
export function readinessCost(
    pool: { size: number; state: PoolState; hourly: number },
    ramp: { instances: number; instanceHourly: number; leadMinutes: number; instants: Instants } | undefined,
): CostPlan["readiness"] {
    const what = `the warm pool (${pool.size} ${pool.state})`;
    if (!ramp) return { cost: priced(pool.hourly * 24), covers: `${what} for one day` };
    const { instances, instanceHourly, leadMinutes, instants } = ramp;
    return {
        cost: priced(
            (pool.hourly * (instants.scaleDown - instants.deployBy)) / 3_600_000 +
                times(instances, instanceHourly * leadMinutes) / 60,
        ),
        covers:
            `${what} from the deploy-by instant to the scale-down, and ${instances} ramped instances ` +
            `running ${leadMinutes} min before the start`,
    };
}

export function costOf(inputs: CostInputs): CostPlan {
    const { config, instances, warmPoolSize, replicas, cacheNodes, instants } = inputs;
    const { prices, unpriced, fellBack } = resolvePrices(config, inputs.listed, inputs.rootVolume);
    const { compute, cost, event } = config;
    // The volume the image needs, when AWS said; a Hibernated pool's RAM comes on top (idleHourly).
    const idle = idleHourly(prices, Math.max(compute.rootVolumeGb, inputs.rootVolume?.imageGiB ?? 0));
    const alwaysWarmSize = Math.ceil(settle(ALWAYS_WARM_FRACTION_OF_MAX * instances.peak));
    const rampInstances = instances.peak - instances.baseline;
    const instanceHourly = valueOf(prices.instanceHourly) + idle.Stopped; // running: the instance and its volume
    // The event's figures need both the event and its instants; without them the cost is the pool's for a day.
    const timed = event && instants ? { event, instants } : undefined;

    const eventFigures =
        timed && eventCost(prices, timed.instants, { rampInstances, replicas, cacheNodes }, instanceHourly);

    const missingInstanceMinutes = settle((rampInstances * (compute.bootSeconds + compute.warmupSeconds)) / 60);
    const outageMinutes = settle(missingInstanceMinutes / instances.peak);

    const state = compute.warmPool.state;
    const readiness = readinessCost(
        { size: warmPoolSize, state, hourly: times(warmPoolSize, idle[state]) },
        timed && {
            instances: rampInstances,
            instanceHourly,
            leadMinutes: timed.event.rampLeadMinutes,
            instants: timed.instants,
        },
    );
    const revenue = cost.revenuePerMinute;
    // Nothing at stake (0), nothing to break even with.
    // Nine significant digits: the break-even may be a fraction of a second when the revenue is large.
    const breakEven =
        revenue && readiness.cost !== null ? Number((readiness.cost / revenue).toPrecision(9)) : undefined;
    return {
        currency: "USD",
        prices,
        unpriced,
        fellBack,
        ...(revenue !== undefined && { revenuePerMinute: revenue }),
        assumptions: [
            // The memory AWS reports is a fact of the type, not a price: the plan's rootVolume says where it came from.
            `prices from ${Object.values(prices)
                .map((p: Price) => p.source)
                .filter((s, i, all) => s !== "unpriced" && s !== AWS_MEMORY_SOURCE && all.indexOf(s) === i)
                .join(" and ")}` + (unpriced.length > 0 ? `; unpriced: ${unpriced.map((u) => u.key).join(", ")}` : ""),
            `EBS billed per GB-month of ${HOURS_PER_MONTH} h; a Hibernated instance's root volume also holds its RAM`,
            ...(eventFigures
                ? [
                      "replicas and cache nodes counted from the ramp to the scale-down (they run as long as the stack does)",
                  ]
                : []),
            `a cold spike: the ${rampInstances} instances beyond the baseline boot cold ` +
                `(compute.bootSeconds + warmupSeconds = ${compute.bootSeconds + compute.warmupSeconds} s) while traffic waits`,
            revenue === undefined
                ? "no warmstack:cost.revenuePerMinute: the cold spike is not priced and there is no break-even"
                : `revenue at stake: ${revenue} USD per minute of full outage`,
        ],
        warmPool: { size: warmPoolSize, state: compute.warmPool.state, byState: byState(warmPoolSize, idle) },
        alwaysWarm: { size: alwaysWarmSize, byState: byState(alwaysWarmSize, idle) },
        ...(eventFigures && { event: eventFigures }),
        coldSpike: {
            missingInstanceMinutes,
            outageMinutes,
            ...(revenue !== undefined && { cost: usd(outageMinutes * revenue) }),
        },
        readiness,
        ...(breakEven !== undefined && Number.isFinite(breakEven) && { breakEvenOutageMinutes: breakEven }),
    };
}
