// The program's Application Auto Scaling ramp replayed against moto, as the functions' and the ECS services'
// moto tests share it: register every scalable target and put every scheduled action as the program sends them,
// then compare what the API answers back with what was sent.
import {
    ApplicationAutoScalingClient,
    DescribeScalableTargetsCommand,
    DescribeScheduledActionsCommand,
    PutScheduledActionCommand,
    RegisterScalableTargetCommand,
    type ScalableDimension,
    type ServiceNamespace,
} from "@aws-sdk/client-application-auto-scaling";
import { T, type ProgramRun } from "./pulumi";

/** The program's targets and actions, as comparable rows. */
export function sentRamp(run: ProgramRun) {
    const targets = run.ofType(T.scalableTarget).map((t) => t.inputs);
    const actions = run.ofType(T.scalingSchedule).map((a) => a.inputs);
    return {
        targets: targets.map((t) => [t.resourceId, t.scalableDimension, t.minCapacity, t.maxCapacity]),
        actions: actions
            .map((a) => [
                a.resourceId,
                a.name,
                a.schedule,
                a.timezone,
                a.scalableTargetAction.minCapacity,
                a.scalableTargetAction.maxCapacity,
            ])
            .sort(),
    };
}

/** Sends every target, then every action, as the program would. */
export async function replayRamp(client: ApplicationAutoScalingClient, run: ProgramRun): Promise<void> {
    for (const t of run.ofType(T.scalableTarget).map((r) => r.inputs)) {
        await client.send(
            new RegisterScalableTargetCommand({
                ServiceNamespace: t.serviceNamespace as ServiceNamespace,
                ScalableDimension: t.scalableDimension as ScalableDimension,
                ResourceId: t.resourceId,
                MinCapacity: t.minCapacity,
                MaxCapacity: t.maxCapacity,
            }),
        );
    }
    for (const a of run.ofType(T.scalingSchedule).map((r) => r.inputs)) {
        await client.send(
            new PutScheduledActionCommand({
                ServiceNamespace: a.serviceNamespace as ServiceNamespace,
                ScalableDimension: a.scalableDimension as ScalableDimension,
                ResourceId: a.resourceId,
                ScheduledActionName: a.name,
                Schedule: a.schedule,
                Timezone: a.timezone,
                ScalableTargetAction: {
                    MinCapacity: a.scalableTargetAction.minCapacity,
                    MaxCapacity: a.scalableTargetAction.maxCapacity,
                },
            }),
        );
    }
}

/** What the API holds for `namespace`, in {@link sentRamp}'s rows. */
export async function answeredRamp(client: ApplicationAutoScalingClient, namespace: ServiceNamespace) {
    const targets = await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: namespace }));
    const actions = await client.send(new DescribeScheduledActionsCommand({ ServiceNamespace: namespace }));
    return {
        targets: (targets.ScalableTargets ?? []).map((t) => [
            t.ResourceId,
            t.ScalableDimension,
            t.MinCapacity,
            t.MaxCapacity,
        ]),
        actions: (actions.ScheduledActions ?? [])
            .map((a) => [
                a.ResourceId,
                a.ScheduledActionName,
                a.Schedule,
                a.Timezone,
                a.ScalableTargetAction?.MinCapacity,
                a.ScalableTargetAction?.MaxCapacity,
            ])
            .sort(),
    };
}
