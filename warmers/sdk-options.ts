// The options every AWS SDK client in warmers is built with: a deadline on each request, connect included, and
// one retry, so an unreachable endpoint fails a command in seconds rather than hanging it.

/** The deadline of each AWS call, connect included. */
export const CALL_TIMEOUT_MS = 10_000;

export function sdkClientOptions() {
    // The SDK warns on Node 20 that its future versions will need Node 22: the CLI bundles the version it was
    // built with, so the notice concerns the build, not the operator, and would break the one-line output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    // One attempt more than none: a dropped connection is retried once, an unreachable endpoint fails in seconds.
    return {
        maxAttempts: 2,
        requestHandler: { connectionTimeout: CALL_TIMEOUT_MS / 2, requestTimeout: CALL_TIMEOUT_MS },
    };
}
