// compute.platform ecs: the group as an ECS cluster's capacity provider — the managed scaling's target, the
// images the agent pulls before an instance completes its launch hook (and the ECR repositories the instance
// role may read for them), and the service's tasks ramped with the instances on the event's schedule. Pure.
import type { ConfigProblem, WarmstackConfig } from "../config";
import { ecrImageOf, type EcrImage } from "../container-images";
import { planned, refused, type Planned } from "../planned";
import type { Instants } from "../timeline";
import type { ReadinessPlan } from "./index";
import { rampWindow, type RampWindow } from "./ramp";

/** Application Auto Scaling's names for an ECS service's task count. */
export const ECS_NAMESPACE = "ecs";
export const DESIRED_COUNT_DIMENSION = "ecs:service:DesiredCount";

export interface EcsPlan {
    /** Managed scaling's target utilization of the cluster's capacity, percent. */
    targetCapacity: number;
    /** Pulled by the agent during the warm phase, in this order of the config. */
    images: string[];
    /** The images in private ECR registries: their repositories are all of ECR the instance role may read. */
    ecr: EcrImage[];
    pullTimeoutSeconds: number;
    /** The service's tasks: perInstance × the group's instances. */
    tasks: { perInstance: number; baseline: number; peak: number };
    /** compute.ecs.service's scalable target and its ramp; absent without a service named. */
    service?: { name: string } & RampWindow;
    warnings: string[];
}

/** The service's tasks: so many per instance of the group, at the baseline and at the peak. */
export function ecsTasks(perInstance: number, instances: ReadinessPlan["instances"]): EcsPlan["tasks"] {
    return { perInstance, baseline: perInstance * instances.baseline, peak: perInstance * instances.peak };
}

/**
 * Undefined on platform ec2. Refused when one pull may take longer than the agent's whole deadline: the
 * instance would be ABANDONed by the deadline before the pull's own timeout could say why.
 */
export function planEcs(
    config: WarmstackConfig,
    instances: ReadinessPlan["instances"],
    instants: Instants | undefined,
    now: number,
    agentDeadlineSeconds: number | undefined,
): Planned<EcsPlan | undefined> {
    const { compute, event } = config;
    if (compute.platform !== "ecs") return planned(undefined);
    const { ecs } = compute;
    const problems: ConfigProblem[] = [];
    if (agentDeadlineSeconds !== undefined && ecs.pullTimeoutSeconds > agentDeadlineSeconds) {
        problems.push({
            key: "warmstack:compute.ecs.pullTimeoutSeconds",
            given: ecs.pullTimeoutSeconds,
            allowed:
                `at most ${agentDeadlineSeconds}, the agent's deadline (the launch hook's timeout less ` +
                "compute.bootSeconds and the minute ABANDON needs): a longer pull is cut off by the deadline before " +
                "its own timeout can say which image hung",
        });
    }
    if (problems.length > 0) return refused(problems);

    const warnings: string[] = [];
    if (compute.warmPool.reuseOnScaleIn === true) {
        warnings.push(
            "compute.warmPool.reuseOnScaleIn is true, but ECS capacity providers do not support reuse on scale-in: " +
                "with compute.platform ecs the pool does not reuse, and instances scaled in are terminated",
        );
    }
    const tasks = ecsTasks(ecs.tasksPerInstance, instances);
    if (!ecs.service && event && tasks.peak > tasks.baseline) {
        warnings.push(
            `event ${event.name}: no compute.ecs.service, so no service's tasks ramp with the instances: the ` +
                "capacity provider adds instances only as tasks need them",
        );
    }
    return planned({
        targetCapacity: ecs.targetCapacity,
        images: ecs.images,
        ecr: ecs.images.flatMap((image) => ecrImageOf(image) ?? []),
        pullTimeoutSeconds: ecs.pullTimeoutSeconds,
        tasks,
        ...(ecs.service && {
            service: {
                name: ecs.service,
                // Outside the event the service's own scaling may run it anywhere from the baseline to the peak.
                ...rampWindow(
                    event?.name,
                    instants,
                    now,
                    { minCapacity: tasks.peak, maxCapacity: tasks.peak },
                    { minCapacity: tasks.baseline, maxCapacity: tasks.peak },
                ),
            },
        }),
        warnings,
    });
}
