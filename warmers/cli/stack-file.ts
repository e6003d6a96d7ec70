// A Pulumi stack file (`Pulumi.<stack>.yaml`) read as the Pulumi CLI hands it to the program: the `config:`
// block flattened to `namespace:key` → text (objects as JSON), which model/config.ts's namespaceValues decodes;
// and the one way a command (`warmstack plan`, `warmstack check`) turns --stack / --config / --at into the plan.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../../model/config";
import { WarmstackError } from "../../model/errors";
import type { ListedPrices } from "../../model/price-list";
import { planStack, type StackPlan } from "../../model/stack-plan";
import { WarmInputError } from "../engine/errors";
import { fieldError } from "../fields";

/** The stack file breaks the program's schema, or the plan cannot hold the peak: the program's own message. */
export class PlanConfigError extends WarmstackError {
    readonly code = "WARM_INPUT";
}

/** Which stack file a command plans: `--stack NAME` (Pulumi.<name>.yaml of the project) or `--config FILE`. */
export interface StackFlags {
    stack?: string;
    config?: string;
}

export interface PlannedStack extends StackPlan {
    /** The stack file read. */
    file: string;
    /** How reports name it: `stack NAME (Pulumi.NAME.yaml)` or the file. */
    source: string;
    /** The stack's `aws:region`, when the file sets it. */
    region?: string;
}

/** One of --stack and --config is given (commander refuses both). */
export function checkStackFlags(flags: StackFlags): void {
    if (flags.stack === undefined && flags.config === undefined)
        throw fieldError("stack", "a stack name (reads Pulumi.<name>.yaml), or --config FILE", undefined);
}

/**
 * The plan of the stack the flags name, as a deploy at `now` would make it, on the Price List's `prices` when it
 * was asked; bad input is one WARM_INPUT error.
 */
export function plannedStack(flags: StackFlags, now: number, cwd = process.cwd(), prices?: ListedPrices): PlannedStack {
    checkStackFlags(flags);
    const file = flags.stack !== undefined ? stackFile(flags.stack, cwd) : path.resolve(cwd, flags.config!);
    const source = flags.stack !== undefined ? `stack ${flags.stack} (${path.basename(file)})` : file;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        const flag = flags.stack !== undefined ? "stack" : "config";
        throw fieldError(flag, "a readable stack file", `${file} (${(err as NodeJS.ErrnoException).code})`);
    }
    try {
        const values = stackConfigValues(text, file);
        const region = values["aws:region"];
        return { ...planStack(values, now, { prices }), file, source, ...(region && { region }) };
    } catch (err) {
        if (err instanceof ConfigError) throw new PlanConfigError(`${file}: ${err.message}`);
        throw err;
    }
}

/** `--at`: an ISO 8601 date-time with a zone, as ms since the epoch. */
export function instantFlag(text: string): number {
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

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

/** The stack's config as `pulumi.runtime.allConfig()` gives it; `file` names the source in errors. */
export function stackConfigValues(text: string, file: string): Record<string, string> {
    let document: unknown;
    try {
        document = parse(text);
    } catch (err) {
        throw new WarmInputError("config", `${file} is not YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    const config = (document as { config?: unknown } | null)?.config;
    if (config === undefined) return {};
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
        throw new WarmInputError("config", `${file}: \`config:\` must map keys to values; given ${typeof config}`);
    }
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

/** The folder holding Pulumi.yaml, from `dir` upwards, as the Pulumi CLI finds its project. */
export function projectDir(dir: string): string | undefined {
    for (let at = path.resolve(dir); ; at = path.dirname(at)) {
        if (fs.existsSync(path.join(at, "Pulumi.yaml"))) return at;
        if (path.dirname(at) === at) return undefined;
    }
}

/** `Pulumi.<stack>.yaml` of the project around `cwd`; an unknown stack is named with the stack files there. */
export function stackFile(stack: string, cwd: string): string {
    const project = projectDir(cwd);
    if (!project) {
        throw new WarmInputError(
            "stack",
            `no Pulumi project (Pulumi.yaml) in ${path.resolve(cwd)} or above: run in the project, or give --config FILE`,
        );
    }
    const files = fs.readdirSync(project).filter((f) => STACK_FILE.test(f));
    const found = files.find((f) => STACK_FILE.exec(f)?.[1] === stack);
    if (found) return path.join(project, found);
    const known = files.length ? files.sort().join(", ") : "none";
    throw new WarmInputError("stack", `no stack ${JSON.stringify(stack)} in ${project}; its stack files: ${known}`);
}
