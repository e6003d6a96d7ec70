// Connections to Redis (the target, and the redis source) with every timeout set, and the line between
// errors worth a retry (the connection, a loading or failing-over server) and errors that are final.
import Redis, { Cluster, type RedisOptions } from "ioredis";
import { WarmConnectionError, WarmInputError } from "./errors";
import { failFastRedisOptions } from "./redis-options";
import type { RedisServerSpec, ResolvedOptions } from "./resolved";
import { withTimeout } from "../timeout";

export type RedisClient = Redis | Cluster;

type Timeouts = Pick<ResolvedOptions, "connectTimeoutMs" | "commandTimeoutMs" | "redactor">;

const reconnectDelay = (attempt: number) => Math.min(attempt * 100, 1000);

/** Connects and checks with PING, each step within connectTimeoutMs; a failure is a WarmConnectionError. */
export async function connectRedis(
    server: RedisServerSpec & { cluster?: boolean },
    role: "source" | "redis",
    label: string,
    options: Timeouts,
): Promise<RedisClient> {
    const nodeOptions: RedisOptions = {
        ...failFastRedisOptions(options),
        host: server.host,
        port: server.port,
        db: server.db,
        tls: server.tls,
        username: server.username,
        password: server.password,
        connectionName: "warmstack",
        // Commands fail at once while disconnected instead of queueing: the sink retries whole batches.
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        // A warm outlives a blip: reconnect in the background; the sink's retry budget decides when to give up.
        retryStrategy: reconnectDelay,
        // Commands issued in the same tick (a source batch's DUMPs, the EXISTS sample) go out as one pipeline.
        enableAutoPipelining: true,
    };
    const client: RedisClient = server.cluster
        ? new Cluster([{ host: server.host, port: server.port }], {
              redisOptions: nodeOptions,
              lazyConnect: true,
              enableOfflineQueue: false,
              clusterRetryStrategy: reconnectDelay,
              slotsRefreshTimeout: options.connectTimeoutMs,
              // TLS clusters (ElastiCache) must keep the announced host names for certificate checks.
              dnsLookup: (address, callback) => callback(null, address),
          })
        : new Redis(nodeOptions);
    // Failures surface through the command that hit them; the socket's own error (ECONNREFUSED…) says more
    // than ioredis' "Connection is closed", so it is kept for the connect message.
    let socketError: Error | undefined;
    client.on("error", (err: Error) => {
        socketError = err;
    });
    const field = role === "source" ? "source" : "redis";
    try {
        await withTimeout(client.connect(), options.connectTimeoutMs, `connecting to ${label}`);
        await withTimeout(client.ping(), options.connectTimeoutMs, `PING to ${label}`);
    } catch (err) {
        client.disconnect();
        const message = options.redactor.text((socketError ?? (err as Error)).message);
        // Wrong credentials or the wrong mode are the input's fault: a re-run with the same ones cannot help.
        if (REFUSED_AUTH.test(message))
            throw new WarmInputError(
                field,
                `Redis ${label} refused the credentials (${message}); check the user and password`,
            );
        if (server.cluster && (await clusterEnabled(nodeOptions, options)) === false)
            throw new WarmInputError(
                "cluster",
                `Redis ${label} is not a cluster node (cluster_enabled:0): leave out --cluster`,
            );
        throw new WarmConnectionError(
            role,
            `cannot reach ${role === "source" ? "source " : ""}Redis ${label}: ${message}`,
            { cause: err },
        );
    }
    try {
        // ioredis takes "no password is set" for a warning and carries on; the bare write pipes would not.
        if (server.password !== undefined) await noPasswordRefusal(client, server, label, field, options);
    } catch (err) {
        client.disconnect();
        throw err;
    }
    return client;
}

const REFUSED_AUTH = /\b(WRONGPASS|NOAUTH|NOPERM)\b|invalid (username-)?password/i;
const NO_PASSWORD_SET = /without any password configured|no password is set/i;

/** A password given to a Redis that has none: said once, at connect, instead of every write failing on AUTH. */
async function noPasswordRefusal(
    client: RedisClient,
    server: RedisServerSpec,
    label: string,
    field: "redis" | "source",
    options: Timeouts,
): Promise<void> {
    const args = [...(server.username ? [server.username] : []), server.password as string];
    const refusal = await withTimeout(client.call("AUTH", ...args), options.connectTimeoutMs, `AUTH on ${label}`).then(
        () => undefined,
        (err: Error) => err.message,
    );
    if (refusal !== undefined && NO_PASSWORD_SET.test(refusal))
        throw new WarmInputError(
            field,
            `Redis ${label} has no password set, but one was given: leave it out (or set one on the server)`,
        );
}

/** `cluster_enabled` of one node: a client already connected, or options to open a short-lived one with. */
async function clusterEnabled(node: RedisClient | RedisOptions, options: Timeouts): Promise<boolean | undefined> {
    const client = node instanceof Redis || node instanceof Cluster ? node : new Redis(node);
    if (client !== node) client.on("error", () => {});
    try {
        if (client !== node) await withTimeout(client.connect(), options.connectTimeoutMs, "connecting");
        const info = await withTimeout(client.info("cluster"), options.connectTimeoutMs, "INFO cluster");
        return /^cluster_enabled:1/m.test(info);
    } catch {
        return undefined; // the connection's own error is what gets reported
    } finally {
        if (client !== node) client.disconnect();
    }
}

/** A standalone target must not be a cluster node: its writes would come back MOVED, slot by slot. */
export async function requireStandalone(client: RedisClient, label: string, options: Timeouts): Promise<void> {
    if (!(await clusterEnabled(client, options))) return;
    client.disconnect();
    throw new WarmInputError(
        "cluster",
        `Redis ${label} is a node of a Redis Cluster (cluster_enabled:1): add --cluster to warm the whole cluster`,
    );
}

/**
 * A warm writes, so its target must be a primary: a read-only replica would refuse every write (READONLY, which a
 * retry cannot fix there). Asked once, right after the connection check, within connectTimeoutMs.
 */
export async function requirePrimary(client: RedisClient, label: string, options: Timeouts): Promise<void> {
    let info: string;
    try {
        info = await withTimeout(client.info("replication"), options.connectTimeoutMs, `INFO replication on ${label}`);
    } catch (err) {
        client.disconnect();
        const message = options.redactor.text((err as Error).message);
        throw new WarmConnectionError("redis", `cannot check the role of Redis ${label}: ${message}`, { cause: err });
    }
    const role = /^role:(\w+)/m.exec(info)?.[1];
    if (role !== "slave" && role !== "replica") return;
    const host = /^master_host:(\S+)/m.exec(info)?.[1];
    const port = /^master_port:(\d+)/m.exec(info)?.[1];
    client.disconnect();
    throw new WarmConnectionError(
        "redis",
        `Redis ${label} is a read-only replica` +
            (host ? ` of ${host}:${port}` : "") +
            "; warm its primary instead (for ElastiCache, the primary endpoint): a re-run against this node cannot help",
    );
}

const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/;
const TRANSIENT_MESSAGE =
    /Connection is closed|Stream isn't writeable|Command timed out|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH/;

/** True for errors a retry after backoff can fix: the connection, or a server that is loading or failing over. */
export function isTransient(err: unknown): boolean {
    const { name, message } = err as Error;
    return name === "MaxRetriesPerRequestError" || TRANSIENT_REPLY.test(message) || TRANSIENT_MESSAGE.test(message);
}
