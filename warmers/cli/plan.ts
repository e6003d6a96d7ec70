// `warmstack plan`: a stack's readiness plan before any deploy — the stack file parsed by the program's own schema
// and planned by the program's own function (no Pulumi CLI, and by default no AWS and no network: the prices are
// the bundled table's unless --prices aws asks the AWS Price List), printed as tables, as the `plan` stack
// output's JSON (--json), and as a capacity chart (--out).
import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { checkOutDir, makeOutDir } from "../out-dir";
import { fieldError } from "../fields";
import type { StackFlags } from "./stack-file";

/** The chart --out writes. */
export const PLAN_CHART_FILE = "plan-chart.svg";

interface PlanFlags extends StackFlags {
    json?: boolean;
    out?: string;
    at?: string;
    prices: string;
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
        .option(
            "--prices <source>",
            "table: the bundled, dated price table (offline); aws: the AWS Price List with your AWS credentials, " +
                "cached a day in $XDG_CACHE_HOME/warmstack/prices.json (else ~/.cache/warmstack/prices.json)",
            "table",
        )
        .action(runPlan);
}

async function runPlan(flags: PlanFlags): Promise<void> {
    // Every flag is checked before anything is read or written.
    const { checkStackFlags, instantFlag, plannedStack } = await import("./stack-file");
    const { priceSourceFlag } = await import("./price-list");
    const now = flags.at === undefined ? Date.now() : instantFlag(flags.at);
    const prices = priceSourceFlag(flags.prices);
    checkStackFlags(flags);
    if (flags.out !== undefined) await checkOutDir(flags.out);

    // Loaded on use: the schema and the plan (with stack-file), the charting library below.
    let planned = plannedStack(flags, now);
    // What --prices aws says of the Price List and its cache: on stderr with --json, so stdout stays one object.
    const priceLines: string[] = [];
    if (prices === "aws") {
        const region = planned.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        if (region === undefined)
            throw fieldError("prices", "aws for a stack whose region is known (aws:region, or AWS_REGION)", "aws");
        const { listPricesWithSdk } = await import("./price-list");
        const { stackPriceQueries } = await import("../../model/price-list");
        const run = await listPricesWithSdk(stackPriceQueries(planned.config, region), region, now);
        planned = plannedStack(flags, now, undefined, run.prices);
        priceLines.push(...run.lines);
    }
    const { config, plan: readiness, source } = planned;
    if (flags.out !== undefined && !readiness.timeline)
        throw fieldError("out", "a stack with an event (warmstack:event) to chart", flags.out);

    if (priceLines.length > 0) (flags.json ? process.stderr : process.stdout).write(`${priceLines.join("\n")}\n`);
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
