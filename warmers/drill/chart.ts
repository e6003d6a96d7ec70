// The drill's picture, drawn by Vega-Lite (headless, no browser): hit ratio and database load per second,
// cold against warm, with the Zipf mass of the warmed set as the line the warm run should start at.
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { RunSummary } from "./metrics";

const WIDTH = 560;
const HEIGHT = 200;
const RUN_COLORS = { domain: ["cold", "warm"], range: ["#d62728", "#1f77b4"] };

export async function chartSvg(cold: RunSummary, warm: RunSummary, mass: number): Promise<string> {
    const points = (run: "cold" | "warm", summary: RunSummary) =>
        summary.perSecond.map(({ second, hitRatio, dbQueries }) => ({ run, second, hitRatio, dbQueries }));
    // Ordinal: each point is one whole second's bucket, labelled 1, 2, 3… rather than on a continuous axis.
    const x = { field: "second", type: "ordinal", title: "second of the spike", axis: { labelAngle: 0 } } as const;
    const color = { field: "run", type: "nominal", title: "run", scale: RUN_COLORS } as const;
    const spec: TopLevelSpec = {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        title: "warmstack drill: cold vs pre-warmed cache under the same spike",
        data: { values: [...points("cold", cold), ...points("warm", warm)] },
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
                mark: { type: "line", point: true },
                encoding: { x, y: { field: "dbQueries", type: "quantitative", title: "database queries / s" }, color },
            },
        ],
    };
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
    try {
        return await view.toSVG();
    } finally {
        view.finalize();
    }
}
