// moto, the AWS API emulator, on a free loopback port for one test: `const moto = await startMoto()` in before(),
// `await moto.stop()` in after(). `moto.env` is the SDK's standard environment pointing every client at it (for
// a spawned CLI), `moto.client` the options for an SDK client in the test itself. scripts/setup.sh installs
// moto[server] where `moto_server` is missing.
import { ChildProcess, spawn } from "node:child_process";
import { freePort } from "../../warmers/local/servers";
import { sleep } from "../../warmers/timeout";

export const MOTO_REGION = "us-east-1";
/** moto's fixed account. */
export const MOTO_ACCOUNT = "123456789012";

export interface Moto {
    readonly url: string;
    /** AWS_ENDPOINT_URL, AWS_REGION and dummy credentials: what a child process needs to talk to this moto only. */
    readonly env: Record<string, string>;
    /** For `new XClient(moto.client)` in a test. */
    readonly client: {
        endpoint: string;
        region: string;
        credentials: { accessKeyId: string; secretAccessKey: string };
    };
    stop(): Promise<void>;
}

const STARTUP_MS = 20_000;

export interface MotoOptions {
    /** moto_server's own environment, besides the machine's (MOTO_PORT: where its Step Functions calls Lambda). */
    env?: Record<string, string>;
    /** moto's run-time config (POST /moto-api/config), e.g. `{ stepfunctions: { execute_state_machine: true } }`. */
    config?: Record<string, unknown>;
}

export async function startMoto(opts: MotoOptions = {}): Promise<Moto> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
        stdio: ["ignore", "ignore", process.env.MOTO_DEBUG ? "inherit" : "pipe"],
        env: { ...process.env, ...opts.env },
    });
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    const exited = new Promise<never>((_, reject) => {
        child.once("error", (err) =>
            reject(new Error(`moto_server did not start (${err.message}): run scripts/setup.sh`)),
        );
        child.once("exit", (code) => reject(new Error(`moto_server exited (${code}): ${log}`)));
    });
    try {
        await Promise.race([ready(url), exited]);
        if (opts.config) await configure(url, opts.config);
    } catch (err) {
        await stop(child);
        throw err;
    }
    const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
    return {
        url,
        env: {
            AWS_ENDPOINT_URL: url,
            AWS_REGION: MOTO_REGION,
            AWS_ACCESS_KEY_ID: credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
            // Nothing from the machine's own AWS config may point a child elsewhere.
            AWS_CONFIG_FILE: "/dev/null",
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        },
        client: { endpoint: url, region: MOTO_REGION, credentials },
        stop: () => stop(child),
    };
}

/** moto answers its own dashboard API once it serves. */
async function ready(url: string): Promise<void> {
    const deadline = Date.now() + STARTUP_MS;
    for (;;) {
        try {
            const answer = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
            if (answer.ok) return;
        } catch {
            // Not listening yet.
        }
        if (Date.now() > deadline) throw new Error(`moto_server at ${url} did not answer within ${STARTUP_MS} ms`);
        await sleep(100);
    }
}

async function configure(url: string, config: Record<string, unknown>): Promise<void> {
    const answer = await fetch(`${url}/moto-api/config`, {
        method: "POST",
        body: JSON.stringify(config),
        signal: AbortSignal.timeout(5000),
    });
    if (!answer.ok) throw new Error(`moto config: ${answer.status} ${await answer.text()}`);
}

async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/**
 * One call of an AWS JSON-protocol API whose SDK client the project does not carry (Application Auto Scaling,
 * SSM), as the SDK sends it: `target` such as AnyScaleFrontendService.RegisterScalableTarget. moto checks no
 * signature, only the credential scope's region.
 */
export async function awsJson(moto: Moto, service: string, target: string, body: object): Promise<Record<string, any>> {
    const response = await fetch(moto.url, {
        method: "POST",
        headers: {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": target,
            Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${MOTO_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const answer = text ? (JSON.parse(text) as Record<string, any>) : {};
    if (!response.ok) throw new Error(`${target}: ${response.status} ${answer.__type ?? ""} ${answer.message ?? text}`);
    return answer;
}
