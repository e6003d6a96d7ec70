// `warmstack plan`: a stack's readiness plan before any deploy — the stack file parsed by the program's own schema
// and planned by the program's own function (no Pulumi CLI, no AWS, no network), printed as tables, as the
// `plan` stack output's JSON (--json), and as a capacity chart (--out).
import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { WarmstackError } from "../../model/errors";
import { checkOutDir, makeOutDir } from "../out-dir";
import { fieldError } from "../fields";

/** The chart --out writes. */
export const PLAN_CHART_FILE = "plan-chart.svg";

/** The stack file breaks the program's schema, or the plan cannot hold the peak: the program's own message. */
export class PlanConfigError extends WarmstackError {
    readonly code = "WARM_INPUT";
}

interface PlanFlags {
    stack?: string;
    config?: string;
    json?: boolean;
    out?: string;
    at?: string;
}

export function planCommand(): Command {
    return new Command("plan")
        .description(
            "a stack's readiness plan before any deploy: timeline, capacity, data tier and cost, from its stack file",
        )
        .addOption(
            new Option("--stack <name>", "the stack whose Pulumi.<name>.yaml the project holds").conflicts("config"),
        )
        .option("--config <file>", "a stack file to plan (the same form as Pulumi.<stack>.yaml)")
        .option("--json", "print the plan as one JSON object: the program's `plan` stack output")
        .option("--out <dir>", `also write the capacity chart there (${PLAN_CHART_FILE})`)
        .option("--at <time>", "plan as a deploy at this instant would, ISO 8601 with a zone (default: now)")
        .action(runPlan);
}

async function runPlan(flags: PlanFlags): Promise<void> {
    // Every flag is checked before anything is read or written.
    const now = flags.at === undefined ? Date.now() : instant(flags.at);
    if (flags.stack === undefined && flags.config === undefined)
        throw fieldError("stack", "a stack name (reads Pulumi.<name>.yaml), or --config FILE", undefined);
    if (flags.out !== undefined) await checkOutDir(flags.out);

    // Loaded on use: the schema, the plan and the charting library.
    const [{ stackConfigValues, stackFile }, { ConfigError }, { planStack }] = await Promise.all([
        import("./stack-file"),
        import("../../model/config"),
        import("../../model/stack-plan"),
    ]);
    const file = flags.stack !== undefined ? stackFile(flags.stack, process.cwd()) : path.resolve(flags.config!);
    const source = flags.stack !== undefined ? `stack ${flags.stack} (${path.basename(file)})` : file;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        const flag = flags.stack !== undefined ? "stack" : "config";
        throw fieldError(flag, "a readable stack file", `${file} (${(err as NodeJS.ErrnoException).code})`);
    }
    let config, readiness;
    try {
        ({ config, plan: readiness } = planStack(stackConfigValues(text, file), now));
    } catch (err) {
        if (err instanceof ConfigError) throw new PlanConfigError(`${file}: ${err.message}`);
        throw err;
    }
    if (flags.out !== undefined && !readiness.timeline)
        throw fieldError("out", "a stack with an event (warmstack:event) to chart", flags.out);

    if (flags.json) process.stdout.write(`${JSON.stringify(readiness, null, 2)}\n`);
    else process.stdout.write((await import("./plan-report")).planReport(readiness, config, source, now));
    if (flags.out !== undefined) {
        await makeOutDir(flags.out);
        const chart = path.join(flags.out, PLAN_CHART_FILE);
        fs.writeFileSync(chart, await (await import("./plan-chart")).planChartSvg(readiness));
        // On stderr with --json, so stdout stays one JSON object.
        (flags.json ? process.stderr : process.stdout).write(`chart: ${chart}\n`);
    }
}

function instant(text: string): number {
    const ms = Date.parse(text);
    const date = /^(\d{4})-(\d\d)-(\d\d)T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.exec(text);
    if (!date || Number.isNaN(ms) || !onCalendar(Number(date[1]), Number(date[2]), Number(date[3])))
        throw fieldError("at", "an ISO 8601 date-time with a zone, e.g. 2027-11-20T10:00:00Z", text);
    return ms;
}

/** Date.parse rolls a day past the month's end into the next (2027-02-30 is March 2); the config refuses it too. */
function onCalendar(year: number, month: number, day: number): boolean {
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
