// One way from a stack's config to its readiness plan, for every caller: the Pulumi program (Pulumi's config),
// `warmstack plan` and `warmstack check` (a stack file), and the tests. Throws ConfigError, naming every bad key.
import { namespaceValues, parseConfig, type WarmstackConfig } from "./config";
import { plan, type ReadinessPlan } from "./plan";
import { fromConfigAlone } from "./production";
import type { ListedPrices } from "./price-list";
import type { InstanceFacts } from "./root-volume";

export interface StackPlan {
    config: WarmstackConfig;
    plan: ReadinessPlan;
}

/**
 * `values`: the stack's config as Pulumi holds it, `namespace:key` → text (objects as JSON). `now`: the deploy's
 * clock, which decides what is still to schedule. `aws`: what AWS says — the instance type and image (the program
 * reads them at preview; absent offline) and the Price List's prices (when it was asked).
 */
export function planStack(
    values: Record<string, string>,
    now: number,
    aws: { instance?: InstanceFacts; prices?: ListedPrices } = {},
): StackPlan {
    const config = parseConfig(namespaceValues(values));
    const planned = plan(config, { now, ...aws });
    if (!config.production) return { config, plan: planned };
    // An attached stack's deploy plans on production's facts; from the stack file alone, the plan says what it lacks.
    return { config, plan: { ...planned, warnings: [...planned.warnings, fromConfigAlone(config)] } };
}
