// lambda mode past one run: the deploy-time warm is an execution of the stack's own state machine (the one the
// event's schedule starts, model/warm-state-machine.ts) over every partition. The deploy starts it and polls it
// with backoff until it ends, at most as long as the execution itself can run; each call has its own timeout. A
// failed, timed-out or aborted execution fails the deploy with the execution's error and cause; one the deploy
// gave up on is stopped, so nothing writes on unobserved. Either way a re-run resumes: NX skips every key written.
import {
    DescribeExecutionCommand,
    type DescribeExecutionCommandOutput,
    SFNClient,
    StartExecutionCommand,
    StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { WarmstackError } from "../../model/errors";
import type { PrewarmInputs, PrewarmOutputs } from "../../model/prewarm-contract";
import { FUNCTION_MARGIN_SECONDS } from "../../model/plan/data-prewarm";
import { executionInput, executionLimitSeconds } from "../../model/warm-state-machine";
import { sleep } from "../timeout";

/** Connect, and each Step Functions call's whole answer: they are all short. */
export const CALL_TIMEOUT_MS = 10_000;
/** The first poll's wait; each next one waits twice as long, up to {@link MAX_POLL_MS}. */
export const FIRST_POLL_MS = 1_000;
export const MAX_POLL_MS = 15_000;
/** Step Functions' limit on an execution's name. */
const MAX_NAME = 80;

/** The warm's execution did not succeed; `status` is Step Functions' (FAILED, TIMED_OUT, ABORTED) or the deploy's. */
export class WarmExecutionError extends WarmstackError {
    readonly code = "WARM_INCOMPLETE";

    constructor(
        readonly executionArn: string,
        readonly status: string,
        detail: string,
    ) {
        super(
            `the warm's execution ${executionArn} ${detail}; keys already written stay, and \`pulumi up\` again ` +
                `warms what is missing (NX skips the rest)`,
        );
    }
}

/** Where an execution stands, from its description: still running, its report, or how it ended instead. */
export type ExecutionState =
    | { kind: "running" }
    | { kind: "succeeded"; report: PrewarmOutputs }
    | { kind: "ended"; status: string; error: string; cause: string };

export function executionState(
    described: Pick<DescribeExecutionCommandOutput, "status" | "output" | "error" | "cause">,
): ExecutionState {
    const { status, output } = described;
    if (status === "RUNNING" || status === "PENDING_REDRIVE") return { kind: "running" };
    // The verify step's answer ({report}) is the execution's output: the partitions judged together.
    if (status === "SUCCEEDED") return { kind: "succeeded", report: (JSON.parse(output ?? "{}") as Report).report };
    return { kind: "ended", status: status ?? "UNKNOWN", error: described.error ?? "", cause: described.cause ?? "" };
}
type Report = { report: PrewarmOutputs };

/** The waits between polls: doubling from {@link FIRST_POLL_MS} to {@link MAX_POLL_MS}, never past `leftMs`. */
export const nextPoll = (previousMs: number | undefined, leftMs: number): number =>
    Math.max(0, Math.min(previousMs === undefined ? FIRST_POLL_MS : previousMs * 2, MAX_POLL_MS, leftMs));

/**
 * One name per deploy (the trigger is the `pulumi up`'s instant): a start the SDK retries, or a provider run again
 * with the same inputs, gets the same execution back instead of a second one.
 */
export const executionName = (trigger: string): string =>
    `warm-${trigger.replace(/[^A-Za-z0-9_-]/g, "-")}`.slice(0, MAX_NAME);

/** How long the deploy waits for its execution: as long as the execution can run on its own. */
export const deployWaitMs = (inputs: Pick<PrewarmInputs, "partitions" | "maxConcurrency" | "timeoutSeconds">) =>
    executionLimitSeconds({
        partitions: inputs.partitions ?? 1,
        maxConcurrency: inputs.maxConcurrency ?? 1,
        itemTimeoutSeconds: inputs.timeoutSeconds + FUNCTION_MARGIN_SECONDS,
    }) * 1000;

/**
 * Starts the state machine over every partition of `inputs` and waits for its end, at most `waitMs`. Credentials
 * and the endpoint (AWS_ENDPOINT_URL_SFN when it is not AWS's) come from the SDK's usual chain.
 */
export async function runExecution(
    inputs: PrewarmInputs,
    waitMs: number = deployWaitMs(inputs),
): Promise<PrewarmOutputs> {
    const stateMachineArn = inputs.stateMachineArn;
    if (!stateMachineArn) throw new Error("a partitioned CachePrewarm in lambda mode needs stateMachineArn");
    const client = new SFNClient({
        region: inputs.region,
        requestHandler: { connectionTimeout: CALL_TIMEOUT_MS, requestTimeout: CALL_TIMEOUT_MS },
    });
    try {
        const deadline = Date.now() + waitMs;
        const { executionArn } = await client.send(
            new StartExecutionCommand({
                stateMachineArn,
                name: executionName(inputs.trigger),
                input: JSON.stringify(executionInput(inputs.partitions ?? 1)),
            }),
        );
        let wait: number | undefined;
        for (;;) {
            const state = executionState(await client.send(new DescribeExecutionCommand({ executionArn })));
            if (state.kind === "succeeded") return state.report;
            if (state.kind === "ended")
                throw new WarmExecutionError(
                    executionArn!,
                    state.status,
                    `${state.status}: ${state.error || "no error given"}: ${state.cause || "no cause given"}`,
                );
            const left = deadline - Date.now();
            if (left <= 0) {
                const cause = `the deploy waited ${Math.round(waitMs / 1000)} s, as long as it can run`;
                await client.send(new StopExecutionCommand({ executionArn, error: "DeployGaveUp", cause }));
                throw new WarmExecutionError(executionArn!, "STOPPED", `was stopped: ${cause}`);
            }
            await sleep((wait = nextPoll(wait, left)));
        }
    } finally {
        client.destroy();
    }
}
