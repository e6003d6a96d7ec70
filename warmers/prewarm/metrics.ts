// The warm's report as CloudWatch metrics (model/warm-metrics.ts): what `warmstack check` reads as the last warm
// and the event dashboard charts. The warm has already happened when this runs: a metric that cannot be put is
// logged, never a failed warm (the check then says "no warm has run", the safe side).
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { PrewarmOutputs } from "../../model/prewarm-contract";
import { STACK_NAME_ENV, WARM_METRICS } from "../../model/warm-metrics";
import { abortAfter } from "../timeout";

/** PutMetricData, connect included. */
export const PUBLISH_TIMEOUT_MS = 5_000;

/** The PutMetricData input for a report: Warmth and KeysWritten, dimension Stack, at the warm's end. */
export function reportMetrics(outputs: PrewarmOutputs, stack: string) {
    const dimensions = [{ Name: WARM_METRICS.dimension, Value: stack }];
    const timestamp = new Date(outputs.lastWarmedAt);
    return {
        Namespace: WARM_METRICS.namespace,
        MetricData: [
            { MetricName: WARM_METRICS.warmth, Value: outputs.warmth, Unit: "None" as const },
            { MetricName: WARM_METRICS.keysWritten, Value: outputs.keysWritten, Unit: "Count" as const },
        ].map((metric) => ({ ...metric, Dimensions: dimensions, Timestamp: timestamp })),
    };
}

/** Publishes the report when the function knows its stack (the environment the stack gives it); else nothing. */
export async function publishReport(
    outputs: PrewarmOutputs,
    env: NodeJS.ProcessEnv = process.env,
    log: (line: string) => void = console.error,
): Promise<boolean> {
    const stack = env[STACK_NAME_ENV];
    if (!stack) return false;
    const client = new CloudWatchClient({
        maxAttempts: 2,
        requestHandler: { connectionTimeout: PUBLISH_TIMEOUT_MS, requestTimeout: PUBLISH_TIMEOUT_MS },
    });
    try {
        await abortAfter(PUBLISH_TIMEOUT_MS, "PutMetricData", (abortSignal) =>
            client.send(new PutMetricDataCommand(reportMetrics(outputs, stack)), { abortSignal }),
        );
        return true;
    } catch (err) {
        log(`warmstack: the warm's metrics were not published: ${(err as Error).message}`);
        return false;
    } finally {
        client.destroy();
    }
}
