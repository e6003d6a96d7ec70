// Compact assertions over the pack's verdicts: each diagnostic as `policy level resource`, and the messages.
import { strict as assert } from "node:assert";
import { Policy } from "@pulumi/policy";
import { analyze, EngineResource, PackConfig } from "./harness";

export async function verdicts(policy: Policy | Policy[], resources: EngineResource[], config: PackConfig = {}) {
    const { diagnostics, notApplicable } = await analyze(resources, config, [policy].flat());
    return {
        found: diagnostics.map((d) => `${d.policyName} ${d.enforcementLevel} ${d.urn?.split("::").pop() ?? "stack"}`),
        messages: diagnostics.map((d) => d.message).join("\n"),
        notApplicable: notApplicable.map((n) => `${n.policyName}: ${n.reason}`),
    };
}

export async function passes(policy: Policy | Policy[], resources: EngineResource[], config: PackConfig = {}) {
    const v = await verdicts(policy, resources, config);
    assert.deepEqual(v.found, [], v.messages);
}

/** Runs `check` with Date.now() frozen at `iso`. */
export async function at<T>(iso: string, check: () => Promise<T>): Promise<T> {
    const realNow = Date.now;
    Date.now = () => Date.parse(iso);
    try {
        return await check();
    } finally {
        Date.now = realNow;
    }
}
