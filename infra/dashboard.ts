// EventDashboard: one CloudWatch dashboard to watch the chain during the event — instances in service against
// desired and the warm pool's warmed capacity, requests per target, the cache's hit rate, evictions and
// connections, the database's connections and replica lag, the warm's keys written and warmth — with the event
// window (and the ramp and data warm instants) marked. `warmstack check` prints its URL.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Timeline } from "../model/timeline";
import { WARM_METRICS } from "../model/warm-metrics";

/** What the widgets name: plain values, so the body is a pure function of them. */
export interface DashboardTargets {
    region: string;
    stack: string;
    groupName: string;
    loadBalancer: string;
    targetGroup: string;
    cacheClusters: string[];
    databasePrimary: string;
    databaseReplicas: string[];
    /** The event's instants; none for an everyday stack. */
    timeline?: Timeline;
    eventName?: string;
}

type Metric = (string | { stat?: string; label?: string; yAxis?: "left" | "right" })[];

const HOUR_MS = 3_600_000;
/** A grid of two 12-wide columns, 6 high: CloudWatch's 24-unit width. */
const WIDTH = 12;
const HEIGHT = 6;

/** The dashboard's JSON body (CloudWatch's dashboard body structure). */
export function dashboardBody(t: DashboardTargets) {
    const annotations = t.timeline && {
        vertical: [
            // A pair is a shaded band: the event itself.
            [{ label: `${t.eventName} event`, value: t.timeline.start }, { value: t.timeline.end }],
            { label: "ramp", value: t.timeline.ramp },
            { label: "data warm", value: t.timeline.databaseWarm },
            { label: "scale-down", value: t.timeline.scaleDown },
        ],
    };
    const widget = (title: string, metrics: Metric[], stat = "Average") => ({
        type: "metric",
        width: WIDTH,
        height: HEIGHT,
        properties: {
            title,
            region: t.region,
            stat,
            period: 60,
            view: "timeSeries",
            metrics,
            ...(annotations && { annotations }),
        },
    });
    const group = (metric: string, label: string): Metric => [
        "AWS/AutoScaling",
        metric,
        "AutoScalingGroupName",
        t.groupName,
        { label },
    ];
    const perCache = (metric: string) =>
        t.cacheClusters.map((id): Metric => ["AWS/ElastiCache", metric, "CacheClusterId", id, { label: id }]);
    const perDatabase = (metric: string, ids: string[]) =>
        ids.map((id): Metric => ["AWS/RDS", metric, "DBInstanceIdentifier", id, { label: id }]);
    const warm = (metric: string): Metric => [WARM_METRICS.namespace, metric, WARM_METRICS.dimension, t.stack];
    const widgets = [
        widget("Instances: in service vs desired, warm pool warmed", [
            group("GroupInServiceInstances", "in service"),
            group("GroupDesiredCapacity", "desired"),
            group("WarmPoolWarmedCapacity", "warm pool warmed"),
        ]),
        widget(
            "Requests per target",
            [
                [
                    "AWS/ApplicationELB",
                    "RequestCountPerTarget",
                    "TargetGroup",
                    t.targetGroup,
                    "LoadBalancer",
                    t.loadBalancer,
                ],
            ],
            "Sum",
        ),
        widget("Cache hit rate (%)", perCache("CacheHitRate")),
        widget("Cache evictions", perCache("Evictions"), "Sum"),
        widget("Cache connections", perCache("CurrConnections")),
        widget("Database connections", perDatabase("DatabaseConnections", [t.databasePrimary, ...t.databaseReplicas])),
        widget("Replica lag (s)", perDatabase("ReplicaLag", t.databaseReplicas), "Maximum"),
        widget("Warm: keys written and warmth", [
            [...warm(WARM_METRICS.keysWritten), { stat: "Maximum", label: "keys written" }],
            [...warm(WARM_METRICS.warmth), { stat: "Maximum", label: "warmth", yAxis: "right" }],
        ]),
    ].map((w, i) => ({ ...w, x: (i % 2) * WIDTH, y: Math.floor(i / 2) * HEIGHT }));
    return {
        // Opened, it shows the hour before the data warm or the ramp to the hour after the scale-down.
        ...(t.timeline && {
            start: new Date(
                Math.min(Date.parse(t.timeline.ramp), Date.parse(t.timeline.databaseWarm)) - HOUR_MS,
            ).toISOString(),
            end: new Date(Date.parse(t.timeline.scaleDown) + HOUR_MS).toISOString(),
        }),
        widgets,
    };
}

/** The console address of a dashboard. */
export function dashboardUrl(region: string, name: string): string {
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${name}`;
}

export interface EventDashboardArgs {
    groupName: pulumi.Input<string>;
    loadBalancer: pulumi.Input<string>;
    targetGroup: pulumi.Input<string>;
    cacheClusters: pulumi.Input<string[]>;
    databasePrimary: pulumi.Input<string>;
    databaseReplicas: pulumi.Input<pulumi.Input<string>[]>;
    timeline?: Timeline;
    eventName?: string;
}

export class EventDashboard extends pulumi.ComponentResource {
    readonly dashboardName: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: EventDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:dashboard:EventDashboard", name, {}, opts);
        const parent = { parent: this };
        const region = aws.getRegionOutput({}, parent).region;
        const stack = pulumi.getStack();
        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                // One per stack in the account: named by the project and stack.
                dashboardName: `${pulumi.getProject()}-${stack}`,
                dashboardBody: pulumi
                    .all([
                        region,
                        args.groupName,
                        args.loadBalancer,
                        args.targetGroup,
                        args.cacheClusters,
                        args.databasePrimary,
                        args.databaseReplicas,
                    ])
                    .apply(([r, groupName, loadBalancer, targetGroup, cacheClusters, primary, replicas]) =>
                        JSON.stringify(
                            dashboardBody({
                                region: r,
                                stack,
                                groupName,
                                loadBalancer,
                                targetGroup,
                                cacheClusters,
                                databasePrimary: primary,
                                databaseReplicas: replicas,
                                timeline: args.timeline,
                                eventName: args.eventName,
                            }),
                        ),
                    ),
            },
            parent,
        );
        this.dashboardName = dashboard.dashboardName;
        this.url = pulumi.all([region, dashboard.dashboardName]).apply(([r, n]) => dashboardUrl(r, n));
        this.registerOutputs({ url: this.url });
    }
}
