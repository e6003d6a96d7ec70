// WarmFunctions: Lambda provisioned concurrency on each listed alias, raised to the plan's N before the event and
// lowered back to its baseline after the cooldown, through Application Auto Scaling. Thin: N, the capacities and
// the instants come from the plan (model/plan/functions.ts).
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_NAMESPACE, PROVISIONED_CONCURRENCY_DIMENSION, type FunctionPlan } from "../model/plan/functions";
import { rampedTarget } from "./ramped-target";

export interface WarmFunctionsArgs {
    functions: FunctionPlan[];
}

export class WarmFunctions extends pulumi.ComponentResource {
    /** `function:NAME:ALIAS` → its scalable target's id. */
    readonly targets: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: WarmFunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:functions:WarmFunctions", name, {}, opts);
        for (const fn of args.functions) {
            const { target } = rampedTarget(
                `${name}-${fn.name}-${fn.alias}`,
                {
                    serviceNamespace: LAMBDA_NAMESPACE,
                    scalableDimension: PROVISIONED_CONCURRENCY_DIMENSION,
                    resourceId: fn.resourceId,
                    capacity: fn.capacity,
                    schedule: fn.schedule,
                },
                { parent: this },
            );
            this.targets[fn.resourceId] = target.id;
        }
        this.registerOutputs({ targets: this.targets });
    }
}
