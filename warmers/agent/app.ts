// Requests to the local app before it takes traffic, so its JIT, template and in-process caches are hot.
import { sleep } from "../timeout";
import { AppWarmUpError, RequestError } from "./errors";
import { HttpAnswer, fetchWithin } from "./http";

export interface WarmUpTarget {
    url: string;
    count: number;
}

export interface AppWarmUpOptions {
    requestTimeoutMs: number;
    /** How long the first request retries a refused connection: the app may still be starting. */
    startupWaitMs?: number;
    retryMs?: number;
}

const DEFAULT_RETRY_MS = 250;

/**
 * Sends `count` GETs to each URL, one after another (a just-started app is not load-tested), each under its
 * own timeout; any non-2xx answer fails the warm-up. Returns the number of requests sent.
 */
export async function warmUpApp(targets: readonly WarmUpTarget[], options: AppWarmUpOptions): Promise<number> {
    let sent = 0;
    for (const { url, count } of targets) {
        for (let i = 0; i < count; i++) {
            const { status } =
                sent === 0
                    ? await firstRequest(url, options)
                    : await fetchWithin(url, { method: "GET" }, options.requestTimeoutMs);
            sent++;
            if (status < 200 || status > 299)
                throw new AppWarmUpError(`GET ${url} answered ${status} (request ${i + 1} of ${count})`);
        }
    }
    return sent;
}

/** The agent and the app start side by side at boot: until the app listens, its port refuses connections. */
async function firstRequest(url: string, options: AppWarmUpOptions): Promise<HttpAnswer> {
    const deadline = Date.now() + (options.startupWaitMs ?? 0);
    for (;;) {
        try {
            return await fetchWithin(url, { method: "GET" }, options.requestTimeoutMs);
        } catch (err) {
            if (!(err instanceof RequestError && err.socketCode === "ECONNREFUSED") || Date.now() >= deadline)
                throw err;
            await sleep(options.retryMs ?? DEFAULT_RETRY_MS);
        }
    }
}
