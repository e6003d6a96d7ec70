// The agent reaches Redis at the address it resolved up front (its DNS cache), but checks the TLS certificate
// against the host name: ElastiCache's certificates name the endpoint, never its addresses. Checked against the
// address, every instance would ABANDON on a real TLS endpoint (issue 27). Here a real redis-server on TLS only,
// with a certificate for cache.warmstack.test alone, reached through a loopback DNS server that resolves that name
// to 127.0.0.1.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentError, type AgentOptions, runAgent } from "../../warmers/agent/agent";
import { parseAgentConfig, type AgentConfigFile } from "../../model/agent-config";
import { makeCertificates, startRedis, type Certificates, type RedisServer } from "../../warmers/local/servers";
import { CREDENTIALS, fakeAutoScaling, loopbackDns, type LoopbackDns } from "./endpoints";

const NAME = "cache.warmstack.test";
const TIMEOUTS = { poolsMs: 3000, dnsMs: 1000, secretsMs: 1000, appRequestMs: 1000, lifecycleMs: 1000, imdsMs: 1000 };

describe("agent: Redis over TLS, reached by a name the certificate holds and an address it does not", function () {
    this.timeout(30_000);
    let certificates: Certificates;
    let redis: RedisServer;
    let dns: LoopbackDns;
    let autoScaling: Awaited<ReturnType<typeof fakeAutoScaling>>;
    let dir: string;
    let caFile: string;
    let lines: string[];

    before(async () => {
        certificates = makeCertificates([NAME]);
        redis = await startRedis({ tls: certificates });
        dns = await loopbackDns({ [NAME]: { address: "127.0.0.1", ttl: 60 } });
        autoScaling = await fakeAutoScaling();
        // The agent's config names a CA file, as infra writes it on the instance.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-tls-"));
        caFile = path.join(dir, "ca.pem");
        fs.writeFileSync(caFile, certificates.ca);
    });
    after(async () => {
        await Promise.all([redis?.stop(), dns?.close(), autoScaling?.close()]);
        await certificates?.remove();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        lines = [];
        autoScaling.actions.length = 0;
    });

    const options = (): AgentOptions => ({ log: (line) => lines.push(line), credentials: CREDENTIALS });
    const config = (redisHost: string): AgentConfigFile => ({
        autoScalingGroupName: "warmstack-test-app",
        lifecycleHookName: "warmstack-launch",
        instanceId: "i-0123456789abcdef0",
        region: "us-east-1",
        timeouts: TIMEOUTS,
        dns: { servers: [dns.server] },
        redis: { host: redisHost, port: redis.port, tls: { caFile } },
        endpoints: { autoScaling: autoScaling.url },
    });

    it("resolves the name, connects to its address and verifies the certificate against the name: CONTINUE", async () => {
        const report = await runAgent(parseAgentConfig(config(NAME), "test"), options());
        assert.deepEqual(report.resolved, { [NAME]: ["127.0.0.1"] });
        assert.equal(report.connections.redis, 1);
        assert.deepEqual(
            autoScaling.actions.map((a) => a.get("LifecycleActionResult")),
            ["CONTINUE"],
        );
        assert.ok(dns.aQueries.includes(NAME), "the name went through the agent's DNS cache");
    });

    it("still refuses a certificate that does not name what the config asks for (the address itself)", async () => {
        const err = await runAgent(parseAgentConfig(config("127.0.0.1"), "test"), options()).then(
            () => assert.fail("expected an ABANDON"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof AgentError, String(err));
        assert.match(err.reason, /^pools: redis: .*(IP: 127\.0\.0\.1 is not in the cert's list|altnames)/);
        assert.deepEqual(
            autoScaling.actions.map((a) => a.get("LifecycleActionResult")),
            ["ABANDON"],
        );
    });
});
