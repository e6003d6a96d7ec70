// The warm's report as CloudWatch metrics: the warmer function publishes them after each warm, `warmstack check`
// reads the last one, the event dashboard charts them. One home for the names all three use.

export const WARM_METRICS = {
    namespace: "warmstack",
    /** The share of the keys that are in the cache after the warm (the report's `warmth`), 0 to 1. */
    warmth: "Warmth",
    /** Keys the warm wrote (the report's `keysWritten`). */
    keysWritten: "KeysWritten",
    /** Each stack's warms are told apart by the stack's name. */
    dimension: "Stack",
} as const;

/** The warmer function's environment variable holding the stack's name: the metrics' `Stack` dimension. */
export const STACK_NAME_ENV = "WARMSTACK_STACK";
