// Lambda provisioned concurrency: for each function of warmstack:functions, the concurrency its peak needs, the
// Region's limit the sum must fit, the ramp on the event's schedule (Application Auto Scaling) and what the
// allocation costs by the hour. Pure.
import { isoSeconds, settle } from "../../policies/shared/numbers";
import type { ConfigProblem, WarmstackConfig } from "../config";
import { planned, refused, type Planned } from "../planned";
import { PRICES_AS_OF, PRICES_REGION, PROVISIONED_CONCURRENCY_GB_SECOND } from "../prices";
import type { Instants } from "../timeline";

/** Lambda keeps this much of the Region's concurrency for functions without a reservation: nothing may take it. */
export const UNRESERVED_CONCURRENCY = 100;
/** Application Auto Scaling's names for a function alias's provisioned concurrency. */
export const LAMBDA_NAMESPACE = "lambda";
export const PROVISIONED_CONCURRENCY_DIMENSION = "lambda:function:ProvisionedConcurrency";
/** Provisioned concurrency applies to an alias or a version, never to the unpublished code. */
export const LATEST = "$LATEST";

/** One Application Auto Scaling scheduled action on a scalable target. */
export interface CapacityAction {
    name: string;
    /** UTC, `YYYY-MM-DDTHH:MM:SSZ`; always after `now`. */
    startTime: string;
    minCapacity: number;
    maxCapacity: number;
}

export interface FunctionPlan {
    name: string;
    alias: string;
    /** Application Auto Scaling's id of the alias: `function:NAME:ALIAS`. */
    resourceId: string;
    /** N at the peak: ⌈peakRps × durationMs / 1000 × (1 + traffic.headroom)⌉, never below the baseline. */
    provisioned: number;
    baseline: number;
    /** The scalable target as deployed now: the baseline, or N inside the event's capacity window. */
    capacity: { minCapacity: number; maxCapacity: number };
    /** Only actions after `now`. */
    schedule: CapacityAction[];
    /** USD an hour while N is allocated; absent without the function's memoryMb. */
    hourlyAtPeak?: number;
    /** hourlyAtPeak over the ramp to the scale-down, on an event stack. */
    eventCost?: number;
}

export interface FunctionsPlan {
    functions: FunctionPlan[];
    /** Σ N over the functions, against accountConcurrency − UNRESERVED_CONCURRENCY. */
    provisionedTotal: number;
    accountConcurrency: number;
    price: { value: number; source: string };
    warnings: string[];
}

/** Concurrency that serves `peakRps` invocations of `durationMs` with `headroom` spare (Little's law). */
export function concurrencyFor(peakRps: number, durationMs: number, headroom: number): number {
    return Math.ceil(settle(((peakRps * durationMs) / 1000) * (1 + headroom)));
}

export function planFunctions(
    config: WarmstackConfig,
    instants: Instants | undefined,
    now: number,
): Planned<FunctionsPlan> {
    const { functions, accountConcurrency, traffic, event, cost } = config;
    const problems: ConfigProblem[] = [];
    const seen = new Map<string, number>();
    functions.forEach((fn, i) => {
        if (fn.alias === LATEST) {
            problems.push({
                key: `warmstack:functions[${i}].alias`,
                given: fn.alias,
                allowed: `an alias or a published version of ${fn.name}: Lambda has no provisioned concurrency on ${LATEST}`,
            });
        }
        const id = `${fn.name}:${fn.alias}`;
        const before = seen.get(id);
        if (before !== undefined) {
            problems.push({
                key: `warmstack:functions[${i}]`,
                given: id,
                allowed: `a function and alias not listed before (functions[${before}] is ${id})`,
            });
        } else seen.set(id, i);
    });
    const sizes = functions.map((fn) =>
        Math.max(fn.baseline, concurrencyFor(fn.peakRps, fn.durationMs, traffic.headroom)),
    );
    const most = accountConcurrency - UNRESERVED_CONCURRENCY;
    let total = 0;
    const over = sizes.findIndex((n) => (total += n) > most);
    if (over >= 0) {
        const fn = functions[over];
        problems.push({
            key: `warmstack:functions[${over}]`,
            given: `${fn.name}:${fn.alias} needs ${sizes[over]}`,
            allowed:
                `provisioned concurrency that leaves the account's unreserved ${UNRESERVED_CONCURRENCY} free: with ` +
                `${fn.name}:${fn.alias} the functions need ${total} of the ${most} that warmstack:accountConcurrency ` +
                `${accountConcurrency} leaves (raise the Region's limit and accountConcurrency, or lower peakRps or durationMs)`,
        });
    }
    if (problems.length > 0) return refused(problems);

    const price =
        cost.provisionedConcurrencyGbSecond !== undefined
            ? { value: cost.provisionedConcurrencyGbSecond, source: "warmstack:cost.provisionedConcurrencyGbSecond" }
            : {
                  value: PROVISIONED_CONCURRENCY_GB_SECOND,
                  source: `model/prices.ts (${PRICES_REGION} on-demand, ${PRICES_AS_OF})`,
              };
    const hours = event && instants ? settle((instants.scaleDown - instants.ramp) / 3_600_000) : undefined;
    const warnings: string[] = [];
    const list = functions.map((fn, i): FunctionPlan => {
        const provisioned = sizes[i];
        const window = rampWindow(event?.name, instants, now, provisioned, fn.baseline);
        // Billed per GB-second while allocated: memory × concurrency × the hour.
        const hourly =
            fn.memoryMb === undefined
                ? undefined
                : Math.round(settle(provisioned * (fn.memoryMb / 1024) * price.value * 3600 * 10_000)) / 10_000;
        if (hourly === undefined) {
            warnings.push(
                `functions[${i}] (${fn.name}:${fn.alias}): no memoryMb, so its provisioned concurrency of ${provisioned} is not priced`,
            );
        }
        return {
            name: fn.name,
            alias: fn.alias,
            resourceId: `function:${fn.name}:${fn.alias}`,
            provisioned,
            baseline: fn.baseline,
            ...window,
            ...(hourly !== undefined && { hourlyAtPeak: hourly }),
            ...(hourly !== undefined &&
                hours !== undefined && { eventCost: Math.round(settle(hourly * hours * 10_000)) / 10_000 }),
        };
    });
    return planned({ functions: list, provisionedTotal: total, accountConcurrency, price, warnings });
}

/**
 * The target's capacity and actions at `now`, as the group's: before the ramp, the baseline and both actions;
 * inside the window, N and only the ramp-down; after it, the baseline and nothing. Each action sets the minimum
 * and the maximum both: a scheduled minimum stays until another action lowers it (aws-cdk#30503), and only a
 * lower maximum makes Application Auto Scaling release what is allocated.
 */
function rampWindow(
    eventName: string | undefined,
    instants: Instants | undefined,
    now: number,
    provisioned: number,
    baseline: number,
): Pick<FunctionPlan, "capacity" | "schedule"> {
    const at = (n: number) => ({ minCapacity: n, maxCapacity: n });
    if (!eventName || !instants || now >= instants.scaleDown) return { capacity: at(baseline), schedule: [] };
    const action = (name: string, ms: number, n: number): CapacityAction => ({
        name: `${eventName}-${name}`,
        startTime: isoSeconds(ms),
        ...at(n),
    });
    const down = action("ramp-down", instants.scaleDown, baseline);
    if (provisioned === baseline) return { capacity: at(baseline), schedule: [] };
    return now < instants.ramp
        ? { capacity: at(baseline), schedule: [action("ramp-up", instants.ramp, provisioned), down] }
        : { capacity: at(provisioned), schedule: [down] };
}
