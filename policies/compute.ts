// The app tier: the Auto Scaling group, its warm pool and launch template, the launch hook that keeps an
// instance out until it is warm, and the ramp that raises capacity before the event.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    instanceWarmupConfig,
    rampConfig,
    settings,
    warmPoolCompatibleConfig,
    warmPoolRequiredConfig,
    warmPoolStateConfig,
} from "./config";
import { COLD_OK_TAG, LAUNCHING, TAGS, TYPES } from "./shared/contract";
import { DEFAULTS } from "./shared/defaults";
import { groupsOf, judgedGroup } from "./attached";
import { badStart, eventStartOf, eventText, stackEventTags } from "./event";
import { POLICY } from "./names";
import { isoSeconds } from "./shared/numbers";
import {
    bullets,
    eachKnown,
    isRecord,
    isSet,
    isTrue,
    known,
    listOf,
    numberOf,
    ofType,
    Props,
    referencedBy,
    stringOf,
    tagsOf,
    Unknowns,
} from "./props";

export function warmPoolOf(group: Props): Props | undefined {
    const pool = group.warmPool;
    return isRecord(pool) ? pool : undefined;
}

/** AWS's default when `poolState` is left out. */
const poolStateOf = (pool: Props) => stringOf(pool.poolState) ?? "Stopped";

/**
 * Instances waiting in the pool while the group runs at its desired capacity: AWS fills it up to
 * maxGroupPreparedCapacity (unset or -1: the group's maxSize) minus the desired capacity, never below minSize.
 */
export function warmInstances(group: Props, pool: Props): number {
    const prepared = numberOf(pool.maxGroupPreparedCapacity);
    const ceiling = prepared !== undefined && prepared >= 0 ? prepared : (numberOf(group.maxSize) ?? 0);
    const desired = numberOf(group.desiredCapacity) ?? numberOf(group.minSize) ?? 0;
    return Math.max(numberOf(pool.minSize) ?? 0, ceiling - desired);
}

/**
 * The size of a group that never scales out (minSize = maxSize, both known), whose every instance starts at
 * deploy: it needs no warm pool and no ramp. Undefined for a group that can scale out.
 */
export function flatCapacity(group: Props): number | undefined {
    const min = numberOf(group.minSize);
    return min !== undefined && min === numberOf(group.maxSize) ? min : undefined;
}

const flatText = (name: string, size: number) =>
    `${name} never scales out (minSize = maxSize = ${size}): every instance starts at deploy, so it needs no warm ` +
    "pool and no ramp";

/** The reason a group gives for running cold; "" when it is tagged without one. */
export const coldOkReason = (group: Props) => tagsOf(group).get(COLD_OK_TAG);

/** An EC2_INSTANCE_LAUNCHING hook, created with the group or as a LifecycleHook resource on it. */
export function hasLaunchHook(group: PolicyResource, hooks: PolicyResource[]): boolean {
    const initial = listOf(group.props.initialLifecycleHooks).some(
        (hook) => isRecord(hook) && hook.lifecycleTransition === LAUNCHING,
    );
    return (
        initial ||
        hooks.some(
            (hook) =>
                hook.props.lifecycleTransition === LAUNCHING &&
                referencedBy(hook, "autoscalingGroupName", [group], ["name"]).length > 0,
        )
    );
}

export const asgWarmPoolRequired: ResourceValidationPolicy = {
    name: POLICY.warmPoolRequired,
    description:
        "Every Auto Scaling group keeps a warm pool, so a scale-out takes instances that are already " +
        "booted and configured instead of waiting minutes for cold ones.",
    enforcementLevel: "mandatory",
    configSchema: warmPoolRequiredConfig,
    validateResource: (args, reportViolation) => {
        const group = judgedGroup(args);
        if (!group) return;
        const reason = coldOkReason(group.props);
        if (reason) args.notApplicable(`exempt by ${COLD_OK_TAG}: ${reason}`);
        const flat = flatCapacity(group.props);
        if (flat !== undefined) args.notApplicable(flatText(group.name, flat));
        const { minWarmPoolSize } = settings(args, warmPoolRequiredConfig);
        const pool = warmPoolOf(group.props);
        const minSize = pool && (numberOf(pool.minSize) ?? 0);
        const exemption =
            reason === ""
                ? ` The ${COLD_OK_TAG} tag needs a reason as its value to exempt the group.`
                : ` Or, if this group may run cold, tag it ${COLD_OK_TAG}=<why>.`;
        if (minSize === undefined) {
            reportViolation(
                `${group.name} has no warm pool: every instance it adds at the peak boots cold. Add ` +
                    `warmPool { minSize: ${minWarmPoolSize} or more, poolState: "Stopped" }.${exemption}`,
            );
        } else if (minSize < minWarmPoolSize) {
            reportViolation(
                `${group.name}'s warm pool keeps ${minSize} instance(s) at least; this stack needs ` +
                    `${minWarmPoolSize}. Raise warmPool.minSize (warmstack: compute.warmPool.fractionOfPeak).${exemption}`,
            );
        }
    },
};

export const asgFlatCapacity: ResourceValidationPolicy = {
    name: POLICY.flatCapacity,
    description:
        "Says so when an Auto Scaling group never scales out (minSize = maxSize): the pack then asks it for no warm " +
        "pool and no ramp, and the event's peak must really be its baseline.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const group = judgedGroup(args);
        const flat = group && flatCapacity(group.props);
        if (!group || flat === undefined) return;
        reportViolation(
            `${flatText(group.name, flat)}; ${POLICY.warmPoolRequired} and ${POLICY.rampBeforeEvent} do not apply. ` +
                "If the event's traffic can rise above what these instances serve, give the group room to grow " +
                "(warmstack: traffic.peakRps above traffic.baselineRps) and the pack will ask for the pool and the ramp.",
        );
    },
};

function templateProblems(template: PolicyResource, state: string, rootDeviceNames: string[]): string[] {
    const t = template.props;
    const problems: string[] = [];
    const market = isRecord(t.instanceMarketOptions) ? t.instanceMarketOptions.marketType : undefined;
    if (market === "spot") {
        problems.push(
            `launch template ${template.name} requests Spot instances, which a warm pool cannot hold: ` +
                "drop instanceMarketOptions (On-Demand) or the warm pool",
        );
    }
    if (state === "Hibernated" && !(isRecord(t.hibernationOptions) && isTrue(t.hibernationOptions.configured))) {
        problems.push(
            `the pool is Hibernated but launch template ${template.name} does not enable hibernation: ` +
                "set hibernationOptions.configured = true, or use a Stopped pool",
        );
    }
    if (state === "Stopped" || state === "Hibernated") {
        const root = listOf(t.blockDeviceMappings).find(
            (m): m is Props => isRecord(m) && rootDeviceNames.includes(String(m.deviceName)) && isRecord(m.ebs),
        );
        if (!root) {
            problems.push(
                `launch template ${template.name} maps no EBS root volume (${rootDeviceNames.join(" or ")}): ` +
                    `a ${state} pool can only keep EBS-backed instances; map the AMI's root device to an ebs block`,
            );
        } else if (state === "Hibernated" && !(isRecord(root.ebs) && isTrue(root.ebs.encrypted))) {
            problems.push(
                `hibernation needs an encrypted root volume: set ebs.encrypted on ${root.deviceName} ` +
                    `in launch template ${template.name}`,
            );
        }
    }
    return problems;
}

/**
 * Spot capacity a mixedInstancesPolicy asks for: AWS launches On-Demand up to onDemandBaseCapacity, then
 * onDemandPercentageAboveBaseCapacity % On-Demand (AWS's default 100: none Spot) and the rest Spot.
 */
function spotShare(group: Props): number | undefined {
    const policy = group.mixedInstancesPolicy;
    const distribution = isRecord(policy) && isRecord(policy.instancesDistribution) ? policy.instancesDistribution : {};
    const onDemand = numberOf(distribution.onDemandPercentageAboveBaseCapacity) ?? 100;
    return onDemand < 100 ? 100 - onDemand : undefined;
}

export const warmPoolCompatible: StackValidationPolicy = {
    name: POLICY.warmPoolCompatible,
    description:
        "Warm pools are only set up in ways AWS accepts, so the deploy does not fail at apply time: On-Demand only " +
        "(no Spot in a launch template or a mixedInstancesPolicy; a mixedInstancesPolicy of On-Demand types is " +
        "accepted since November 2025), hibernation enabled for a Hibernated pool, an EBS root for Stopped and " +
        "Hibernated pools.",
    enforcementLevel: "mandatory",
    configSchema: warmPoolCompatibleConfig,
    validateStack: (args, reportViolation) => {
        const { rootDeviceNames } = settings(args, warmPoolCompatibleConfig);
        const templates = ofType(args.resources, TYPES.launchTemplate);
        const unknowns = new Unknowns();
        for (const group of groupsOf(args.resources)) {
            unknowns.check(group, () => {
                const pool = warmPoolOf(group.props);
                if (!pool) return;
                const spot = spotShare(group.props);
                const problems =
                    spot === undefined
                        ? []
                        : [
                              `the group's mixedInstancesPolicy asks for Spot capacity (instancesDistribution.` +
                                  `onDemandPercentageAboveBaseCapacity ${100 - spot}: ${spot} % of the instances ` +
                                  "above the base are Spot), which a warm pool cannot hold: set it to 100 (On-Demand " +
                                  "only; the policy's instance types are fine), or drop the warm pool",
                          ];
                // Its own template, or the ones its mixedInstancesPolicy launches (the default and each override's).
                const launched = [
                    ...referencedBy(group, "launchTemplate", templates, []),
                    ...referencedBy(group, "mixedInstancesPolicy", templates, []),
                ].filter((t, i, all) => all.indexOf(t) === i);
                for (const template of launched) {
                    problems.push(
                        ...(unknowns.check(template, () =>
                            templateProblems(template, poolStateOf(pool), rootDeviceNames),
                        ) ?? []),
                    );
                }
                if (problems.length > 0) {
                    reportViolation(
                        `${group.name}'s warm pool would be rejected at apply time:\n${bullets(problems)}`,
                        group.urn,
                    );
                }
            });
        }
        unknowns.settle();
    },
};

export const warmPoolState: ResourceValidationPolicy = {
    name: POLICY.warmPoolState,
    description: "Warm pools wait Stopped (or Hibernated): a Running pool bills every idle instance as if it served.",
    enforcementLevel: "advisory",
    configSchema: warmPoolStateConfig,
    validateResource: (args, reportViolation) => {
        const group = judgedGroup(args);
        const pool = group && warmPoolOf(group.props);
        if (!group || !pool) return;
        const state = poolStateOf(pool);
        const { allowedStates } = settings(args, warmPoolStateConfig);
        if (allowedStates.includes(state)) return;
        reportViolation(
            `${group.name} keeps ${warmInstances(group.props, pool)} instance(s) ${state} in its warm pool` +
                `${state === "Running" ? ", each billed in full while it waits" : ""}. Set warmPool.poolState to ` +
                `${allowedStates.join(" or ")}, or allow ${state} in this policy's allowedStates.`,
        );
    },
};

const lacksWarmup = (type: string, group: Props) => type === TYPES.group && !isSet(group, "defaultInstanceWarmup");

export const asgInstanceWarmup: ResourceValidationPolicy = {
    name: POLICY.instanceWarmup,
    description:
        "Auto Scaling groups set defaultInstanceWarmup, so a joining instance's cold-start metrics do not " +
        "drive scaling decisions.",
    enforcementLevel: "advisory",
    configSchema: instanceWarmupConfig,
    validateResource: (args, reportViolation) => {
        if (!lacksWarmup(args.type, args.props)) return;
        const { warmupSeconds } = settings(args, instanceWarmupConfig);
        reportViolation(
            `${args.name} has no defaultInstanceWarmup: the metrics of an instance still warming up ` +
                `count at once and can trigger another scale-out. Set defaultInstanceWarmup (e.g. ${warmupSeconds} s), ` +
                "or set this policy's enforcementLevel to remediate to have it set.",
        );
    },
    // With enforcementLevel "remediate" the engine applies the returned properties instead of reporting.
    remediateResource: (args) => {
        if (!lacksWarmup(args.type, args.props)) return undefined;
        args.props.defaultInstanceWarmup = settings(args, instanceWarmupConfig).warmupSeconds;
        return args.props;
    },
};

export const warmPoolLaunchHook: StackValidationPolicy = {
    name: POLICY.launchHook,
    description:
        "Every group with a warm pool holds new instances with an EC2_INSTANCE_LAUNCHING lifecycle hook " +
        "until their bootstrap is done; without it they are stopped into the pool, or join, half-ready.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const hooks = ofType(args.resources, TYPES.lifecycleHook);
        eachKnown(groupsOf(args.resources), (group) => {
            if (!warmPoolOf(group.props) || hasLaunchHook(group, hooks)) return;
            reportViolation(
                `${group.name} has a warm pool but no ${LAUNCHING} hook: instances are stopped into ` +
                    "the pool before their bootstrap finishes and come out half-ready. Add initialLifecycleHooks " +
                    `[{ lifecycleTransition: "${LAUNCHING}", defaultResult: "ABANDON", heartbeatTimeout }] and ` +
                    "complete the action when the instance is warm.",
                group.urn,
            );
        });
    },
};

const relativeTo = (ms: number, startMs: number) => {
    const minutes = Math.round((startMs - ms) / 60_000);
    return minutes >= 0 ? `${minutes} min before` : `${-minutes} min after`;
};

/**
 * A one-time scheduled action, as ramp-before-event reads it: when, the capacity it raises to (-1 and unset leave
 * it unchanged), and each size it sets — a group's desiredCapacity, minSize and maxSize, an Application Auto
 * Scaling target's minCapacity and maxCapacity.
 */
interface Action {
    name: string;
    at: number;
    capacity: number;
    sizes: [string, number | undefined][];
}

/** A group's scheduled action: the capacity is its desired, else its minimum. */
const groupAction = (name: string, at: number, props: Props): Action => ({
    name,
    at,
    capacity: numberOf(props.desiredCapacity) ?? numberOf(props.minSize) ?? -1,
    sizes: (["desiredCapacity", "minSize", "maxSize"] as const).map((key) => [key, numberOf(props[key])]),
});

/** An Application Auto Scaling scheduled action: the capacity is the minimum it holds the target at. */
const targetAction = (name: string, at: number, props: Props): Action => {
    const set = isRecord(props.scalableTargetAction) ? props.scalableTargetAction : {};
    return {
        name,
        at,
        capacity: numberOf(set.minCapacity) ?? -1,
        sizes: (["minCapacity", "maxCapacity"] as const).map((key) => [key, numberOf(set[key])]),
    };
};

/** The sizes a scheduled action sets below `level` (-1 and unset leave a size unchanged), e.g. "minSize 4". */
const lowered = (action: Action, level: number) =>
    action.sizes.flatMap(([key, size]) => (size !== undefined && size >= 0 && size < level ? [`${key} ${size}`] : []));

/**
 * The first action in the event's window — from the first ramp to the end (or, when the end is not known, the
 * start itself) — that lowers a size below the capacity the ramps before it raised the group to: a scale-down
 * there leaves the peak's traffic to instances that are gone, or lets target tracking scale in before the traffic
 * arrives. Undefined when none does. `actions` in time order: the window opens with the first raise.
 */
function scaleDownInWindow(actions: Action[], baseline: number, until: number) {
    let level: { size: number; by: string } | undefined;
    for (const action of actions) {
        if (level && action.at < until) {
            const sizes = lowered(action, level.size);
            if (sizes.length > 0) return { action, sizes, level };
        }
        if (action.capacity > baseline && action.capacity > (level?.size ?? -1))
            level = { size: action.capacity, by: action.name };
    }
    return undefined;
}

/** What is ramped, in the words of its messages: a group (instances), or a scalable target (tasks, concurrency). */
interface Ramped {
    name: string;
    urn: string;
    /** "its minSize 4", "its minCapacity 2": what it runs at outside the event. */
    baselineKey: string;
    baseline: number;
    /** "the instances", "the tasks", "the provisioned concurrency". */
    capacity: string;
    /** What to add or move: "an aws.autoscaling.Schedule for this group". */
    schedule: string;
}

/** Judges one ramped resource's one-time actions against the event; reports each finding. */
function judgeRamp(
    ramped: Ramped,
    actions: Action[],
    event: { ms: number; text: string; name?: string },
    lead: number,
    endMs: number,
    reportViolation: (message: string, urn?: string) => void,
): void {
    const now = Date.now();
    const deadline = event.ms - lead * 60_000;
    const ramps = actions.filter((a) => a.capacity > ramped.baseline);
    const until = Number.isNaN(endMs) ? event.ms + 1 : endMs;
    const down = scaleDownInWindow(actions, ramped.baseline, until);
    if (down && now < until) {
        reportViolation(
            `${ramped.name}'s scheduled action ${down.action.name}, at ${isoSeconds(down.action.at)} ` +
                `(${relativeTo(down.action.at, event.ms)} ${eventText(event)}), lowers its ` +
                `${down.sizes.join(", ")}, below the ${down.level.size} ${down.level.by} raised it to: ` +
                `${ramped.capacity} the peak needs are gone, or scaled in before the traffic arrives. From the ` +
                `ramp until the event ends (${Number.isNaN(endMs) ? "its end is not known; it starts" : isoSeconds(endMs)}) ` +
                "no action may lower the capacity: move it to the end or later (the plan's ramp-down " +
                "runs after the cooldown), or remove it.",
            ramped.urn,
        );
    }
    // Past the deadline no schedule can be in time: the plan gives the group its peak at once.
    if (now >= deadline || (ramps.length > 0 && ramps[0].at <= deadline)) return;
    const found =
        ramps.length === 0
            ? `no scheduled action raises ${ramped.name}'s capacity above its ${ramped.baselineKey} ${ramped.baseline} before ${eventText(event)}`
            : `${ramped.name}'s first ramp, ${ramps[0].name}, starts at ${isoSeconds(ramps[0].at)}, ` +
              `${relativeTo(ramps[0].at, event.ms)} ${eventText(event)}`;
    reportViolation(
        `${found}; capacity must rise ${lead} min before, by ${isoSeconds(deadline)}, or ${ramped.capacity} ` +
            `beyond the warm pool are still booting when the traffic arrives. Add or move ${ramped.schedule} to ` +
            `start at ${isoSeconds(deadline)} or earlier.`,
        ramped.urn,
    );
}

/** Application Auto Scaling's one-time schedule, `at(YYYY-MM-DDTHH:MM:SS)`, in its timezone (UTC only: else NaN). */
export function atInstant(props: Props): number {
    const at = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/.exec(stringOf(props.schedule) ?? "");
    const zone = stringOf(props.timezone) ?? "UTC";
    return at && (zone === "UTC" || zone === "Etc/UTC") ? Date.parse(`${at[1]}Z`) : NaN;
}

/** What a scalable target's capacity is, by its dimension: ECS tasks, Lambda concurrency, or anything else. */
function targetCapacity(dimension: string | undefined): string {
    if (dimension === "ecs:service:DesiredCount") return "the tasks";
    if (dimension === "lambda:function:ProvisionedConcurrency") return "the provisioned concurrency";
    return "the capacity";
}

export const rampBeforeEvent: StackValidationPolicy = {
    name: POLICY.rampBeforeEvent,
    description:
        "On an event stack, scheduled actions raise each group's capacity — and each Application Auto Scaling " +
        "target's (ECS service tasks, Lambda provisioned concurrency) — at least rampLeadMinutes before the event " +
        "starts, so instances beyond the warm pool have booted and warmed up by then, and none lowers it again " +
        "before the event ends.",
    enforcementLevel: "mandatory",
    configSchema: rampConfig,
    validateStack: (args, reportViolation) => {
        const config = settings(args, rampConfig);
        const schedules = ofType(args.resources, TYPES.schedule);
        const unknowns = new Unknowns();
        const timing = (tags: Map<string, string>) => ({
            lead: config.rampLeadMinutes ?? numberOf(tags.get(TAGS.rampLeadMinutes)) ?? DEFAULTS.rampLeadMinutes,
            endMs: Date.parse(config.eventEnd ?? tags.get(TAGS.eventEnd) ?? ""),
        });
        for (const group of groupsOf(args.resources))
            unknowns.check(group, () => {
                const tags = tagsOf(group.props);
                const event = eventStartOf(config.eventStart, tags);
                if (event === undefined || flatCapacity(group.props) !== undefined) return;
                if (Number.isNaN(event.ms)) return reportViolation(badStart(group.name, event), group.urn);
                // Per schedule of this group: its one-time action, nothing (a recurrence), or undefined while unknown.
                const perSchedule = schedules
                    .filter((s) => referencedBy(s, "autoscalingGroupName", [group], ["name"]).length > 0)
                    .map((s) =>
                        unknowns.check(s, (): Action[] => {
                            const at = Date.parse(String(s.props.startTime));
                            return Number.isNaN(at) ? [] : [groupAction(s.name, at, s.props)];
                        }),
                    );
                // An unknown schedule may be the ramp, or undo it: leave the verdict to apply rather than guess.
                if (perSchedule.includes(undefined)) return;
                const { lead, endMs } = timing(tags);
                const ramped: Ramped = {
                    name: group.name,
                    urn: group.urn,
                    baselineKey: "minSize",
                    baseline: numberOf(group.props.minSize) ?? 0,
                    capacity: "the instances",
                    schedule: "an aws.autoscaling.Schedule for this group",
                };
                judgeRamp(ramped, sortedActions(perSchedule), event, lead, endMs, reportViolation);
            });
        // ECS services' tasks and functions' provisioned concurrency: the stack's event, from its groups' tags.
        const stackTags = stackEventTags(args.resources);
        const scheduled = ofType(args.resources, TYPES.scalingSchedule);
        for (const target of ofType(args.resources, TYPES.scalableTarget))
            unknowns.check(target, () => {
                const event = eventStartOf(config.eventStart, stackTags);
                if (event === undefined) return;
                const min = numberOf(known(target.props, "minCapacity")) ?? 0;
                const max = numberOf(known(target.props, "maxCapacity")) ?? 0;
                const perAction = scheduled
                    .filter((a) => referencedBy(a, "resourceId", [target], ["resourceId"]).length > 0)
                    .map((a) =>
                        unknowns.check(a, (): Action[] => {
                            const at = atInstant(a.props);
                            return Number.isNaN(at) ? [] : [targetAction(a.name, at, a.props)];
                        }),
                    );
                // A fixed capacity no action moves has nothing to ramp (a function's target sits at min = max).
                if (min === max && perAction.length === 0) return;
                if (Number.isNaN(event.ms)) return reportViolation(badStart(target.name, event), target.urn);
                if (perAction.includes(undefined)) return;
                const { lead, endMs } = timing(stackTags);
                const dimension = stringOf(known(target.props, "scalableDimension"));
                judgeRamp(
                    {
                        name: target.name,
                        urn: target.urn,
                        baselineKey: "minCapacity",
                        baseline: min,
                        capacity: targetCapacity(dimension),
                        schedule: "an aws.appautoscaling.ScheduledAction for this target",
                    },
                    sortedActions(perAction),
                    event,
                    lead,
                    endMs,
                    reportViolation,
                );
            });
        unknowns.settle();
    },
};

const sortedActions = (perResource: (Action[] | undefined)[]) =>
    perResource.flatMap((a) => a ?? []).sort((a, b) => a.at - b.at);
