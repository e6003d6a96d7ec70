// Every network step of the engine runs under a deadline of its own, so an unresponsive server fails the
// warm with a clear message instead of hanging a deploy or a Lambda until its outer timeout.

export class TimeoutError extends Error {
    constructor(what: string, ms: number) {
        super(`${what} timed out after ${ms} ms`);
        this.name = "TimeoutError";
    }
}

export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    });
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
