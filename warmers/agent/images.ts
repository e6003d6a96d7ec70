// On ECS, the images the tasks run are pulled during the warm phase, before the launch hook completes: a task
// placed on an instance fresh from the pool then starts without a pull. Each ECR registry is logged in to first
// with the instance role (GetAuthorizationToken); every login and every pull has its own timeout, and one that
// fails or hangs fails the step naming the image and what Docker said, so the instance is ABANDONed with it.
import { spawn } from "node:child_process";
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { ecrImageOf } from "../../model/container-images";
import { Redactor } from "../engine/redact";
import { abortAfter, TimeoutError } from "../timeout";
import { ImagePullError } from "./errors";
import type { AwsCredentials } from "./lifecycle";

export interface PullOptions {
    /** The Docker CLI. */
    docker: string;
    /** Each GetAuthorizationToken, each `docker login`, each `docker pull`. */
    timeoutMs: number;
    /** ECR endpoint override (tests); the registry's regional endpoint otherwise. */
    ecrEndpoint?: string;
    credentials?: AwsCredentials;
}

/** What Docker wrote last (its error), at most this long in a message. */
const MESSAGE_CHARS = 400;

/**
 * Runs `docker ARGS` with `input` on stdin under `timeoutMs`; resolves on exit 0. A run past the timeout is
 * killed and rejects with a TimeoutError naming `what`, without waiting for it: a hung pull must not hold the hook.
 */
function docker(
    options: PullOptions,
    args: string[],
    what: string,
    input = "",
    redactor = new Redactor([]),
): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(options.docker, args, { stdio: ["pipe", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-MESSAGE_CHARS)));
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new TimeoutError(what, options.timeoutMs));
        }, options.timeoutMs);
        child.once("error", (err) => {
            clearTimeout(timer);
            reject(new ImagePullError(`${what}: cannot run ${options.docker}: ${err.message}`, { cause: err }));
        });
        child.once("exit", (code, signal) => {
            clearTimeout(timer);
            if (code === 0) return resolve();
            const said = redactor.text(stderr.trim().split("\n").at(-1) ?? "");
            reject(new ImagePullError(`${what}: docker exited ${code ?? signal}${said ? `: ${said}` : ""}`));
        });
        child.stdin.on("error", () => undefined); // a docker that exits before reading its input
        child.stdin.end(input);
    });
}

/** Logs in to each ECR registry `images` name, one token per region: a token serves every registry there. */
async function loginToEcr(images: string[], options: PullOptions): Promise<void> {
    const registries = [...new Map(images.flatMap((i) => ecrImageOf(i) ?? []).map((e) => [e.registry, e])).values()];
    const tokens = new Map<string, Promise<string>>();
    const tokenFor = (region: string) => {
        const token =
            tokens.get(region) ??
            abortAfter(options.timeoutMs, `ECR GetAuthorizationToken in ${region}`, async (abortSignal) => {
                const client = new ECRClient({
                    region,
                    endpoint: options.ecrEndpoint,
                    credentials: options.credentials,
                    requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs },
                });
                try {
                    const answer = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal });
                    const encoded = answer.authorizationData?.[0]?.authorizationToken;
                    if (!encoded) throw new ImagePullError(`ECR in ${region} answered no authorization token`);
                    // "AWS:<password>", base64: the user is always AWS.
                    return Buffer.from(encoded, "base64").toString("utf8").replace(/^AWS:/, "");
                } finally {
                    client.destroy();
                }
            });
        tokens.set(region, token);
        return token;
    };
    await Promise.all(
        registries.map(async ({ registry, region }) => {
            const password = await tokenFor(region);
            await docker(
                options,
                ["login", "--username", "AWS", "--password-stdin", `https://${registry}`],
                `docker login ${registry}`,
                password,
                new Redactor([password]),
            );
        }),
    );
}

/** Pulls every image, each under its own timeout; rejects naming every image that failed and why. */
export async function pullImages(images: string[], options: PullOptions): Promise<number> {
    if (images.length === 0) return 0;
    await loginToEcr(images, options);
    const results = await Promise.allSettled(
        images.map((image) => docker(options, ["pull", "--quiet", image], `docker pull ${image}`)),
    );
    const failed = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as Error).message] : []));
    if (failed.length > 0) throw new ImagePullError(failed.join("; "));
    return images.length;
}
