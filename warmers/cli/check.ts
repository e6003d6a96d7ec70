// `warmstack check`: the go/no-go of a live stack, link by link — the stack's plan at --at (what should exist
// by then) against what AWS says exists now, one named line per link. Exit 0 ready, 1 not ready, 2 bad usage,
// 3 AWS unreachable or access denied (model/errors.ts).
import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { WarmstackError } from "../../model/errors";
import { fieldError } from "../fields";
import type { StackFlags } from "./stack-file";

/** At least one check failed: the report says which; this line ends the run. */
export class NotReadyError extends WarmstackError {
    readonly code = "CHECK_NOT_READY";
}

interface CheckFlags extends StackFlags {
    outputs?: string;
    at?: string;
    json?: boolean;
}

export function checkCommand(): Command {
    return new Command("check")
        .description("go / no-go: is the live stack ready for its event, link by link (reads AWS, changes nothing)")
        .addOption(
            new Option("--stack <name>", "the stack whose Pulumi.<name>.yaml the project holds").conflicts("config"),
        )
        .option("--config <file>", "the stack file (the same form as Pulumi.<stack>.yaml)")
        .requiredOption("--outputs <file>", "what `pulumi stack output --json` prints for the stack (- for stdin)")
        .option("--at <time>", "what should exist by this instant, ISO 8601 with a zone (default: now)")
        .option("--json", 'print {"ready", "at", "checks": [{"name", "ok", "detail"}]}')
        .action(runCheck);
}

async function runCheck(flags: CheckFlags): Promise<void> {
    // Every flag is checked, and the plan made, before AWS is asked anything.
    const [{ checkStackFlags, instantFlag, plannedStack }, { parseOutputs }] = await Promise.all([
        import("./stack-file"),
        import("../check/outputs"),
    ]);
    const now = Date.now();
    const at = flags.at === undefined ? now : instantFlag(flags.at);
    checkStackFlags(flags);
    const { config, plan, source } = plannedStack(flags, at);
    if (config.production) {
        // Its plan is made at deploy on production's facts, which this command does not read: no verdict beats a
        // verdict on the defaults' figures (docs/check.md).
        throw fieldError(
            flags.stack !== undefined ? "stack" : "config",
            "a stack warmstack builds: an attached stack (warmstack:production) is planned at deploy on production's " +
                "facts, which warmstack check does not read yet — see its `plan` output and docs/adopting.md",
            source,
        );
    }
    const outputs = parseOutputs(readOutputs(flags.outputs!), flags.outputs === "-" ? "stdin" : flags.outputs!);

    const [{ readLive }, { verdict, reportOf, reportText }] = await Promise.all([
        import("../check/read"),
        import("../check/verdict"),
    ]);
    const live = await readLive(outputs, now);
    const checks = verdict({
        plan,
        maxReplicaLagSeconds: config.database.maxReplicaLagSeconds,
        outputs,
        live,
        now,
    });
    const report = reportOf(checks, at);
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report, outputs.dashboard));
    const failed = checks.filter((c) => !c.ok).map((c) => c.name);
    if (failed.length) throw new NotReadyError(`not ready: ${failed.join(", ")}`);
}

function readOutputs(file: string): string {
    try {
        return fs.readFileSync(file === "-" ? 0 : path.resolve(file), "utf8");
    } catch (err) {
        throw fieldError(
            "outputs",
            "a readable file, or - for stdin",
            `${file} (${(err as NodeJS.ErrnoException).code})`,
        );
    }
}
