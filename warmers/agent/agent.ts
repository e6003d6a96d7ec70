// The launch-hook agent: identity → DNS → secrets → pools (writer, readers, Redis) → images (on ECS) → app →
// CONTINUE. Each step is logged with its duration and runs under its own timeout and the overall deadline; any
// failure ABANDONs the instance with the reason logged (the API has no reason field) and rejects, so the CLI exits
// non-zero.
import { setTimeout as delay } from "node:timers/promises";
import fs from "node:fs";
import net from "node:net";
import type { ConnectionOptions } from "node:tls";
import Redis from "ioredis";
import { Pool } from "pg";
import { WarmstackError } from "../../model/errors";
import { Redactor } from "../engine/redact";
import { connectRedis } from "../engine/redis-client";
import { failFastRedisOptions } from "../engine/redis-options";
import { AgentStepError } from "./errors";
import type { AgentConfig, TlsOptions } from "../../model/agent-config";
import { loadAgentConfig } from "./config-file";
import { TimeoutError, withTimeout } from "../timeout";
import { DnsCache } from "./dns";
import { warmUpApp } from "./app";
import { AwsCredentials, InstanceIdentity, LifecycleHook, completeLifecycleAction, imdsIdentity } from "./lifecycle";
import { pullImages } from "./images";
import { prewarmPgPool, prewarmRedis } from "./pools";
import { SecretReader } from "./secrets";

/** Visible in pg_stat_activity and CLIENT LIST, so the agent's connections can be told from the app's. */
export const AGENT_CONNECTION_NAME = "warmstack-agent";
const CLOSE_TIMEOUT_MS = 5_000;

/** Where the agent logs when no `log` is given: stdout, which journald keeps. */
export function agentLog(line: string): void {
    console.log(`warmstack agent: ${line}`);
}

export interface AgentOptions {
    log?: (line: string) => void;
    /** For tests; on EC2 the AWS clients use the instance role. */
    credentials?: AwsCredentials;
    /** Where `{ env }` secret sources are read; process.env by default. */
    env?: NodeJS.ProcessEnv;
}

export interface AgentReport extends InstanceIdentity {
    /** Milliseconds per step. */
    steps: Record<string, number>;
    resolved: Record<string, string[]>;
    /** Connections opened and validated per endpoint. */
    connections: Record<string, number>;
    appRequests: number;
}

/**
 * The run failed. `abandoned`: the agent completed the hook with ABANDON; otherwise it could not (no instance
 * id, or the call failed) and the hook's default result, ABANDON, applies when its timeout runs out.
 */
export class AgentError extends WarmstackError {
    readonly code = "AGENT_NOT_WARM";

    constructor(
        readonly reason: string,
        readonly abandoned: boolean,
        options?: { cause?: unknown },
    ) {
        super(
            `${abandoned ? "ABANDONed" : "not completed, AWS will ABANDON on the hook's timeout"}: ${reason}`,
            options,
        );
    }
}

/** A step failed: its name, then why. */
class StepError extends AgentStepError {
    constructor(
        readonly step: string,
        cause: unknown,
    ) {
        super(`${step}: ${(cause as Error).message}`, { cause });
    }
}

/** Runs named steps under min(own timeout, what is left of the overall deadline), logging each with its duration. */
class Steps {
    readonly durations: Record<string, number> = {};
    private readonly deadline: number;

    constructor(
        private readonly log: (line: string) => void,
        private readonly overallMs: number,
    ) {
        this.deadline = Date.now() + overallMs;
    }

    /** `target`: the endpoint the step talks to (`host:port`), named when the step times out. */
    async run<T>(
        name: string,
        timeoutMs: number,
        work: (timeoutMs: number) => Promise<T>,
        describe: (value: T) => string,
        target?: string,
    ): Promise<T> {
        const left = this.deadline - Date.now();
        if (left <= 0) throw new StepError(name, new TimeoutError("the agent", this.overallMs));
        const budget = Math.min(timeoutMs, left);
        const started = performance.now();
        const elapsed = () => Math.round(performance.now() - started);
        try {
            const limit = budget < timeoutMs ? " (overall deadline)" : "";
            const value = await withTimeout(work(budget), budget, `${target ? `${target}: ` : ""}step${limit}`);
            this.durations[name] = elapsed();
            this.log(`${name}: ok in ${elapsed()} ms (${describe(value)})`);
            return value;
        } catch (err) {
            this.log(`${name}: FAILED after ${elapsed()} ms: ${(err as Error).message}`);
            throw new StepError(name, err);
        }
    }
}

/** Resources the run opened; closed whatever happens, each under its own timeout. */
class Held {
    private readonly closers: Array<() => unknown> = [];

    add<T>(resource: T, close: (resource: T) => unknown): T {
        this.closers.push(() => close(resource));
        return resource;
    }

    async closeAll(): Promise<void> {
        const closers = this.closers.splice(0).reverse();
        await Promise.allSettled(
            closers.map((close) => withTimeout(Promise.resolve().then(close), CLOSE_TIMEOUT_MS, "close")),
        );
    }
}

function tlsOptions(tls: TlsOptions | undefined): ConnectionOptions | undefined {
    if (!tls) return undefined;
    return { rejectUnauthorized: tls.rejectUnauthorized, ...(tls.caFile ? { ca: fs.readFileSync(tls.caFile) } : {}) };
}

/** The wait between two IMDS attempts of the identity step. */
const IMDS_RETRY_MS = 1_000;

/**
 * This instance's id and region from IMDS, retried a second apart within `budgetMs` (what is left of the overall
 * deadline), each attempt under timeouts.imdsMs: without them the agent cannot even ABANDON, so a brief IMDS
 * problem (a 404, an answer slower than one attempt's timeout) must not end the run.
 */
async function identityOf(config: AgentConfig, budgetMs: number): Promise<InstanceIdentity> {
    if (config.instanceId && config.region) return { instanceId: config.instanceId, region: config.region };
    const until = Date.now() + budgetMs;
    const timeoutMs = config.timeouts.imdsMs;
    for (;;) {
        try {
            const imds = await imdsIdentity({ baseUrl: config.endpoints.imds, timeoutMs });
            return { instanceId: config.instanceId ?? imds.instanceId, region: config.region ?? imds.region };
        } catch (err) {
            // Another attempt only if a whole one fits in what is left.
            if (Date.now() + IMDS_RETRY_MS + timeoutMs > until) throw err;
            await delay(IMDS_RETRY_MS);
        }
    }
}

interface Secrets {
    pgPassword?: string;
    redisToken?: string;
}

async function readSecrets(reader: SecretReader, config: AgentConfig): Promise<Secrets> {
    const [pgPassword, redisToken] = await Promise.all([
        config.postgres && reader.read(config.postgres.writer.password),
        config.redis?.authToken && reader.read(config.redis.authToken),
    ]);
    return { pgPassword, redisToken };
}

type PostgresConfig = NonNullable<AgentConfig["postgres"]>;
type RedisConfig = NonNullable<AgentConfig["redis"]>;

interface Endpoint {
    host: string;
    port: number;
}

/** One pool of `size` to `endpoint`, filled and validated; returns how many connections it held. */
async function provePostgres(
    pg: PostgresConfig,
    endpoint: Endpoint,
    size: number,
    password: string | undefined,
    dns: DnsCache,
    held: Held,
    timeoutMs: number,
    connectMs: number,
): Promise<number> {
    const pool = held.add(
        new Pool({
            ...endpoint,
            database: pg.writer.database,
            user: pg.writer.user,
            password,
            ssl: tlsOptions(pg.tls),
            stream: dns.pgStream,
            application_name: AGENT_CONNECTION_NAME,
            max: size,
            min: size,
            idleTimeoutMillis: 0,
            // A backstop that frees the socket: the connect's own timeout, a second earlier, is what reports.
            connectionTimeoutMillis: Math.min(connectMs, timeoutMs) + 1000,
        }),
        (p) => p.end(),
    );
    pool.on("error", () => undefined); // a lost idle connection no longer matters: the pool is closed next
    (await prewarmPgPool(pool, size, { timeoutMs, connectTimeoutMs: connectMs })).stop();
    return pool.totalCount;
}

async function proveRedis(
    redis: RedisConfig,
    token: string | undefined,
    dns: DnsCache,
    held: Held,
    timeoutMs: number,
    connectMs: number,
): Promise<number> {
    const tls = tlsOptions(redis.tls);
    const timeouts = { connectTimeoutMs: connectMs, commandTimeoutMs: timeoutMs };
    if (redis.cluster) {
        // The engine's cluster client: it follows the slot map from the configuration endpoint, and reaches each
        // node by the name the cluster announces (ElastiCache's TLS certificates name the nodes, not addresses).
        const cluster = held.add(
            await connectRedis(
                { host: redis.host, port: redis.port, db: 0, tls, password: token, cluster: true },
                "redis",
                `cluster ${redis.host}:${redis.port}`,
                { ...timeouts, redactor: new Redactor([token]) },
            ),
            (c) => c.disconnect(),
        );
        await prewarmRedis(cluster, { timeoutMs, connectTimeoutMs: connectMs });
        return 1;
    }
    // ioredis takes no lookup for plain TCP: connect to the cached address and verify TLS against the name.
    const client = held.add(
        new Redis({
            ...failFastRedisOptions(timeouts),
            host: await dns.address(redis.host),
            port: redis.port,
            password: token,
            // An address as SNI is refused by RFC 6066 (Node warns): then the certificate is checked against it.
            tls: tls && { ...tls, ...(net.isIP(redis.host) === 0 && { servername: redis.host }) },
            connectionName: AGENT_CONNECTION_NAME,
        }),
        (c) => c.disconnect(),
    );
    client.on("error", () => undefined); // failures surface through prewarmRedis
    await prewarmRedis(client, { timeoutMs, connectTimeoutMs: connectMs });
    return 1;
}

/**
 * Opens, validates and closes every pool the config names, in parallel, each as its own logged step. The
 * agent is its own process: its connections only prove the path (DNS, TLS, auth, server capacity) and are
 * closed before the app step, so the instance never holds more than the plan's per-instance budget beside
 * the app's own pools.
 */
async function provePools(
    config: AgentConfig,
    secrets: Secrets,
    dns: DnsCache,
    steps: Steps,
): Promise<Record<string, number>> {
    const { poolsMs, connectMs } = config.timeouts;
    const held = new Held();
    const work: Array<[string, Endpoint, (budget: number) => Promise<number>]> = [];
    const { postgres, redis } = config;
    if (postgres) {
        const { writer, readers, poolSize } = postgres;
        const pool = (endpoint: Endpoint, size: number) => (t: number) =>
            provePostgres(postgres, endpoint, size, secrets.pgPassword, dns, held, t, connectMs);
        work.push(["postgres writer", writer, pool(writer, poolSize.writer)]);
        if (poolSize.readerPerReplica > 0) {
            readers.forEach((reader, i) =>
                work.push([`postgres reader ${i + 1}`, reader, pool(reader, poolSize.readerPerReplica)]),
            );
        }
    }
    if (redis) work.push(["redis", redis, (t) => proveRedis(redis, secrets.redisToken, dns, held, t, connectMs)]);
    try {
        const validated = (n: number) => `${n} connection${n === 1 ? "" : "s"} validated`;
        const results = await Promise.allSettled(
            work.map(([name, { host, port }, prove]) => steps.run(name, poolsMs, prove, validated, `${host}:${port}`)),
        );
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed.length > 0) throw new Error(failed.map((f) => (f.reason as Error).message).join("; "));
        return Object.fromEntries(
            work.map(([name], i) => [name, (results[i] as PromiseFulfilledResult<number>).value]),
        );
    } finally {
        await held.closeAll();
    }
}

/** Warms this instance and completes its launch hook: CONTINUE on success, ABANDON (and reject) otherwise. */
export async function runAgent(config: AgentConfig, options: AgentOptions = {}): Promise<AgentReport> {
    const log = options.log ?? agentLog;
    const { timeouts } = config;
    const steps = new Steps(log, timeouts.overallMs);
    // Without an instance id there is nothing to ABANDON: the hook's default result (ABANDON) applies on timeout.
    const identity = await steps
        .run(
            "identity",
            timeouts.overallMs,
            (t) => identityOf(config, t),
            (id) => `${id.instanceId} in ${id.region}`,
        )
        .catch((err: Error) => Promise.reject(new AgentError(err.message, false, { cause: err })));
    const hook: LifecycleHook = {
        ...identity,
        autoScalingGroupName: config.autoScalingGroupName,
        lifecycleHookName: config.lifecycleHookName,
        endpoint: config.endpoints.autoScaling,
        credentials: options.credentials,
    };
    const held = new Held();
    try {
        const { postgres, redis } = config;
        const endpoints: Endpoint[] = [
            ...(postgres ? [postgres.writer, ...postgres.readers] : []),
            ...(redis ? [redis] : []),
        ];
        const hosts = [...config.dns.hosts, ...endpoints.map((e) => e.host)];
        const dns = await steps.run(
            "dns",
            timeouts.dnsMs,
            async (t) =>
                held.add(await DnsCache.start({ hosts, servers: config.dns.servers, timeoutMs: t }), (d) => d.close()),
            (d) =>
                [...d.resolved].map(([host, addresses]) => `${host} → ${addresses.join(", ")}`).join("; ") ||
                "no hosts",
        );
        const reader = held.add(
            new SecretReader({
                region: identity.region,
                endpoint: config.endpoints.secretsManager,
                credentials: options.credentials,
                timeoutMs: timeouts.secretsMs,
                env: options.env,
            }),
            (r) => r.close(),
        );
        const secrets = await steps.run(
            "secrets",
            timeouts.secretsMs,
            () => readSecrets(reader, config),
            (s) => `${Object.values(s).filter((v) => v !== undefined).length} read`,
        );
        // Only the overall deadline bounds the group: each pool is a step with its own timeout, and says which failed.
        const connections = await steps.run(
            "pools",
            Infinity,
            () => provePools(config, secrets, dns, steps),
            (c) =>
                Object.entries(c)
                    .map(([name, n]) => `${name}: ${n}`)
                    .join(", ") || "none configured",
        );
        // On ECS: the tasks' images, so a task placed once the instance joins starts without a pull.
        const images = config.containers.images;
        if (images.length > 0) {
            await steps.run(
                "images",
                Infinity,
                () =>
                    pullImages(images, {
                        docker: config.containers.docker,
                        timeoutMs: timeouts.pullMs,
                        ecrEndpoint: config.endpoints.ecr,
                        credentials: options.credentials,
                    }),
                (n) => `${n} pulled`,
            );
        }
        const appRequests = await steps.run(
            "app",
            timeouts.appMs,
            (t) => warmUpApp(config.app.warmUp, { requestTimeoutMs: timeouts.appRequestMs, startupWaitMs: t }),
            (n) => `${n} requests`,
        );
        await steps.run(
            "continue",
            timeouts.lifecycleMs,
            (t) => completeLifecycleAction(hook, "CONTINUE", { timeoutMs: t }),
            () => "CONTINUE sent",
        );
        return {
            ...identity,
            steps: steps.durations,
            resolved: Object.fromEntries(dns.resolved),
            connections,
            appRequests,
        };
    } catch (err) {
        const reason = (err as Error).message;
        log(`ABANDON ${identity.instanceId}: ${reason}`);
        // Outside the overall deadline on purpose: running out of time is exactly when ABANDON must still go out.
        const abandoned = await completeLifecycleAction(hook, "ABANDON", { timeoutMs: timeouts.lifecycleMs }).then(
            () => true,
            (abandonErr: Error) => (log(abandonErr.message), false),
        );
        throw new AgentError(reason, abandoned, { cause: err });
    } finally {
        await held.closeAll();
    }
}

/** For `warmstack agent --config FILE`: a bad file rejects before anything is called. */
export async function runAgentFromFile(path: string, options: AgentOptions = {}): Promise<AgentReport> {
    return runAgent(loadAgentConfig(path), options);
}
