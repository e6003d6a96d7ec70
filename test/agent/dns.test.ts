import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { DnsCache } from "../../warmers/agent/dns";
import { DnsError } from "../../warmers/agent/errors";
import { LoopbackDns, loopbackDns, silentDns } from "./endpoints";

interface Entry {
    address: string;
    source?: string;
}

function lookupAll(dns: DnsCache, host: string): Promise<Entry[]> {
    return new Promise((resolve, reject) =>
        dns.lookup(host, { all: true }, (err, entries) => (err ? reject(err) : resolve(entries as unknown as Entry[]))),
    );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
        if (Date.now() > deadline) assert.fail(`not done within ${timeoutMs} ms`);
        await sleep(20);
    }
}

describe("agent DNS cache", () => {
    let server: LoopbackDns;
    let cache: DnsCache | undefined;

    beforeEach(async () => {
        server = await loopbackDns({
            "db.warmstack.test": { address: "127.0.0.1", ttl: 300 },
            "cache.warmstack.test": { address: "127.0.0.2", ttl: 300 },
            "short.warmstack.test": { address: "127.0.0.3", ttl: 1 },
            "mid.warmstack.test": { address: "127.0.0.5", ttl: 2 },
        });
    });
    afterEach(async () => {
        cache?.close();
        cache = undefined;
        await server.close();
    });

    it("pre-resolves every host once, then answers from the cache without asking the server", async () => {
        cache = await DnsCache.start({
            hosts: ["db.warmstack.test", "cache.warmstack.test", "127.0.0.9"],
            servers: [server.server],
            timeoutMs: 2000,
        });
        assert.deepEqual(Object.fromEntries(cache.resolved), {
            "db.warmstack.test": ["127.0.0.1"],
            "cache.warmstack.test": ["127.0.0.2"],
        });
        assert.deepEqual(server.aQueries.sort(), ["cache.warmstack.test", "db.warmstack.test"]);

        for (let i = 0; i < 3; i++) {
            const [entry] = await lookupAll(cache, "db.warmstack.test");
            assert.deepEqual(
                { address: entry.address, source: entry.source },
                { address: "127.0.0.1", source: "cache" },
            );
        }
        assert.equal(await cache.address("cache.warmstack.test"), "127.0.0.2");
        assert.equal(server.aQueries.length, 2, "a cached lookup must not reach the DNS server");
    });

    it("serves connections made through the installed global agent and through pg-style sockets", async () => {
        const app = http.createServer((_req, res) => res.end("warm"));
        await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
        const { port } = app.address() as net.AddressInfo;
        try {
            cache = await DnsCache.start({ hosts: ["db.warmstack.test"], servers: [server.server], timeoutMs: 2000 });
            cache.install();
            const body = await new Promise<string>((resolve, reject) =>
                http
                    .get(`http://db.warmstack.test:${port}/`, (res) => {
                        let text = "";
                        res.on("data", (c) => (text += c)).on("end", () => resolve(text));
                    })
                    .on("error", reject),
            );
            assert.equal(body, "warm");

            const socket = cache.pgStream();
            await new Promise<void>((resolve, reject) =>
                socket.once("connect", resolve).once("error", reject).connect(port, "db.warmstack.test"),
            );
            assert.equal(socket.remoteAddress, "127.0.0.1");
            socket.destroy();
            assert.deepEqual(server.aQueries, ["db.warmstack.test"]);

            // cacheable-lookup refuses a second install on an agent: this passes only if close() uninstalled.
            cache.close();
            cache = await DnsCache.start({ hosts: [], timeoutMs: 2000 });
            cache.install();
        } finally {
            await new Promise((resolve) => app.close(resolve));
        }
    });

    it("refreshes an entry before its TTL runs out, so lookups keep coming from the cache", async () => {
        cache = await DnsCache.start({ hosts: ["short.warmstack.test"], servers: [server.server], timeoutMs: 2000 });
        const started = Date.now();
        server.records.set("short.warmstack.test", { address: "127.0.0.4", ttl: 1 });
        await sleep(950); // past the refresh (0.8 × TTL), before the 1 s expiry
        assert.equal(server.aQueries.length, 2, "the entry must have been re-queried once, ahead of expiry");
        const [entry] = await lookupAll(cache, "short.warmstack.test");
        assert.ok(Date.now() - started < 1000 + 200, "still within the first TTL (plus scheduling slack)");
        assert.deepEqual({ address: entry.address, source: entry.source }, { address: "127.0.0.4", source: "cache" });
        assert.equal(server.aQueries.length, 2);
    });

    it("keeps serving the old entry when a refresh fails, and reports the failure", async () => {
        const failures: string[] = [];
        cache = await DnsCache.start({
            hosts: ["mid.warmstack.test"],
            servers: [server.server],
            timeoutMs: 200,
            retryMs: 60_000,
            onRefreshError: (host, err) => failures.push(`${host}: ${err.message}`),
        });
        await server.close(); // the refresh at 0.8 × 2 s finds no resolver
        await until(() => failures.length > 0, 1900);
        assert.match(failures[0], /^mid\.warmstack\.test: /);
        const [entry] = await lookupAll(cache, "mid.warmstack.test");
        assert.deepEqual({ address: entry.address, source: entry.source }, { address: "127.0.0.5", source: "cache" });
        server = await loopbackDns({}); // for afterEach
    });

    it("fails with its own timeout when the resolver does not answer", async () => {
        const silent = await silentDns();
        const started = Date.now();
        try {
            await assert.rejects(
                DnsCache.start({ hosts: ["db.warmstack.test"], servers: [silent.server], timeoutMs: 300 }),
                (err: Error) => {
                    assert.ok(err instanceof DnsError);
                    assert.match(
                        err.message,
                        /cannot resolve db\.warmstack\.test: .*(timed out after 300 ms|ETIMEOUT)/,
                    );
                    return true;
                },
            );
            assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
        } finally {
            await silent.close();
        }
    });
});
