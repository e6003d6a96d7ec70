// Node does not cache DNS: every new connection asks the resolver again, and a cold or slow resolver lands
// on the first requests. This resolves the configured hosts up front into a TTL-respecting cache
// (cacheable-lookup) and re-queries each entry before it expires, so a lookup never waits on DNS.
import { promises as dnsPromises } from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import CacheableLookup, { EntryObject } from "cacheable-lookup";
import { withTimeout } from "../timeout";
import { DnsError } from "./errors";

export interface DnsCacheOptions {
    hosts: readonly string[];
    /** `ip` or `ip:port` resolvers; the system's when omitted. */
    servers?: readonly string[];
    /** Budget for each host's resolution, the first one and every refresh. */
    timeoutMs: number;
    /** Re-query once this fraction of an entry's TTL has passed. */
    refreshAt?: number;
    /** Wait before retrying a failed refresh; the old entry serves until it expires. */
    retryMs?: number;
    onRefreshError?: (host: string, err: Error) => void;
}

const DEFAULT_REFRESH_AT = 0.8;
const DEFAULT_RETRY_MS = 1_000;

export class DnsCache {
    /** net/tls-compatible lookup answering from the cache; pass it to clients that accept one. */
    readonly lookup: net.LookupFunction;
    /** What each configured host resolved to at start-up: the step's visible figure. */
    readonly resolved = new Map<string, string[]>();
    private readonly resolver: dnsPromises.Resolver;
    private readonly cache: CacheableLookup;
    private readonly timers = new Map<string, NodeJS.Timeout>();
    private readonly installed: http.Agent[] = [];
    private closed = false;

    private constructor(private readonly options: DnsCacheOptions) {
        // One try per server with the step's budget; withTimeout below is the hard bound either way.
        this.resolver = new dnsPromises.Resolver({ timeout: options.timeoutMs, tries: 1 });
        if (options.servers) this.resolver.setServers([...options.servers]);
        this.cache = new CacheableLookup({ resolver: this.resolver });
        this.lookup = this.cache.lookup as unknown as net.LookupFunction;
    }

    /** Resolves every host (in parallel) or rejects naming each one that failed. */
    static async start(options: DnsCacheOptions): Promise<DnsCache> {
        const dns = new DnsCache(options);
        const hosts = [...new Set(options.hosts)].filter((h) => net.isIP(h) === 0);
        const results = await Promise.allSettled(hosts.map((host) => dns.refresh(host)));
        const failures = results.flatMap((r, i) =>
            r.status === "rejected" ? [`${hosts[i]}: ${(r.reason as Error).message}`] : [],
        );
        if (failures.length > 0) {
            dns.close();
            throw new DnsError(`cannot resolve ${failures.join("; ")}`);
        }
        return dns;
    }

    /** pg `stream` factory: pg calls `socket.connect(port, host)`, and only the options form takes a lookup. */
    readonly pgStream = (): net.Socket => {
        const socket = new net.Socket();
        const connect = socket.connect.bind(socket) as (options: net.SocketConnectOpts) => net.Socket;
        socket.connect = ((port: number | string, host?: string) =>
            typeof port === "string"
                ? connect({ path: port })
                : connect({ port, host, lookup: this.lookup })) as typeof socket.connect;
        return socket;
    };

    /** One address for `host` from the cache (IP literals as they are), for clients that take no lookup. */
    async address(host: string): Promise<string> {
        return net.isIP(host) ? host : (await this.cache.lookupAsync(host)).address;
    }

    /** Routes the agents' (by default http/https globalAgent) connections through the cache until close(). */
    install(agents: http.Agent[] = [http.globalAgent, https.globalAgent]): void {
        for (const agent of agents) {
            this.cache.install(agent);
            this.installed.push(agent);
        }
    }

    close(): void {
        this.closed = true;
        for (const timer of this.timers.values()) clearTimeout(timer);
        this.timers.clear();
        for (const agent of this.installed.splice(0)) this.cache.uninstall(agent);
        this.resolver.cancel();
    }

    private async refresh(host: string): Promise<void> {
        const entries = await withTimeout(
            this.cache.queryAndCache(host),
            this.options.timeoutMs,
            `DNS query for ${host}`,
        );
        if (entries.length === 0) throw new DnsError(`${host} has no address`);
        this.resolved.set(
            host,
            entries.map((e) => e.address),
        );
        this.schedule(host, this.refreshDelay(entries));
    }

    /** Ahead of the shortest TTL; entries without one (the OS fallback, TTL 0) are not cached, so not refreshed. */
    private refreshDelay(entries: readonly EntryObject[]): number | undefined {
        const ttl = Math.min(...entries.map((e) => e.ttl ?? 0));
        return ttl > 0 ? ttl * 1000 * (this.options.refreshAt ?? DEFAULT_REFRESH_AT) : undefined;
    }

    private schedule(host: string, delayMs: number | undefined): void {
        if (this.closed || delayMs === undefined) return;
        const timer = setTimeout(() => {
            this.refresh(host).catch((err: Error) => {
                this.options.onRefreshError?.(host, err);
                this.schedule(host, this.options.retryMs ?? DEFAULT_RETRY_MS);
            });
        }, delayMs);
        // A cache must not keep a process alive that has nothing else left to do.
        timer.unref();
        this.timers.set(host, timer);
    }
}
