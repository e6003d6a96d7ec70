// What `warmstack check` needs of a deployed stack: the names in `pulumi stack output --json`, which
// infra/stack.ts returns. Read strictly, so a stack deployed before these outputs existed is named, not guessed at.
import { z } from "zod";
import { fieldError } from "../fields";

const name = z.string().min(1);

const outputsSchema = z.object({
    /** The stack's name: the `Stack` dimension of the warm's metrics. */
    stack: name,
    autoScalingGroup: name,
    cacheReplicationGroup: name,
    databaseReplicas: z.array(name),
    /** The scheduled warm's instant and schedule, or why none was made. */
    dataWarm: z.union([z.object({ at: name, schedule: name }), z.string()]),
    alertTopicArn: name,
    /** The scheduled warm's alarm; absent when no warm is scheduled. */
    warmAlarm: name.optional(),
    /** The warmer function's name; absent when the stack deploys none. */
    warmerFunction: name.optional(),
    /** The event dashboard's console URL. */
    dashboard: name.optional(),
});

export type StackOutputs = z.infer<typeof outputsSchema>;

/** `text`: what `pulumi stack output --json` printed; `source` names it in errors (a file, or stdin). */
export function parseOutputs(text: string, source: string): StackOutputs {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw fieldError("outputs", "the JSON `pulumi stack output --json` prints", `${source} (not JSON)`);
    }
    const parsed = outputsSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    const keys = [...new Set(parsed.error.issues.map((issue) => issue.path[0] ?? "(the whole object)"))].map(String);
    throw fieldError(
        "outputs",
        `stack outputs with ${keys.join(", ")} as infra/stack.ts returns them (deployed with a warmstack that outputs them?)`,
        source,
    );
}
