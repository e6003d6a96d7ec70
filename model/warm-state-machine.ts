// The partitioned warm on AWS's own distributed engine: a Step Functions state machine (Amazon States Language)
// that maps the warmer function over the plan's partitions, at most `maxConcurrency` at once, each item retried
// with backoff and held to the function's timeout, then a verify step over every partition's report, then
// success. Pure: the definition is built here from plain values (the component passes the function's ARN), so it
// is validated and created in the tests exactly as it is deployed. The payload is the schedule's, secret-free.

/** A partition's item retries (after the first run): a retry re-runs the share, whose written keys NX skips. */
export const ITEM_RETRIES = 2;
/** Seconds before the first retry; each further one waits twice as long. */
export const ITEM_RETRY_INTERVAL_SECONDS = 30;
/** The verify step's limit: it only adds up the partitions' reports. */
export const VERIFY_TIMEOUT_SECONDS = 60;

export interface WarmStateMachineArgs {
    functionArn: string;
    partitions: number;
    maxConcurrency: number;
    /** Each item's limit: the warmer function's own timeout. */
    itemTimeoutSeconds: number;
    /** The whole execution's limit: it must end, warm or failed, before the event starts. */
    timeoutSeconds: number;
    /** What every item's invoke carries besides its partition: the schedule's payload, with no secret in it. */
    payload: Record<string, unknown>;
}

/** `I/N` for every partition, in order: the Map's items. */
export const partitionItems = (partitions: number): string[] =>
    Array.from({ length: partitions }, (_, i) => `${i + 1}/${partitions}`);

/** The state machine's definition, as the object `JSON.stringify` turns into its `definition`. */
export function warmStateMachine(args: WarmStateMachineArgs): Record<string, unknown> {
    const invoke = (payload: Record<string, unknown>, timeoutSeconds: number) => ({
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: { FunctionName: args.functionArn, Payload: payload },
        TimeoutSeconds: timeoutSeconds,
        // Lambda's own transient faults, a timeout and a failed warm (a lost connection) alike: try again later.
        Retry: [
            {
                ErrorEquals: ["States.ALL"],
                IntervalSeconds: ITEM_RETRY_INTERVAL_SECONDS,
                BackoffRate: 2,
                MaxAttempts: ITEM_RETRIES,
            },
        ],
        ResultSelector: { "report.$": "$.Payload" },
    });
    return {
        Comment: `warmstack: the data warm in ${args.partitions} partitions, at most ${args.maxConcurrency} at once`,
        StartAt: "Partitions",
        TimeoutSeconds: args.timeoutSeconds,
        States: {
            Partitions: {
                Type: "Map",
                ItemsPath: "$.partitions",
                MaxConcurrency: args.maxConcurrency,
                // Each item: the payload, with its own partition.
                ItemSelector: { "partition.$": "$$.Map.Item.Value" },
                ItemProcessor: {
                    ProcessorConfig: { Mode: "INLINE" },
                    StartAt: "Warm",
                    States: {
                        Warm: {
                            ...invoke({ ...args.payload, "partition.$": "$.partition" }, args.itemTimeoutSeconds),
                            End: true,
                        },
                    },
                },
                ResultPath: "$.reports",
                Next: "Verify",
            },
            // Every partition's report, judged together: the function fails the execution (and so the alarm)
            // when the hot set as a whole is colder than minWarmth.
            Verify: {
                ...invoke(
                    { kind: "verify", "reports.$": "$.reports[*].report", minWarmth: args.payload.minWarmth },
                    VERIFY_TIMEOUT_SECONDS,
                ),
                Next: "Warmed",
            },
            Warmed: { Type: "Succeed" },
        },
    };
}

/**
 * The longest an execution can run before it ends on its own: every wave of items at its worst (each run to its
 * timeout and retried each time, with the backoff's waits between), then the verify step at its worst. The deploy
 * waits this long for its execution, and a stack without an event's window gives it as the machine's limit.
 */
export function executionLimitSeconds(
    args: Pick<WarmStateMachineArgs, "partitions" | "maxConcurrency" | "itemTimeoutSeconds">,
): number {
    const waits = ITEM_RETRY_INTERVAL_SECONDS * (2 ** ITEM_RETRIES - 1);
    const worst = (timeoutSeconds: number) => (1 + ITEM_RETRIES) * timeoutSeconds + waits;
    const waves = Math.ceil(args.partitions / Math.max(1, args.maxConcurrency));
    return waves * worst(args.itemTimeoutSeconds) + worst(VERIFY_TIMEOUT_SECONDS);
}

/** The execution's input: the partitions to map over (the schedule passes it; the definition holds the rest). */
export const executionInput = (partitions: number) => ({ partitions: partitionItems(partitions) });
