// Every network call of the agent runs under its own deadline: a dependency that does not answer fails its
// step with a TimeoutError instead of holding the launch hook until AWS gives up on the instance.

export class TimeoutError extends Error {
    constructor(readonly what: string, readonly ms: number) {
        super(`${what} timed out after ${ms} ms`);
        this.name = "TimeoutError";
    }
}

/**
 * Rejects with a TimeoutError when `work` takes longer than `ms`. `onLate` receives a value that arrives after
 * the deadline, so a resource nobody waits for any more (a pool client) can be given back.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string, onLate?: (value: T) => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            late = true;
            reject(new TimeoutError(what, ms));
        }, ms);
    });
    if (onLate) work.then((value) => late && onLate(value), () => undefined);
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Runs `call` with a signal that aborts after `ms`; an abort fails as a TimeoutError naming `what`. */
export async function abortAfter<T>(ms: number, what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(ms);
    try {
        return await call(signal);
    } catch (err) {
        if (signal.aborted) throw new TimeoutError(what, ms);
        throw err;
    }
}

/** A request that got no answer at all; `code` is the socket error (ECONNREFUSED…) when there was one. */
export class RequestError extends Error {
    constructor(message: string, readonly code: string | undefined, options?: ErrorOptions) {
        super(message, options);
        this.name = "RequestError";
    }
}

export interface HttpAnswer {
    status: number;
    body: string;
}

/** fetch with a deadline covering the body too; errors name the method and URL, never headers (tokens). */
export async function fetchWithin(url: string, init: RequestInit, ms: number): Promise<HttpAnswer> {
    const what = `${init.method ?? "GET"} ${url}`;
    try {
        return await abortAfter(ms, what, async (signal) => {
            const response = await fetch(url, { ...init, signal });
            return { status: response.status, body: await response.text() };
        });
    } catch (err) {
        if (err instanceof TimeoutError) throw err;
        // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED…) in the cause.
        const cause = (err as Error).cause as NodeJS.ErrnoException | undefined;
        throw new RequestError(`${what} failed: ${cause?.message ?? (err as Error).message}`, cause?.code, { cause: err });
    }
}
