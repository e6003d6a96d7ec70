// A Pulumi stack file (`Pulumi.<stack>.yaml`) read as the Pulumi CLI hands it to the program: the `config:`
// block flattened to `namespace:key` → text (objects as JSON), which model/config.ts's namespaceValues decodes.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { WarmInputError } from "../engine/errors";

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
