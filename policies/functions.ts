// Lambda provisioned concurrency: it applies to an alias or a published version only. On $LATEST AWS refuses
// it at apply, and a function whose warm was refused meets the event cold.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { POLICY } from "./names";
import { known, stringOf } from "./props";
import { TYPES } from "./shared/contract";

const LATEST = "$LATEST";
const PROVISIONED_CONCURRENCY_DIMENSION = "lambda:function:ProvisionedConcurrency";

export const provisionedConcurrencyOnAlias: ResourceValidationPolicy = {
    name: POLICY.provisionedConcurrencyOnAlias,
    description:
        "Lambda provisioned concurrency names an alias or a published version: on $LATEST AWS refuses it, and the " +
        "function meets the event cold.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const qualifier =
            args.type === TYPES.provisionedConcurrency
                ? stringOf(known(args.props, "qualifier"))
                : args.type === TYPES.scalableTarget &&
                    stringOf(known(args.props, "scalableDimension")) === PROVISIONED_CONCURRENCY_DIMENSION
                  ? stringOf(known(args.props, "resourceId"))?.split(":").at(-1)
                  : undefined;
        if (qualifier !== LATEST) return;
        reportViolation(
            `${args.name}: provisioned concurrency on ${LATEST}, which Lambda refuses. Publish a version and point ` +
                "an alias at it (warmstack:functions[i].alias), and provision that.",
        );
    },
};
