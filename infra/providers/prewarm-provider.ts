// The CachePrewarm dynamic provider. Pulumi serializes it into the state and runs it later in another
// process, so it captures nothing but the runtime bundle's text and loads it on first use.
import type * as pulumi from "@pulumi/pulumi";
import type { PrewarmInputs, PrewarmOutputs } from "../../model/prewarm-contract";

type Runtime = { prewarm(inputs: PrewarmInputs): Promise<PrewarmOutputs> };

export function prewarmProvider(runtimeSource: string): pulumi.dynamic.ResourceProvider {
    let runtime: Runtime | undefined;
    const loadRuntime = (): Runtime => {
        if (!runtime) {
            // As require-from-string does: compile the bundle as a module of its own.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { Module } = require("node:module") as {
                Module: new (id: string) => { exports: Runtime; _compile(code: string, file: string): void };
            };
            const loaded = new Module("warmstack-prewarm-runtime");
            loaded._compile(runtimeSource, "warmstack-prewarm-runtime.js");
            runtime = loaded.exports;
        }
        return runtime;
    };
    // Secrets stay inputs (encrypted in the state); the outputs are the report's figures and nothing else.
    const prewarm = (inputs: PrewarmInputs) => loadRuntime().prewarm(inputs);

    // Names no global has: the closure serializer leaves a free name that is also a global (mocha's `run`,
    // say) uncaptured, and the provider then fails in its own process.
    return {
        create: async (inputs: PrewarmInputs) => ({
            id: `${inputs.replicationGroupId}-prewarm`,
            outs: await prewarm(inputs),
        }),
        // Every `pulumi up` is a change (the trigger input moves too), and an update warms again: the stack
        // never comes up cold. Only a different group is a new pre-warm.
        diff: async (_id: string, olds: PrewarmOutputs, news: PrewarmInputs) => ({
            changes: true,
            replaces: olds.replicationGroupId === news.replicationGroupId ? [] : ["replicationGroupId"],
        }),
        update: async (_id: string, _olds: PrewarmOutputs, news: PrewarmInputs) => ({ outs: await prewarm(news) }),
        // Deleting the pre-warm leaves the cache as it is: live traffic is using those keys.
        delete: async () => undefined,
    };
}
