// What the drill tells: the terminal headline, the Markdown report and the check the warm run must pass.
// Every figure comes from the run summaries; nothing here measures or recomputes.
import fs from "node:fs/promises";
import path from "node:path";
import type { WarmReport } from "../engine/report";
import { ratio, type RunSummary } from "./metrics";
import type { DrillOptions } from "./options";
import type { FirstRequest } from "./pools";

export interface DrillResult {
    options: DrillOptions;
    cold: RunSummary;
    warm: RunSummary;
    /** The engine's own report of the pre-warm. */
    warmed: WarmReport;
    /** zipfMass(rows, skew, warmKeys): the hit ratio a perfect pre-warm gives the very first request. */
    mass: number;
    firstRequest: FirstRequest;
}

/** How far below the Zipf mass the warm run's first requests may land (sampling noise over 1,000 draws). */
export const MASS_TOLERANCE = 0.02;

export const REPORT_FILE = "report.md";
export const CHART_FILE = "drill-chart.svg";

/** Why the drill failed, or nothing when the pre-warm delivered what its size promises. */
export function problems({ cold, warm, mass }: DrillResult): string[] {
    const found: string[] = [];
    if (warm.firstHitRatio < mass - MASS_TOLERANCE) {
        found.push(
            `warm run's first ${warm.firstRequests} requests hit ${pct(warm.firstHitRatio)}, below the Zipf mass ${pct(mass)} − ${pct(MASS_TOLERANCE)}`,
        );
    }
    for (const [name, run] of [
        ["cold", cold],
        ["warm", warm],
    ] as const) {
        if (run.errors > 0) found.push(`${run.errors} requests of the ${name} run failed, first: ${run.firstError}`);
    }
    return found;
}

export function headline(result: DrillResult): string[] {
    const { cold, warm, mass, firstRequest, options } = result;
    const saved = cold.dbQueries - warm.dbQueries;
    const lines: [string, string][] = [
        [
            "hit ratio, first second",
            `cold ${pct(cold.perSecond[0].hitRatio)} → warm ${pct(warm.perSecond[0].hitRatio)}`,
        ],
        [
            "database queries saved",
            `${count(saved)} of ${count(cold.dbQueries)} (${pct(ratio(saved, cold.dbQueries))}) over the ${options.seconds} s spike`,
        ],
        ["p99 latency, first second", `cold ${ms(cold.perSecond[0].p99Ms)} → warm ${ms(warm.perSecond[0].p99Ms)}`],
        ["p99 latency, whole spike", `cold ${ms(cold.p99Ms)} → warm ${ms(warm.p99Ms)}`],
        [
            `warm, first ${count(warm.firstRequests)} requests`,
            `hit ratio ${pct(warm.firstHitRatio)} vs Zipf mass of the ${count(options.warmKeys)} warmed keys ${pct(mass)} (needs ≥ ${pct(mass - MASS_TOLERANCE)})`,
        ],
        [
            "first request over a pg pool",
            `cold ${ms(firstRequest.coldPoolMs)} → pre-warmed ${ms(firstRequest.warmPoolMs)}`,
        ],
    ];
    if (cold.shed + warm.shed > 0)
        lines.push(["shed at the in-flight bound", `cold ${count(cold.shed)}, warm ${count(warm.shed)}`]);
    const failed = problems(result);
    return [
        ...lines.map(([label, value]) => `${`${label}:`.padEnd(32)}${value}`),
        failed.length ? `FAILED: ${failed.join("; ")}` : "PASSED: the pre-warm delivered what its size promises",
    ];
}

export function markdown(result: DrillResult): string {
    const { options, cold, warm, warmed } = result;
    const rows = cold.perSecond.map((c, i) => {
        const w = warm.perSecond[i];
        return `| ${c.second} | ${pct(c.hitRatio)} | ${pct(w.hitRatio)} | ${count(c.dbQueries)} | ${count(w.dbQueries)} | ${ms(c.p50Ms)} / ${ms(c.p99Ms)} | ${ms(w.p50Ms)} / ${ms(w.p99Ms)} |`;
    });
    return [
        "# warmstack drill",
        "",
        `${count(options.rows)} products, ${count(options.rps)} requests/s for ${options.seconds} s, Zipf skew ${options.skew}, ` +
            `top ${count(options.warmKeys)} keys pre-warmed, seed ${options.seed}. Both spikes replay the same key sequence ` +
            "through a cache-aside read path (Redis, then PostgreSQL on a miss, then fill with a TTL).",
        "",
        "```",
        ...headline(result),
        "```",
        "",
        `![hit ratio and database load per second, cold vs warm](${CHART_FILE})`,
        "",
        "## Per second",
        "",
        "| second | hit ratio cold | hit ratio warm | DB queries cold | DB queries warm | p50 / p99 cold | p50 / p99 warm |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        ...rows,
        "",
        "## The pre-warm",
        "",
        `The engine (\`warm()\`, as \`warmstack warm\` runs it) streamed the ${count(warmed.rowsRead)} hottest rows from PostgreSQL ` +
            `and wrote ${count(warmed.keysWritten)} keys in ${(warmed.durationMs / 1000).toFixed(1)} s (${count(warmed.keysPerSecond)} keys/s); ` +
            `verified warmth ${pct(warmed.warmth)} (${warmed.verified.present} of ${warmed.verified.sampled} sampled hot keys present).`,
        "",
        "The Zipf mass is the share of requests the warmed keys receive: the hit ratio a perfect pre-warm gives the very first " +
            `request. Fills on a miss only add to it, so the warm run's first ${count(warm.firstRequests)} requests must hit at least ` +
            `the mass minus ${pct(MASS_TOLERANCE)} (sampling noise).`,
        "",
        "Latency counts from when each request was due, so the load generator's own stalls (garbage collection, a busy " +
            "CPU shared with both servers) show in it too; its event-loop lag below tells how much.",
        "",
        "| run | requests | hits | DB queries | errors | shed | p50 | p99 | load generator's own lag, p99 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ...(
            [
                ["cold", cold],
                ["warm", warm],
            ] as const
        ).map(
            ([name, run]) =>
                `| ${name} | ${count(run.requests)} | ${count(run.hits)} | ${count(run.dbQueries)} | ${count(run.errors)} | ${count(run.shed)} | ${ms(run.p50Ms)} | ${ms(run.p99Ms)} | ${ms(run.loopLagP99Ms)} |`,
        ),
        "",
    ].join("\n");
}

/** Writes the report and the chart into `out`; returns their paths. */
export async function writeReport(
    out: string,
    result: DrillResult,
    svg: string,
): Promise<{ report: string; chart: string }> {
    await fs.mkdir(out, { recursive: true });
    const report = path.join(out, REPORT_FILE);
    const chart = path.join(out, CHART_FILE);
    await fs.writeFile(chart, svg);
    await fs.writeFile(report, markdown(result));
    return { report, chart };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const count = (n: number) => n.toLocaleString("en-US");
