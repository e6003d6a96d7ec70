// Every network call in warmers runs under a deadline of its own, so a server that does not answer fails its
// step with a TimeoutError naming what timed out, instead of hanging a deploy, a Lambda or a launch hook.

export class TimeoutError extends Error {
    constructor(
        readonly what: string,
        readonly ms: number,
    ) {
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
    if (onLate)
        work.then(
            (value) => late && onLate(value),
            () => undefined,
        );
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

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
