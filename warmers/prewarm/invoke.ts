// lambda mode: the provider runs outside the VPC, so it asks the warmer function (inside it) to warm (or, before
// a state machine's execution, to run the setup), and waits for the function's answer. The SDK call has its own timeouts; a function error becomes an Error.
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { PrewarmInputs, PrewarmOutputs, SetupDone, SetupRun } from "../../model/prewarm-contract";

const CONNECT_TIMEOUT_MS = 10_000;
// Beyond the function's own limit (the warm's + 30 s), so its answer, error or timeout, arrives before ours.
const RESPONSE_MARGIN_MS = 60_000;

/**
 * Invokes the function with `inputs` (a warm) or with the setup run of them. Credentials, and the endpoint when it
 * is not AWS's (AWS_ENDPOINT_URL_LAMBDA), come from the SDK's usual chain.
 */
export async function invokeWarmer(inputs: PrewarmInputs): Promise<PrewarmOutputs>;
export async function invokeWarmer(inputs: PrewarmInputs, event: SetupRun): Promise<SetupDone>;
export async function invokeWarmer(
    inputs: PrewarmInputs,
    event: PrewarmInputs | SetupRun = inputs,
): Promise<PrewarmOutputs | SetupDone> {
    if (!inputs.functionName) throw new Error("CachePrewarm in lambda mode needs functionName");
    const client = new LambdaClient({
        region: inputs.region,
        maxAttempts: 1, // a warm is idempotent but long: a retry belongs to the next `pulumi up`, not a silent loop
        requestHandler: {
            connectionTimeout: CONNECT_TIMEOUT_MS,
            requestTimeout: inputs.timeoutSeconds * 1000 + RESPONSE_MARGIN_MS,
        },
    });
    try {
        const response = await client.send(
            new InvokeCommand({
                FunctionName: inputs.functionName,
                InvocationType: "RequestResponse",
                Payload: Buffer.from(JSON.stringify(event)),
            }),
        );
        const body = response.Payload ? Buffer.from(response.Payload).toString("utf8") : "";
        if (response.FunctionError) {
            let message = body;
            try {
                message = (JSON.parse(body) as { errorMessage?: string }).errorMessage ?? body;
            } catch {
                // Not JSON: the raw text is the best message there is.
            }
            throw new Error(`warmer function ${inputs.functionName} failed: ${message}`);
        }
        return JSON.parse(body) as PrewarmOutputs | SetupDone;
    } finally {
        client.destroy();
    }
}
