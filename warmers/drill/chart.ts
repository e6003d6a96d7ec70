// The drill's picture, drawn by Vega-Lite (headless, no browser): hit ratio and database load per second for the
// three runs (cold, early warm, event-timed warm), with the Zipf mass of the warmed set as the line the event-timed
// run should start at. Shed arrivals are drawn, not dropped: they count against the hit ratio, and a dashed line
// adds them to the database load, the queries they would have cost had they been served and missed.
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { RunSummary } from "./metrics";
import { RUNS, RUN_LABELS, type RunName } from "./runs";

const WIDTH = 560;
const HEIGHT = 200;
const RUN_COLORS = { domain: RUNS.map((run) => RUN_LABELS[run]), range: ["#d62728", "#ff7f0e", "#1f77b4"] };
const LOAD = { queries: "database queries", withShed: "queries + shed arrivals" };

export async function chartSvg(runs: Record<RunName, RunSummary>, mass: number): Promise<string> {
    const points = RUNS.flatMap((name) =>
        runs[name].perSecond.map(({ second, hitRatio }) => ({ run: RUN_LABELS[name], second, hitRatio })),
    );
    const shedding = RUNS.some((name) => runs[name].shed > 0);
    // The dashed line only for runs that shed: elsewhere it would sit on the solid one.
    const load = RUNS.flatMap((name) =>
        runs[name].perSecond.flatMap(({ second, dbQueries, shed }) => [
            { run: RUN_LABELS[name], second, measure: LOAD.queries, perSecond: dbQueries },
            ...(runs[name].shed > 0
                ? [{ run: RUN_LABELS[name], second, measure: LOAD.withShed, perSecond: dbQueries + shed }]
                : []),
        ]),
    );
    // Ordinal: each point is one whole second's bucket, labelled 1, 2, 3… rather than on a continuous axis.
    const x = { field: "second", type: "ordinal", title: "second of the spike", axis: { labelAngle: 0 } } as const;
    const color = { field: "run", type: "nominal", title: "run", scale: RUN_COLORS } as const;
    const spec: TopLevelSpec = {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        title: "warmstack drill: the same spike on a cold cache, after an early warm, after an event-timed warm",
        data: { values: points },
        background: "white",
        vconcat: [
            {
                width: WIDTH,
                height: HEIGHT,
                layer: [
                    {
                        mark: { type: "line", point: true },
                        encoding: {
                            x,
                            y: {
                                field: "hitRatio",
                                type: "quantitative",
                                title: "cache hit ratio",
                                scale: { domain: [0, 1] },
                                axis: { format: "%" },
                            },
                            color,
                        },
                    },
                    {
                        data: {
                            values: [{ mass, label: `Zipf mass of the warmed set (${(mass * 100).toFixed(1)}%)` }],
                        },
                        layer: [
                            {
                                mark: { type: "rule", strokeDash: [6, 4], color: "gray" },
                                encoding: { y: { field: "mass", type: "quantitative" } },
                            },
                            {
                                mark: { type: "text", align: "left", dx: 4, dy: 10, color: "gray" },
                                encoding: {
                                    y: { field: "mass", type: "quantitative" },
                                    x: { value: 0 },
                                    text: { field: "label" },
                                },
                            },
                        ],
                    },
                ],
            },
            {
                width: WIDTH,
                height: HEIGHT,
                data: { values: load },
                mark: { type: "line", point: true },
                encoding: {
                    x,
                    y: { field: "perSecond", type: "quantitative", title: "database queries / s" },
                    color,
                    strokeDash: {
                        field: "measure",
                        type: "nominal",
                        title: "database load",
                        // The legend lists the dashed line only when one is drawn.
                        scale: {
                            domain: shedding ? [LOAD.queries, LOAD.withShed] : [LOAD.queries],
                            range: [
                                [1, 0],
                                [3, 2],
                            ],
                        },
                        legend: { labelLimit: 0 },
                    },
                },
            },
        ],
    };
    return renderSvg(spec);
}

/** A Vega-Lite spec as SVG, rendered headless (the drill's chart and `warmstack plan`'s). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
    try {
        return await view.toSVG();
    } finally {
        view.finalize(); // its timers and listeners would otherwise outlive the render
    }
}
