// ECS on a warm-pooled group: a capacity provider does not support a warm pool that reuses instances on scale-in
// (amazon-ecs-developer-guide#216). An instance returned to the pool keeps its registration and comes back with
// a stale container instance, so the pool the event counts on is not the one ECS can place tasks on.
import { StackValidationPolicy } from "@pulumi/policy";
import { warmPoolOf } from "./compute";
import { POLICY } from "./names";
import { eachKnown, isRecord, isTrue, known, ofType } from "./props";
import { TYPES } from "./shared/contract";

export const ecsWarmPoolNoReuse: StackValidationPolicy = {
    name: POLICY.ecsWarmPoolNoReuse,
    description:
        "An ECS capacity provider's Auto Scaling group keeps a warm pool that does not reuse instances on " +
        "scale-in: ECS capacity providers do not support it.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const groups = ofType(args.resources, TYPES.group);
        eachKnown(ofType(args.resources, TYPES.ecsCapacityProvider), (provider) => {
            const over = known(provider.props, "autoScalingGroupProvider");
            if (!isRecord(over)) return;
            // By dependency (the group's arn output), or by the ARN or name written in.
            const arn = known(over, "autoScalingGroupArn");
            const linked = new Set((provider.propertyDependencies.autoScalingGroupProvider ?? []).map((d) => d.urn));
            const matches = groups.filter(
                (g) =>
                    linked.has(g.urn) ||
                    (typeof arn === "string" && (arn === known(g.props, "arn") || arn === known(g.props, "name"))),
            );
            for (const group of matches) {
                const pool = warmPoolOf(group.props);
                const policy = pool && known(pool, "instanceReusePolicy");
                if (!isRecord(policy) || !isTrue(known(policy, "reuseOnScaleIn"))) continue;
                reportViolation(
                    `${provider.name} is an ECS capacity provider over ${group.name}, whose warm pool reuses ` +
                        "instances on scale-in: ECS capacity providers do not support it. Set the pool's " +
                        "instanceReusePolicy { reuseOnScaleIn: false } (warmstack does with compute.platform ecs).",
                    provider.urn,
                );
            }
        });
    },
};
