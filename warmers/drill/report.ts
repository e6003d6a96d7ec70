// What the drill tells: the terminal headline, the Markdown report and the check the event-timed run must pass.
// Every figure comes from the run summaries; nothing here measures or recomputes.
import path from "node:path";
import fs from "node:fs/promises";
import type { WarmReport } from "../engine/report";
import { ratio, type RunSummary } from "./metrics";
import type { DrillOptions } from "./options";
import { makeOutDir } from "../out-dir";
import type { FirstRequest } from "./pools";
import { RUNS, RUN_LABELS, type RunName, type WarmedRun } from "./runs";

/** When the warms happened, and what was left of them when their spike began. */
export interface Timing {
    /** The engine's TTL jitter the warms used: TTLs spread over `ttl` × (1 ± jitter). */
    jitter: number;
    /** How long the early run waited between its warm and its spike. */
    earlyWaitMs: number;
    /** How many of the hottest keys were checked at each warmed spike's start. */
    liveSampled: number;
    /** Of those, how many were in the cache. */
    live: Record<WarmedRun, number>;
}

/** What the report tells of each pre-warm, from the engine's own report. */
export type WarmFigures = Pick<
    WarmReport,
    "rowsRead" | "keysWritten" | "durationMs" | "keysPerSecond" | "warmth" | "verified"
>;

export interface DrillResult {
    options: DrillOptions;
    runs: Record<RunName, RunSummary>;
    /** The engine's own figures of each pre-warm. */
    warms: Record<WarmedRun, WarmFigures>;
    timing: Timing;
    /** zipfMass(rows, skew, warmKeys): the hit ratio a perfect pre-warm gives the very first request. */
    mass: number;
    firstRequest: FirstRequest;
}

/** How far below the Zipf mass the event-timed run's first requests may land (sampling noise over 1,000 draws). */
export const MASS_TOLERANCE = 0.02;

export const REPORT_FILE = "report.md";
export const CHART_FILE = "drill-chart.svg";

/** Why the drill failed, or nothing when the event-timed pre-warm delivered what its size promises. */
export function problems({ runs, mass }: DrillResult): string[] {
    const found: string[] = [];
    const { timed } = runs;
    if (timed.firstHitRatio < mass - MASS_TOLERANCE) {
        found.push(
            `${RUN_LABELS.timed} run's first ${timed.firstRequests} requests hit ${pct(timed.firstHitRatio)}, below the Zipf mass ${pct(mass)} − ${pct(MASS_TOLERANCE)}`,
        );
    }
    for (const name of RUNS) {
        const run = runs[name];
        if (run.errors > 0)
            found.push(`${run.errors} requests of the ${RUN_LABELS[name]} run failed, first: ${run.firstError}`);
    }
    return found;
}

/** The figures side by side, one column per run. */
function comparison({ runs, timing }: DrillResult): string[][] {
    const each = (figure: (run: RunSummary) => string) => RUNS.map((name) => figure(runs[name]));
    const live = (name: RunName) =>
        name === "cold" ? "–" : `${count(timing.live[name])} of ${count(timing.liveSampled)}`;
    return [
        ["", ...RUNS.map((name) => RUN_LABELS[name])],
        ["hottest keys live at the start", ...RUNS.map(live)],
        ["hit ratio, first second", ...each((run) => pct(run.perSecond[0].hitRatio))],
        ["hit ratio, whole spike", ...each((run) => pct(ratio(run.hits, run.requests + run.shed)))],
        ["database queries, first second", ...each((run) => count(run.perSecond[0].dbQueries))],
        ["database queries, whole spike", ...each((run) => count(run.dbQueries))],
        ["shed, first second", ...each((run) => count(run.perSecond[0].shed))],
        ["shed, whole spike", ...each((run) => count(run.shed))],
        ["p99 latency, first second", ...each((run) => ms(run.perSecond[0].p99Ms))],
        ["p99 latency, whole spike", ...each((run) => ms(run.p99Ms))],
    ];
}

export function headline(result: DrillResult): string[] {
    const { runs, mass, firstRequest, options, timing } = result;
    const saved = (run: WarmedRun) => {
        const n = runs.cold.dbQueries - runs[run].dbQueries;
        return `${count(n)} (${pct(ratio(n, runs.cold.dbQueries))})`;
    };
    const rows = comparison(result);
    const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)) + 3);
    const lines: [string, string][] = [
        [
            "database queries saved",
            `event-timed warm ${saved("timed")}, early warm ${saved("early")} of the cold run's ${count(runs.cold.dbQueries)}` +
                // Shedding caps the queries a run can make: say how much of the cold run's load never got that far.
                (runs.cold.shed > 0 ? `; the cold run also shed ${count(runs.cold.shed)}, each up to one more` : ""),
        ],
        [
            `${RUN_LABELS.timed}, first ${count(runs.timed.firstRequests)}`,
            `hit ratio ${pct(runs.timed.firstHitRatio)} vs Zipf mass of the ${count(options.warmKeys)} warmed keys ${pct(mass)} (needs ≥ ${pct(mass - MASS_TOLERANCE)})`,
        ],
        [
            "timing",
            `TTL ${options.ttl} s ± ${pct(timing.jitter)}: the early warm ended ${(timing.earlyWaitMs / 1000).toFixed(1)} s before its spike, the event-timed warm just before`,
        ],
        [
            "first request over a pg pool",
            `cold ${ms(firstRequest.coldPoolMs)} → pre-warmed ${ms(firstRequest.warmPoolMs)}`,
        ],
    ];
    const failed = problems(result);
    return [
        ...rows.map((row) =>
            row
                .map((cell, col) => cell.padEnd(widths[col]))
                .join("")
                .trimEnd(),
        ),
        "",
        ...lines.map(([label, value]) => `${`${label}:`.padEnd(widths[0])}${value}`),
        failed.length
            ? `FAILED: ${failed.join("; ")}`
            : "PASSED: the event-timed pre-warm delivered what its size promises",
    ];
}

export function markdown(result: DrillResult): string {
    const { options, runs, warms } = result;
    const perSecond = runs.cold.perSecond.map((_, i) => {
        const cells = (figure: (s: RunSummary["perSecond"][number]) => string) =>
            RUNS.map((name) => figure(runs[name].perSecond[i]));
        return `| ${i + 1} | ${[
            ...cells((s) => pct(s.hitRatio)),
            ...cells((s) => count(s.dbQueries)),
            ...cells((s) => count(s.shed)),
            ...cells((s) => `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`),
        ].join(" | ")} |`;
    });
    const names = (what: string) => RUNS.map((name) => `${what} ${RUN_LABELS[name]}`);
    const warmLine = (run: WarmedRun) => {
        const w = warms[run];
        return (
            `- ${RUN_LABELS[run]}: streamed the ${count(w.rowsRead)} hottest rows and wrote ${count(w.keysWritten)} keys ` +
            `in ${(w.durationMs / 1000).toFixed(1)} s (${count(w.keysPerSecond)} keys/s); verified warmth ${pct(w.warmth)} ` +
            `(${w.verified.present} of ${w.verified.sampled} sampled hot keys present).`
        );
    };
    return [
        "# warmstack drill",
        "",
        `${count(options.rows)} products, ${count(options.rps)} requests/s for ${options.seconds} s, Zipf skew ${options.skew}, ` +
            `top ${count(options.warmKeys)} keys pre-warmed with a TTL of ${options.ttl} s, seed ${options.seed}. Every run replays ` +
            "the same key sequence through a cache-aside read path (Redis, then PostgreSQL on a miss, then fill with a TTL): " +
            "cold (empty cache, fresh pg pool), after an early warm (the same pre-warm, then a wait until its TTL ran out: a " +
            "deploy-time warm at an event's start) and after an event-timed warm (the pre-warm just before the spike).",
        "",
        "```",
        ...headline(result),
        "```",
        "",
        `![hit ratio and database load per second: cold, early warm, event-timed warm](${CHART_FILE})`,
        "",
        "A request arriving while 512 are in flight is shed: the system could not take it. Shed requests count against " +
            "the hit ratio (the cache did not answer them) and are charted as the dashed database line, the load had " +
            "each been served and missed.",
        "",
        "## Per second",
        "",
        `| second | ${[...names("hit ratio"), ...names("DB queries"), ...names("shed"), ...names("p50 / p99")].join(" | ")} |`,
        `|---:|${"---:|".repeat(RUNS.length * 4)}`,
        ...perSecond,
        "",
        "## The pre-warms",
        "",
        "The engine (`warm()`, as `warmstack warm` runs it):",
        "",
        warmLine("early"),
        warmLine("timed"),
        "",
        "The Zipf mass is the share of requests the warmed keys receive: the hit ratio a perfect pre-warm gives the very first " +
            `request. Fills on a miss only add to it, so the event-timed run's first ${count(runs.timed.firstRequests)} requests ` +
            `must hit at least the mass minus ${pct(MASS_TOLERANCE)} (sampling noise).`,
        "",
        "Latency counts from when each request was due, so the load generator's own stalls (garbage collection, a busy " +
            "CPU shared with both servers) show in it too; its event-loop lag below tells how much.",
        "",
        "| run | requests served | hits | DB queries | errors | shed | p50 | p99 | load generator's own lag, p99 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ...RUNS.map((name) => {
            const run = runs[name];
            return `| ${RUN_LABELS[name]} | ${count(run.requests)} | ${count(run.hits)} | ${count(run.dbQueries)} | ${count(run.errors)} | ${count(run.shed)} | ${ms(run.p50Ms)} | ${ms(run.p99Ms)} | ${ms(run.loopLagP99Ms)} |`;
        }),
        "",
    ].join("\n");
}

/** Writes the report and the chart into `out` (checked before the run by checkOutDir); returns their paths. */
export async function writeReport(
    out: string,
    result: DrillResult,
    svg: string,
): Promise<{ report: string; chart: string }> {
    await makeOutDir(out);
    const report = path.join(out, REPORT_FILE);
    const chart = path.join(out, CHART_FILE);
    await fs.writeFile(chart, svg);
    await fs.writeFile(report, markdown(result));
    return { report, chart };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const count = (n: number) => n.toLocaleString("en-US");
