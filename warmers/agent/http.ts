// HTTP for the agent's calls (IMDSv2, the app warm-up): fetch under a deadline, failures named without headers.
import { abortAfter, TimeoutError } from "../timeout";
import { RequestError } from "./errors";

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
        throw new RequestError(`${what} failed: ${cause?.message ?? (err as Error).message}`, cause?.code, {
            cause: err,
        });
    }
}
