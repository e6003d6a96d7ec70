// `warmstack agent --watch`: a warm pool runs the launch hook twice, when an instance goes into the pool and
// again when it leaves it for service. A Stopped pool's instance boots each time, but a hibernated one resumes
// without a boot and a Running pool's one is already up, so a run-once-per-boot agent would never answer the
// second hook. The watch polls the target lifecycle state (AWS's documented signal) and runs the agent once
// for each state that holds a launch hook.
import { setTimeout as delay } from "node:timers/promises";
import { AgentError, AgentOptions, agentLog, runAgent } from "./agent";
import type { AgentConfig } from "../../model/agent-config";
import { loadAgentConfig } from "./config-file";
import { targetLifecycleState } from "./lifecycle";

/**
 * Every target lifecycle state IMDS reports, and whether a launch hook holds the instance on its way there (a
 * warm pool's three states and service: warm, then complete the hook) or not (nothing to warm).
 */
export const TARGET_LIFECYCLE_STATES = {
    "Warmed:Stopped": "hooked",
    "Warmed:Hibernated": "hooked",
    "Warmed:Running": "hooked",
    InService: "hooked",
    "Warmed:Terminated": "none",
    Terminated: "none",
    Detached: "none",
    Standby: "none",
} as const satisfies Record<string, "hooked" | "none">;

const isHooked = (state: string): boolean =>
    Object.hasOwn(TARGET_LIFECYCLE_STATES, state) &&
    TARGET_LIFECYCLE_STATES[state as keyof typeof TARGET_LIFECYCLE_STATES] === "hooked";

export interface WatchOptions extends AgentOptions {
    /** Ends the watch: the wait between polls ends at once, a run in progress finishes first (it completes a hook). */
    signal: AbortSignal;
}

/**
 * Polls the target lifecycle state every `watch.pollMs` and runs the agent when it changes to a hooked state.
 * Never rejects: a failed IMDS read is retried at the next poll, and a failed run has already ABANDONed the
 * instance (AWS terminates it), so the watch only logs it — unless it could not complete the hook at all, which
 * it runs again at the next poll. Resolves once `signal` aborts.
 */
export async function watchLifecycle(config: AgentConfig, options: WatchOptions): Promise<void> {
    const { signal, ...agentOptions } = options;
    const log = options.log ?? agentLog;
    const imds = { baseUrl: config.endpoints.imds, timeoutMs: config.timeouts.imdsMs };
    let handled: string | undefined;
    log(`watch: polling the target lifecycle state every ${config.watch.pollMs} ms`);
    while (!signal.aborted) {
        const state = await targetLifecycleState(imds).catch(
            (err: Error) =>
                void log(`watch: cannot read the target lifecycle state, retrying at the next poll: ${err.message}`),
        );
        if (state !== undefined && state !== handled) {
            log(`watch: target lifecycle state ${handled ?? "(start)"} → ${state}`);
            handled = state;
            // A run that could not complete the hook at all (no identity from IMDS) runs again at the next poll.
            if (isHooked(state)) {
                if (!(await runFor(state, config, { ...agentOptions, log }))) handled = undefined;
            } else if (Object.hasOwn(TARGET_LIFECYCLE_STATES, state))
                log(`watch: ${state} holds no launch hook: nothing to do`);
            else log(`watch: ${state} is not a target lifecycle state the agent knows: nothing to do`);
        }
        // An abort rejects the wait; the loop's condition then ends the watch.
        await delay(config.watch.pollMs, undefined, { signal }).catch(() => undefined);
    }
    log("watch: stopped");
}

/** Runs the agent for `state`; false when it could not complete the hook either way, so it is worth another run. */
async function runFor(
    state: string,
    config: AgentConfig,
    options: AgentOptions & { log: (line: string) => void },
): Promise<boolean> {
    const started = performance.now();
    const took = () => `${Math.round(performance.now() - started)} ms`;
    try {
        await runAgent(config, options);
        options.log(`watch: ${state}: warm, CONTINUE sent in ${took()}`);
        return true;
    } catch (err) {
        const completed = !(err instanceof AgentError) || err.abandoned;
        options.log(
            `watch: ${state}: run failed after ${took()}: ${(err as Error).message}` +
                (completed ? "" : "; running again at the next poll"),
        );
        return completed;
    }
}

/** For `warmstack agent --config FILE --watch`: a bad file rejects before anything is called. */
export async function watchLifecycleFromFile(path: string, options: WatchOptions): Promise<void> {
    return watchLifecycle(loadAgentConfig(path), options);
}
