// `warmstack plan --out`: capacity over time around the event — instances in service (baseline, the scheduled
// ramp to the peak, the scale-down) and the warm pool behind them — drawn by Vega-Lite as the drill's chart is.
// A long event gets two panels on one scale, around its start and around its end, so the minutes of the ramp
// stay readable beside the days of the event.
import type { TopLevelSpec } from "vega-lite";
import type { ReadinessPlan } from "../../model/plan";
import { orderedTimeline, type Instants, type Timeline } from "../../model/timeline";
import { renderSvg } from "../drill/chart";

const WIDTH = 360;
const HEIGHT = 220;
const HOUR = 3_600_000;
/** An event this long (ramp to scale-down) fits one panel; a longer one is split around its start and end. */
const ONE_PANEL_MS = 12 * HOUR;
const MARGIN_MS = HOUR / 2;
const SERIES = { domain: ["in service", "warm pool"], range: ["#1f77b4", "#ff7f0e"] };
const LABELS: Record<keyof Timeline, string> = {
    deployBy: "deploy by",
    databaseWarm: "data warm",
    cacheWarm: "cache warm",
    ramp: "ramp",
    start: "start",
    end: "end",
    scaleDown: "scale-down",
};

type Window = { from: number; to: number; title: string };

/** The time windows to draw: the whole event, or one around its start and one around its end. */
export function chartWindows(at: Instants): Window[] {
    const first = Math.min(at.deployBy, at.databaseWarm, at.ramp);
    if (at.scaleDown - first <= ONE_PANEL_MS)
        return [{ from: first - MARGIN_MS, to: at.scaleDown + MARGIN_MS, title: "the event" }];
    return [
        { from: first - MARGIN_MS, to: at.start + 2 * HOUR, title: "around the start" },
        { from: at.end - 2 * HOUR, to: at.scaleDown + 2 * MARGIN_MS, title: "around the end" },
    ];
}

/** Instances in service and in the warm pool at each change, from `from` to `to` (steps: a value holds until the next). */
export function capacitySteps(plan: ReadinessPlan, at: Instants, window: Window) {
    const { baseline, peak } = plan.instances;
    const inService = (t: number) => (t >= at.ramp && t < at.scaleDown ? peak : baseline);
    const times = [window.from, at.ramp, at.scaleDown, window.to].filter((t) => t >= window.from && t <= window.to);
    return times.flatMap((t) => [
        { time: new Date(t).toISOString(), series: "in service", instances: inService(t) },
        { time: new Date(t).toISOString(), series: "warm pool", instances: plan.warmPool.minSize },
    ]);
}

export function planChartSpec(plan: ReadinessPlan): TopLevelSpec {
    if (!plan.timeline || !plan.event) throw new Error("planChartSpec: the plan has no event timeline");
    const timeline = plan.timeline;
    const at = Object.fromEntries(Object.entries(timeline).map(([k, iso]) => [k, Date.parse(iso)])) as Instants;
    const { baseline, peak } = plan.instances;
    const y = { field: "instances", type: "quantitative", title: "instances", scale: { domain: [0, peak * 1.1] } };
    const panel = (window: Window) => {
        const x = {
            field: "time",
            type: "temporal",
            title: `${window.title} (UTC)`,
            scale: { type: "utc", domain: [new Date(window.from).toISOString(), new Date(window.to).toISOString()] },
            axis: { format: "%b %d %H:%M", labelAngle: -30, tickCount: 6 },
        } as const;
        // Instants in this window; equal ones (the cache warm follows the database warm) share one label.
        const marks = orderedTimeline(timeline)
            .filter(({ at: iso }) => Date.parse(iso) >= window.from && Date.parse(iso) <= window.to)
            .reduce<Array<{ time: string; label: string }>>((acc, { name, at: iso }) => {
                const same = acc.find((m) => m.time === iso);
                if (same) same.label += ` / ${LABELS[name]}`;
                else acc.push({ time: iso, label: LABELS[name] });
                return acc;
            }, [])
            .map((m, i) => ({ ...m, row: i % 2 }));
        return {
            width: WIDTH,
            height: HEIGHT,
            layer: [
                {
                    data: { values: capacitySteps(plan, at, window) },
                    mark: { type: "line", interpolate: "step-after", strokeWidth: 2, clip: true },
                    encoding: { x, y, color: { field: "series", type: "nominal", title: null, scale: SERIES } },
                },
                {
                    data: {
                        values: [
                            { instances: peak, label: `peak ${peak}` },
                            { instances: baseline, label: `baseline ${baseline}` },
                        ],
                    },
                    layer: [
                        {
                            mark: { type: "rule", strokeDash: [2, 3], color: "gray" },
                            encoding: { y: { field: "instances", type: "quantitative" } },
                        },
                        {
                            mark: { type: "text", align: "right", dy: -6, color: "gray" },
                            encoding: {
                                y: { field: "instances", type: "quantitative" },
                                x: { value: WIDTH - 2 },
                                text: { field: "label" },
                            },
                        },
                    ],
                },
                {
                    data: { values: marks },
                    layer: [
                        {
                            mark: { type: "rule", strokeDash: [6, 4], color: "#888" },
                            encoding: { x: { field: "time", type: "temporal" } },
                        },
                        // Labels on two rows, alternating, so instants close together stay legible.
                        ...[0, 1].map((row) => ({
                            transform: [{ filter: `datum.row === ${row}` }],
                            mark: { type: "text", align: "left", dx: 3, color: "#444", fontSize: 10 },
                            encoding: {
                                x: { field: "time", type: "temporal" },
                                y: { value: 8 + 12 * row },
                                text: { field: "label" },
                            },
                        })),
                    ],
                },
            ],
            resolve: { scale: { y: "shared" } },
        };
    };
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        title: {
            text: `warmstack plan: ${plan.event.name}, capacity over time`,
            subtitle:
                `${peak} at peak from the ramp to the scale-down, ${baseline} baseline, ` +
                `${plan.warmPool.minSize} instances ${plan.warmPool.state} in the warm pool`,
        },
        background: "white",
        hconcat: chartWindows(at).map(panel),
        resolve: { scale: { y: "shared" } },
    } as TopLevelSpec;
}

/** The chart as SVG, rendered headless. */
export function planChartSvg(plan: ReadinessPlan): Promise<string> {
    return renderSvg(planChartSpec(plan));
}
