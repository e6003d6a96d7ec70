import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { Client } from "pg";
import { AGENT_CONNECTION_NAME, AgentError, AgentOptions, runAgent, runAgentFromFile } from "../../warmers/agent/agent";
import { agentCommand } from "../../warmers/agent/command";
import { AgentConfigError, AgentConfigFile, parseAgentConfig } from "../../model/agent-config";
import { startRedisCluster } from "../../warmers/local/servers";
import { closedPort } from "../support/servers";
import { PostgresServer, RedisServer, startRedis, testPostgres } from "../support/servers";
import {
    CREDENTIALS,
    LoopbackDns,
    LoopbackHttp,
    blackHole,
    fakeAutoScaling,
    fakeImds,
    fakeSecretsManager,
    loopbackDns,
    silentHttp,
} from "./endpoints";

const INSTANCE = { instanceId: "i-0123456789abcdef0", region: "us-east-1" };
const PG_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-agent-test";
const PG_PASSWORD = "pg-password-never-printed";
const REDIS_TOKEN = "redis-token-never-printed";
const GROUP = "warmstack-test-app";
const HOOK = "warmstack-launch";
const TIMEOUTS = { poolsMs: 3000, dnsMs: 1000, secretsMs: 1000, appRequestMs: 1000, lifecycleMs: 1000, imdsMs: 1000 };

describe("agent run", () => {
    let pg: PostgresServer;
    let redis: RedisServer;
    let admin: Client;
    let dns: LoopbackDns;
    let imds: LoopbackHttp & { requests: string[] };
    let sm: LoopbackHttp;
    let autoScaling: Awaited<ReturnType<typeof fakeAutoScaling>>;
    let app: http.Server;
    let appUrl: string;
    let appHits = 0;
    /** The agent's backends as PostgreSQL saw them when the app step began. */
    let agentBackendsAtAppStep: number | undefined;
    let lines: string[];

    const options = (): AgentOptions => ({
        log: (line) => lines.push(line),
        credentials: CREDENTIALS,
        env: { REDIS_TOKEN },
    });

    /** The agent's backends, given `graceMs` to go: a closed pool's backends leave pg_stat_activity a moment later. */
    async function agentBackends(graceMs = 800): Promise<number> {
        const deadline = Date.now() + graceMs;
        for (;;) {
            const { rows } = await admin.query<{ n: number }>(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
                [AGENT_CONNECTION_NAME],
            );
            if (rows[0].n === 0 || Date.now() > deadline) return rows[0].n;
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
    }

    before(async () => {
        pg = await testPostgres();
        // Set after start: test/support's readiness probe PINGs without auth, so --requirepass never gets ready.
        redis = await startRedis();
        const setup = new Redis({ host: redis.host, port: redis.port });
        await setup.config("SET", "requirepass", REDIS_TOKEN);
        setup.disconnect();
        admin = new Client({ connectionString: pg.url });
        await admin.connect();
        dns = await loopbackDns(
            Object.fromEntries(
                ["writer", "reader-1", "reader-2", "cache"].map((h) => [
                    `${h}.warmstack.test`,
                    { address: "127.0.0.1", ttl: 60 },
                ]),
            ),
        );
        imds = await fakeImds(INSTANCE);
        sm = await fakeSecretsManager({ [PG_SECRET]: JSON.stringify({ username: pg.user, password: PG_PASSWORD }) });
        app = http.createServer((_req, res) => {
            appHits++;
            const first = appHits === 1 ? agentBackends().then((n) => (agentBackendsAtAppStep = n)) : Promise.resolve();
            void first.then(() => res.end("ok"));
        });
        await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
        appUrl = `http://127.0.0.1:${(app.address() as net.AddressInfo).port}`;
    });
    beforeEach(async () => {
        autoScaling = await fakeAutoScaling();
        lines = [];
        appHits = 0;
        agentBackendsAtAppStep = undefined;
    });
    afterEach(() => autoScaling.close());
    after(async () => {
        await Promise.all([
            admin.end(),
            dns.close(),
            imds.close(),
            sm.close(),
            new Promise((resolve) => app.close(resolve)),
            redis.stop(),
        ]);
    });

    function config(changes: Partial<AgentConfigFile> = {}): AgentConfigFile {
        return {
            autoScalingGroupName: GROUP,
            lifecycleHookName: HOOK,
            timeouts: TIMEOUTS,
            dns: { servers: [dns.server] },
            postgres: {
                writer: {
                    host: "writer.warmstack.test",
                    port: pg.port,
                    database: pg.database,
                    user: pg.user,
                    password: { secretArn: PG_SECRET },
                },
                readers: [
                    { host: "reader-1.warmstack.test", port: pg.port },
                    { host: "reader-2.warmstack.test", port: pg.port },
                ],
                poolSize: { writer: 3, readerPerReplica: 2 },
            },
            redis: { host: "cache.warmstack.test", port: redis.port, authToken: { env: "REDIS_TOKEN" } },
            app: {
                warmUp: [
                    { url: `${appUrl}/`, count: 3 },
                    { url: `${appUrl}/products`, count: 1 },
                ],
            },
            endpoints: { imds: imds.url, autoScaling: autoScaling.url, secretsManager: sm.url },
            ...changes,
        };
    }

    /** The same config with the writer moved (to a closed port, a black hole). */
    function withWriter(
        writer: { host?: string; port: number },
        changes: Partial<AgentConfigFile> = {},
    ): AgentConfigFile {
        const base = config(changes);
        return { ...base, postgres: { ...base.postgres!, writer: { ...base.postgres!.writer, ...writer } } };
    }

    function assertCompleted(result: "CONTINUE" | "ABANDON") {
        assert.equal(autoScaling.actions.length, 1, "exactly one CompleteLifecycleAction");
        const action = autoScaling.actions[0];
        assert.deepEqual(
            [
                action.get("AutoScalingGroupName"),
                action.get("LifecycleHookName"),
                action.get("InstanceId"),
                action.get("LifecycleActionResult"),
            ],
            [GROUP, HOOK, INSTANCE.instanceId, result],
        );
    }

    function assertNoSecretLogged(...more: string[]) {
        for (const text of [...lines, ...more]) {
            assert.ok(!text.includes(PG_PASSWORD) && !text.includes(REDIS_TOKEN), `a secret was printed: ${text}`);
        }
    }

    it("warms DNS, every pool and the app, then completes the hook with CONTINUE", async () => {
        const report = await runAgent(parseAgentConfig(config(), "test"), options());

        assertCompleted("CONTINUE");
        assert.deepEqual({ instanceId: report.instanceId, region: report.region }, INSTANCE);
        assert.deepEqual(report.connections, {
            "postgres writer": 3,
            "postgres reader 1": 2,
            "postgres reader 2": 2,
            redis: 1,
        });
        assert.deepEqual(Object.keys(report.resolved).sort(), [
            "cache.warmstack.test",
            "reader-1.warmstack.test",
            "reader-2.warmstack.test",
            "writer.warmstack.test",
        ]);
        assert.deepEqual(
            dns.aQueries.filter((q) => q === "writer.warmstack.test"),
            ["writer.warmstack.test"],
            "connections used the pre-resolved entry",
        );
        assert.equal(report.appRequests, 4);
        assert.equal(appHits, 4);
        assert.equal(agentBackendsAtAppStep, 0, "the agent's proof connections are closed before the app step");
        const steps = [
            "identity",
            "dns",
            "secrets",
            "postgres writer",
            "postgres reader 1",
            "postgres reader 2",
            "redis",
            "pools",
            "app",
            "continue",
        ];
        assert.deepEqual(Object.keys(report.steps).sort(), [...steps].sort());
        for (const step of steps) {
            assert.ok(
                lines.some((l) => new RegExp(`^${step}: ok in \\d+ ms \\(`).test(l)),
                `no log line for ${step}:\n${lines.join("\n")}`,
            );
        }
        assertNoSecretLogged();
    });

    it("proves a cluster-mode group's configuration endpoint as a Redis Cluster, with the auth token", async function () {
        this.timeout(60_000);
        const cluster = await startRedisCluster({ primaries: 3, password: REDIS_TOKEN });
        const [seed] = cluster.nodes;
        const probe = new Redis({ host: seed.host, port: seed.port, password: REDIS_TOKEN });
        try {
            await probe.config("RESETSTAT");
            const redisConfig = { host: seed.host, port: seed.port, authToken: { env: "REDIS_TOKEN" }, cluster: true };
            const report = await runAgent(parseAgentConfig(config({ redis: redisConfig }), "test"), options());
            assertCompleted("CONTINUE");
            assert.equal(report.connections.redis, 1);
            // A cluster client asks the endpoint for the slot map; a plain client would only have PINGed it.
            assert.match(await probe.info("commandstats"), /^cmdstat_cluster/m);
            assertNoSecretLogged();
        } finally {
            probe.disconnect();
            await cluster.stop();
        }
    });

    it("ABANDONs with the reason when PostgreSQL refuses connections, and leaves nothing open", async () => {
        const port = await closedPort();
        const err = await runAgent(parseAgentConfig(withWriter({ port }), "test"), options()).then(
            () => assert.fail("expected a rejection"),
            (e: Error) => e,
        );

        assert.ok(err instanceof AgentError && err.abandoned, String(err));
        assert.match(
            err.reason,
            new RegExp(
                `^pools: postgres writer: 3 of 3 connections failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`,
            ),
        );
        assertCompleted("ABANDON");
        assert.equal(appHits, 0, "no app warm-up after a failed step");
        assert.ok(lines.some((l) => l === `ABANDON ${INSTANCE.instanceId}: ${err.reason}`));
        assert.equal(await agentBackends(), 0, "the readers' pools were closed too");
        assertNoSecretLogged(err.message);
    });

    it("ABANDONs on a wrong Redis token without printing it", async () => {
        const err = await runAgent(parseAgentConfig(config(), "test"), {
            ...options(),
            env: { REDIS_TOKEN: "wrong-token-never-printed" },
        }).then(
            () => assert.fail("expected a rejection"),
            (e: Error) => e,
        );
        assert.ok(err instanceof AgentError);
        assert.match(err.reason, /^pools: redis: Redis: WRONGPASS/);
        assertCompleted("ABANDON");
        assert.ok(![...lines, err.message].some((l) => l.includes("wrong-token-never-printed")));
    });

    it("ABANDONs, never hangs, when a dependency accepts but never answers", async () => {
        const hole = await blackHole();
        try {
            const changed = withWriter(
                { host: "127.0.0.1", port: hole.port },
                { timeouts: { ...TIMEOUTS, poolsMs: 400 } },
            );
            const started = Date.now();
            await assert.rejects(
                runAgent(parseAgentConfig(changed, "test"), options()),
                (err: Error) =>
                    err instanceof AgentError && /^pools: postgres writer: .*timed out after 400 ms/.test(err.reason),
            );
            assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
            assertCompleted("ABANDON");
        } finally {
            await hole.close();
        }
    });

    it("fails a dead endpoint within its own connect timeout, not the pool step's, naming host and port", async () => {
        const hole = await blackHole();
        try {
            const timeouts = { ...TIMEOUTS, poolsMs: 20_000, connectMs: 1000 };
            for (const changed of [
                withWriter({ host: "127.0.0.1", port: hole.port }, { timeouts }),
                config({ timeouts, redis: { host: "cache.warmstack.test", port: hole.port } }),
            ]) {
                autoScaling.actions.length = 0;
                const started = Date.now();
                await assert.rejects(runAgent(parseAgentConfig(changed, "test"), options()), (err: Error) => {
                    assert.ok(err instanceof AgentError);
                    assert.match(
                        err.reason,
                        new RegExp(
                            `(postgres writer|redis): .*connect to 127\\.0\\.0\\.1:${hole.port} timed out after 1000 ms`,
                        ),
                    );
                    return true;
                });
                assert.ok(
                    Date.now() - started < 10_000,
                    `took ${Date.now() - started} ms, the pool step allows 20,000`,
                );
                assertCompleted("ABANDON");
            }
        } finally {
            await hole.close();
        }
    });

    it("names the endpoint when a pool step runs out of time after connecting", async () => {
        const hole = await blackHole();
        try {
            const changed = withWriter(
                { host: "writer.warmstack.test", port: hole.port },
                { timeouts: { ...TIMEOUTS, poolsMs: 400, connectMs: 10_000 } },
            );
            await assert.rejects(
                runAgent(parseAgentConfig(changed, "test"), options()),
                (err: Error) =>
                    err instanceof AgentError &&
                    new RegExp(
                        `^pools: postgres writer: .*writer\\.warmstack\\.test:${hole.port}.* timed out after 400 ms`,
                    ).test(err.reason),
            );
        } finally {
            await hole.close();
        }
    });

    it("ABANDONs when the overall deadline runs out mid-step", async () => {
        const silent = await silentHttp();
        try {
            const changes = {
                app: { warmUp: [{ url: `${silent.url}/`, count: 1 }] },
                timeouts: { ...TIMEOUTS, overallMs: 1500, appRequestMs: 10_000 },
            };
            await assert.rejects(
                runAgent(parseAgentConfig(config(changes), "test"), options()),
                (err: Error) =>
                    err instanceof AgentError &&
                    /^app: step \(overall deadline\) timed out after \d+ ms$/.test(err.reason),
            );
            assertCompleted("ABANDON");
        } finally {
            await silent.close();
        }
    });

    it("rejects without completing the hook when IMDS cannot say who this is (AWS's default ABANDON applies)", async () => {
        const silent = await silentHttp();
        try {
            const changes = {
                endpoints: { ...config().endpoints, imds: silent.url },
                // IMDS is retried within the deadline: short, so the run gives up soon.
                timeouts: { ...TIMEOUTS, imdsMs: 200, overallMs: 1500 },
            };
            await assert.rejects(
                runAgent(parseAgentConfig(config(changes), "test"), options()),
                (err: Error) =>
                    err instanceof AgentError &&
                    !err.abandoned &&
                    err.reason === `identity: PUT ${silent.url}/latest/api/token timed out after 200 ms`,
            );
            assert.equal(autoScaling.actions.length, 0);
        } finally {
            await silent.close();
        }
    });

    it("fails on a bad config file before calling anything, through the CLI subcommand too", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-agent-"));
        try {
            const file = path.join(dir, "agent.json");
            fs.writeFileSync(file, JSON.stringify({ ...config(), poolSizes: {} }));
            const imdsCalls = imds.requests.length;
            await assert.rejects(
                runAgentFromFile(file, options()),
                (err: Error) =>
                    err instanceof AgentConfigError &&
                    err.message === `${file}: invalid agent config\n  - poolSizes: unknown key`,
            );
            assert.equal(autoScaling.actions.length, 0);
            assert.equal(imds.requests.length, imdsCalls);

            // The same through the CLI subcommand the lead wires into `warmstack`.
            await assert.rejects(
                agentCommand().exitOverride().parseAsync(["--config", file], { from: "user" }),
                AgentConfigError,
            );
            await assert.rejects(
                agentCommand()
                    .exitOverride()
                    .configureOutput({ writeErr: () => undefined })
                    .parseAsync([], { from: "user" }),
                /required option '--config <file>' not specified/,
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
