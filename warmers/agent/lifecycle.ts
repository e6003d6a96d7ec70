// Who this instance is (IMDSv2) and telling Auto Scaling the outcome of the launch hook: CONTINUE lets the
// instance into the warm pool or service, ABANDON terminates it, so a half-warm instance never joins.
import {
    AutoScalingClient,
    AutoScalingClientConfig,
    CompleteLifecycleActionCommand,
} from "@aws-sdk/client-auto-scaling";
import { abortAfter } from "../timeout";
import { LifecycleError } from "./errors";
import { fetchWithin } from "./http";

export const IMDS_URL = "http://169.254.169.254";
const TOKEN_TTL_SECONDS = 300;

/** Static credentials or a provider (tests); the SDK's default chain, i.e. the instance role, otherwise. */
export type AwsCredentials = AutoScalingClientConfig["credentials"];

export interface InstanceIdentity {
    instanceId: string;
    region: string;
}

export interface ImdsOptions {
    baseUrl?: string;
    /** Per call: the token PUT and each GET. */
    timeoutMs: number;
}

/** IMDSv2: a session token (PUT), then a reader that sends it with each GET; every call under `timeoutMs`. */
async function imdsSession(options: ImdsOptions): Promise<(path: string) => Promise<string>> {
    const base = (options.baseUrl ?? IMDS_URL).replace(/\/$/, "");
    const answer = async (path: string, init: RequestInit) => {
        const { status, body } = await fetchWithin(`${base}${path}`, init, options.timeoutMs);
        if (status !== 200 || !body) throw new LifecycleError(`IMDS ${path} answered ${status}`);
        return body.trim();
    };
    const token = await answer("/latest/api/token", {
        method: "PUT",
        headers: { "X-aws-ec2-metadata-token-ttl-seconds": String(TOKEN_TTL_SECONDS) },
    });
    return (path) => answer(path, { headers: { "X-aws-ec2-metadata-token": token } });
}

/** This instance's id and region, read with one session token. */
export async function imdsIdentity(options: ImdsOptions): Promise<InstanceIdentity> {
    const get = await imdsSession(options);
    const [instanceId, region] = await Promise.all([
        get("/latest/meta-data/instance-id"),
        get("/latest/meta-data/placement/region"),
    ]);
    return { instanceId, region };
}

/**
 * Where Auto Scaling is taking this instance: `Warmed:Stopped`, `Warmed:Hibernated`, `Warmed:Running`,
 * `InService`, `Warmed:Terminated`, `Terminated` or `Detached`. A warm pool runs the launch hook on the way into
 * the pool and again on the way out, and this is how an instance that did not boot in between can tell.
 */
export async function targetLifecycleState(options: ImdsOptions): Promise<string> {
    const get = await imdsSession(options);
    return get("/latest/meta-data/autoscaling/target-lifecycle-state");
}

export interface LifecycleHook extends InstanceIdentity {
    autoScalingGroupName: string;
    lifecycleHookName: string;
    /** Auto Scaling endpoint override (tests); the regional endpoint otherwise. */
    endpoint?: string;
    credentials?: AwsCredentials;
}

export type LifecycleResult = "CONTINUE" | "ABANDON";

/** CompleteLifecycleAction for this instance. The API has no reason field: the caller logs the reason. */
export async function completeLifecycleAction(
    hook: LifecycleHook,
    result: LifecycleResult,
    options: { timeoutMs: number },
): Promise<void> {
    const client = new AutoScalingClient({
        region: hook.region,
        endpoint: hook.endpoint,
        credentials: hook.credentials,
    });
    try {
        const command = new CompleteLifecycleActionCommand({
            AutoScalingGroupName: hook.autoScalingGroupName,
            LifecycleHookName: hook.lifecycleHookName,
            InstanceId: hook.instanceId,
            LifecycleActionResult: result,
        });
        // The one deadline, connect included (the SDK's requestTimeout alone only logs a warning).
        await abortAfter(options.timeoutMs, "the call", (abortSignal) => client.send(command, { abortSignal }));
    } catch (err) {
        throw new LifecycleError(`CompleteLifecycleAction ${result} failed: ${(err as Error).message}`, { cause: err });
    } finally {
        client.destroy();
    }
}
