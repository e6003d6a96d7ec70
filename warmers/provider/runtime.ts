// The pre-warm's run-time half, bundled by esbuild into one self-contained script (bundle.ts). The same
// bundle is the CachePrewarm provider's engine and the warmer Lambda's code:
// - `prewarm(inputs)`: what the provider calls on create and update — warm directly, or invoke the function;
// - `handler(event)`: the Lambda entry point, which warms directly from inside the VPC.
import { withTimeout } from "../timeout";
import { warm } from "../engine/warm";
import { invokeWarmer } from "./invoke";
import { outputsOf, PrewarmInputs, PrewarmOutputs, warmOptionsFor } from "./inputs";

async function warmDirect(inputs: PrewarmInputs): Promise<PrewarmOutputs> {
    // The engine bounds each call; this bounds their sum.
    const report = await withTimeout(
        warm(warmOptionsFor(inputs)),
        inputs.timeoutSeconds * 1000,
        "pre-warm (timeoutSeconds)",
    );
    return outputsOf(inputs, report, new Date());
}

export function prewarm(inputs: PrewarmInputs): Promise<PrewarmOutputs> {
    return inputs.mode === "lambda" ? invokeWarmer(inputs) : warmDirect(inputs);
}

export function handler(event: PrewarmInputs): Promise<PrewarmOutputs> {
    return warmDirect({ ...event, mode: "direct" });
}
