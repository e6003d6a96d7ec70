// Lambda provisioned concurrency: for each function of warmstack:functions, the concurrency its peak needs, the
// Region's limit the sum must fit, the ramp on the event's schedule (Application Auto Scaling) and what the
// allocation costs by the hour. Pure.
import { settle } from "../../policies/shared/numbers";
import type { ConfigProblem, WarmstackConfig } from "../config";
import { planned, refused, type Planned } from "../planned";
import { PRICES_AS_OF, PRICES_REGION, PROVISIONED_CONCURRENCY_GB_SECOND } from "../prices";
import type { Instants } from "../timeline";
import { rampWindow, type CapacityAction } from "./ramp";

export type { CapacityAction } from "./ramp";

/** Lambda keeps this much of the Region's concurrency for functions without a reservation: nothing may take it. */
export const UNRESERVED_CONCURRENCY = 100;
/** Application Auto Scaling's names for a function alias's provisioned concurrency. */
export const LAMBDA_NAMESPACE = "lambda";
export const PROVISIONED_CONCURRENCY_DIMENSION = "lambda:function:ProvisionedConcurrency";
/** Provisioned concurrency applies to an alias or a version, never to the unpublished code. */
export const LATEST = "$LATEST";

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
        // Both bounds move: only a maximum below what is allocated makes Application Auto Scaling release it.
        const at = (n: number) => ({ minCapacity: n, maxCapacity: n });
        const window = rampWindow(event?.name, instants, now, at(provisioned), at(fn.baseline));
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
