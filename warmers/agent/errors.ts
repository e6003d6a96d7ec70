// The agent's typed errors: one base on the warmers' WarmstackError, one code (the instance is not warm, so it is
// ABANDONed); the class says which part failed. Messages name endpoints and secret ARNs, never secret values.
import { WarmstackError } from "../../model/errors";

export abstract class AgentStepError extends WarmstackError {
    readonly code = "AGENT_NOT_WARM";
}

/** IMDS could not say who this instance is, or CompleteLifecycleAction failed. */
export class LifecycleError extends AgentStepError {}

/** A secret could not be read (named by its ARN or variable). */
export class SecretError extends AgentStepError {}

/** A host the agent pre-resolves did not resolve. */
export class DnsError extends AgentStepError {}

/** A pool could not be filled and validated, or Redis did not answer PING. */
export class PoolWarmError extends AgentStepError {}

/** The app answered a warm-up request with a non-2xx status. */
export class AppWarmUpError extends AgentStepError {}

/** An HTTP request that got no answer at all; `socketCode` is the socket error (ECONNREFUSED…) when there was one. */
export class RequestError extends AgentStepError {
    constructor(
        message: string,
        readonly socketCode: string | undefined,
        options?: { cause?: unknown },
    ) {
        super(message, options);
    }
}

/** An image the tasks run could not be pulled (or its registry logged in to): named, with what Docker said. */
export class ImagePullError extends AgentStepError {}
