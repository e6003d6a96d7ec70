// Runs the pre-warm's code as Pulumi and Lambda run it: in a fresh node process, from the serialized provider's
// text or the bundle, with only the environment a test gives it.
import path from "node:path";
import type { PrewarmInputs, PrewarmOutputs } from "../../model/prewarm-contract";
import type { PostgresServer, RedisServer } from "../support/servers";
import { runBareNode } from "../support/run-node";

export interface Answer<T> {
    result?: T;
    error?: string;
    /** Everything the process printed, to check that no secret is in it. */
    output: string;
}

export type ProviderAnswer = Answer<{ id?: string; outs?: PrewarmOutputs; changes?: boolean; replaces?: string[] }>;

async function inFreshProcess<T>(
    driver: string,
    request: Record<string, unknown>,
    env: NodeJS.ProcessEnv,
): Promise<Answer<T>> {
    const run = await runBareNode(path.join(__dirname, "fixtures", driver), [], {
        env,
        stdin: JSON.stringify(request),
    });
    try {
        return { ...(JSON.parse(run.stdout) as Answer<T>), output: run.stdout + run.stderr };
    } catch {
        throw new Error(`${driver} exited ${run.code}: ${run.stdout}${run.stderr}`);
    }
}

/** One provider operation (create, update, diff) on the serialized provider `text`, as Pulumi's dynamic-provider host runs it. */
export function runProvider(
    text: string,
    request: Record<string, unknown>,
    env: NodeJS.ProcessEnv = {},
): Promise<ProviderAnswer> {
    return inFreshProcess("run-provider.js", { text, ...request }, env);
}

/** The warmer function's handler, from the runtime bundle `text`, invoked once with `event`. */
export function runHandler(text: string, event: unknown, env: NodeJS.ProcessEnv = {}): Promise<Answer<PrewarmOutputs>> {
    return inFreshProcess("run-handler.js", { text, event }, env);
}

/** The inputs of a warm from `pg` into `redis`, the tests' loopback servers: no TLS, run in the provider, a minute. */
export function loopbackInputs(
    redis: RedisServer,
    pg: PostgresServer,
    given: Pick<PrewarmInputs, "replicationGroupId" | "authToken" | "user" | "password" | "query" | "topKeys"> &
        Partial<PrewarmInputs>,
): PrewarmInputs {
    return {
        redisHost: redis.host,
        redisPort: redis.port,
        redisTls: false,
        sourceHost: pg.host,
        sourcePort: pg.port,
        database: pg.database,
        sourceSsl: "disable",
        ttlSeconds: 600,
        ttlJitter: 0.1,
        minWarmth: 0.95,
        mode: "direct",
        timeoutSeconds: 60,
        trigger: new Date().toISOString(),
        replicaHosts: [],
        relations: [],
        ...given,
    };
}
