// The whole data-tier warm as the provider and the warmer function run it, in fresh processes against a real
// PostgreSQL that checks passwords and a real Redis: the least-privilege roles made by the master user, the
// replicas' buffers, then the cache as the read-only warmer role; TLS as the inputs ask; and the Scheduler's
// run, whose payload names its secrets by ARN and reads them from (a loopback) Secrets Manager.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import Redis from "ioredis";
import { Client } from "pg";
import { runtimeBundle } from "../../infra/bundles";
import { NOT_SCHEDULED, PrewarmInputs, ScheduledWarm, scheduledWarm } from "../../model/prewarm-contract";
import { warmOptionsFor } from "../../warmers/prewarm/inputs";
import { prewarmProvider } from "../../infra/providers/prewarm-provider";
import { fakeSecretsManager, silentHttp } from "../agent/endpoints";
import { createCatalogue, INDEX, relationBlocks, TABLE } from "../replica/fixtures";
import { PostgresServer, RedisServer, startPostgres, startRedis } from "../support/servers";
import { loopbackInputs, runHandler, runProvider } from "./support";

const TOKEN = "data-tier-redis-token-never-printed";
const WARMER = "warmstack_warmer";
const AGENT = "warmstack_agent";
const WARMER_PASSWORD = "warmer-pw-%41-never-printed";
const AGENT_PASSWORD = "agent-pw-never-printed";
const TOP = 500;
const WARMER_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:warmstack-warmer";
const TOKEN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:warmstack-cache-token";

describe("data-tier warm: roles, replica buffers, then the cache", function () {
    this.timeout(120_000);
    let pg: PostgresServer;
    let redis: RedisServer;
    let cache: Redis;
    let text: string;

    const inputs = (overrides: Partial<PrewarmInputs> = {}): PrewarmInputs =>
        loopbackInputs(redis, pg, {
            replicationGroupId: "cache-group",
            authToken: TOKEN,
            user: WARMER,
            password: WARMER_PASSWORD,
            query: "SELECT 'product:' || id AS key, name AS value FROM catalog.products ORDER BY id",
            topKeys: TOP,
            primaryHost: pg.host,
            // The test database's superuser stands in for the RDS master user (trusted on loopback).
            adminUser: pg.user,
            agentUser: AGENT,
            agentPassword: AGENT_PASSWORD,
            replicaHosts: [pg.host],
            relations: [TABLE, INDEX],
            ...overrides,
        });

    /** A session as `user`; rejects when PostgreSQL refuses the password. */
    async function as<T>(user: string, password: string, work: (c: Client) => Promise<T>): Promise<T> {
        const client = new Client({ host: pg.host, port: pg.port, database: pg.database, user, password });
        await client.connect();
        try {
            return await work(client);
        } finally {
            await client.end();
        }
    }

    before(async () => {
        [pg, redis] = await Promise.all([
            startPostgres({ passwordRoles: [WARMER, AGENT] }),
            startRedis({ args: ["--requirepass", TOKEN] }),
        ]);
        await createCatalogue(pg.url, 5_000);
        cache = new Redis({ host: redis.host, port: redis.port, password: TOKEN, lazyConnect: true });
        await cache.connect();
        const provider = prewarmProvider(runtimeBundle());
        text = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    });

    after(async () => {
        cache?.disconnect();
        await Promise.all([pg?.stop(), redis?.stop()]);
    });

    it("creates the roles with the master user, warms the replicas' buffers, then the cache as the warmer role", async () => {
        const answer = await runProvider(text, { op: "create", inputs: inputs() });
        assert.equal(answer.error, undefined, answer.output);
        const outs = answer.result!.outs!;
        assert.deepEqual(outs.blocksLoaded, {
            [`${pg.host}:${pg.port}`]: {
                [TABLE]: await relationBlocks(pg.url, TABLE),
                [INDEX]: await relationBlocks(pg.url, INDEX),
            },
        });
        assert.equal(outs.keysWritten, TOP);
        assert.equal(await cache.dbsize(), TOP);
        for (const secret of [TOKEN, WARMER_PASSWORD, AGENT_PASSWORD]) assert.ok(!answer.output.includes(secret));
    });

    it("gives the warmer role reads and nothing else, and the agent role a login and nothing else", async () => {
        const rows = await as(WARMER, WARMER_PASSWORD, (c) => c.query(`SELECT count(*)::int AS n FROM ${TABLE}`));
        assert.equal(rows.rows[0].n, 5_000);
        await assert.rejects(
            as(WARMER, WARMER_PASSWORD, (c) => c.query(`DELETE FROM ${TABLE}`)),
            /cannot execute DELETE in a read-only transaction/,
        );
        assert.equal((await as(AGENT, AGENT_PASSWORD, (c) => c.query("SELECT 1 AS one"))).rows[0].one, 1);
        await assert.rejects(
            as(AGENT, AGENT_PASSWORD, (c) => c.query(`SELECT * FROM ${TABLE} LIMIT 1`)),
            /permission denied for (schema catalog|table products)/,
        );
        const { rows: flags } = await as(pg.user, "", (c) =>
            c.query(
                "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1",
                [[WARMER, AGENT]],
            ),
        );
        assert.deepEqual(
            flags.map((r) => [r.rolname, r.rolsuper || r.rolcreaterole || r.rolcreatedb]),
            [
                [AGENT, false],
                [WARMER, false],
            ],
        );
    });

    it("converges on every up: existing roles get the new passwords, the old ones stop working", async () => {
        const next = { password: `${WARMER_PASSWORD}-2`, agentPassword: `${AGENT_PASSWORD}-2` };
        const answer = await runProvider(text, {
            op: "update",
            id: "cache-group-prewarm",
            olds: {},
            inputs: inputs(next),
        });
        assert.equal(answer.error, undefined, answer.output);
        await as(WARMER, next.password, (c) => c.query("SELECT 1"));
        await as(AGENT, next.agentPassword, (c) => c.query("SELECT 1"));
        await assert.rejects(
            as(WARMER, WARMER_PASSWORD, (c) => c.query("SELECT 1")),
            /password authentication failed/,
        );
        // Back to the passwords the other tests use.
        assert.equal((await runProvider(text, { op: "update", id: "x", olds: {}, inputs: inputs() })).error, undefined);
    });

    it("fails the deploy on a relation that does not exist, naming it, before a single key is written", async () => {
        await cache.flushdb();
        const answer = await runProvider(text, {
            op: "create",
            inputs: inputs({ relations: [TABLE, "catalog.nope"] }),
        });
        assert.match(answer.error ?? "", /no relation named "catalog\.nope"/);
        assert.equal(await cache.dbsize(), 0);
    });

    it("refuses to create a role without a password, naming the input, before touching the database", async () => {
        const answer = await runProvider(text, { op: "create", inputs: inputs({ agentPassword: "" }) });
        assert.equal(answer.error, 'agentPassword: a password for the role the setup creates; given ""');
    });

    describe('sourceSsl "require"', () => {
        it("gives the engine an sslmode that makes pg use TLS", () => {
            const source = (ssl: PrewarmInputs["sourceSsl"]) =>
                new URL(warmOptionsFor(inputs({ sourceSsl: ssl })).source as string).searchParams.get("sslmode");
            assert.equal(source("require"), "no-verify");
            assert.equal(source("disable"), "disable");
        });

        it("makes the cache warm and the replica warm insist on TLS (this PostgreSQL has none)", async () => {
            for (const replicaHosts of [[], [pg.host]]) {
                const answer = await runProvider(text, {
                    op: "create",
                    inputs: inputs({
                        sourceSsl: "require",
                        replicaHosts,
                        adminUser: undefined,
                        primaryHost: undefined,
                    }),
                });
                assert.match(answer.error ?? "", /does not support SSL/, `replicas: ${replicaHosts.length}`);
            }
        });
    });

    describe("the scheduled run: the warmer function, secrets read by ARN", () => {
        const scheduled = (overrides: Partial<ScheduledWarm> = {}): ScheduledWarm => ({
            ...scheduledWarm(inputs(), { passwordSecretArn: WARMER_ARN, authTokenSecretArn: TOKEN_ARN }),
            ...overrides,
        });
        const awsEnv = (secretsManager: string) => ({
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "AKIDTEST",
            AWS_SECRET_ACCESS_KEY: "test-secret",
            AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager,
        });

        it("carries no secret, reads them from Secrets Manager, warms the replicas then the cache", async () => {
            const sm = await fakeSecretsManager({
                [WARMER_ARN]: JSON.stringify({ username: WARMER, password: WARMER_PASSWORD }),
                [TOKEN_ARN]: TOKEN,
            });
            try {
                await cache.flushdb();
                const event = scheduled();
                const payload = JSON.stringify(event);
                for (const secret of [TOKEN, WARMER_PASSWORD, AGENT_PASSWORD]) assert.ok(!payload.includes(secret));
                assert.equal(event.replicationGroupId, "cache-group", "the pack's link, at the top level");
                for (const field of NOT_SCHEDULED) assert.ok(!(field in event), field);
                const answer = await runHandler(runtimeBundle(), event, awsEnv(sm.url));
                assert.equal(answer.error, undefined, answer.output);
                assert.equal(answer.result!.keysWritten, TOP);
                assert.equal(
                    answer.result!.blocksLoaded[`${pg.host}:${pg.port}`][TABLE],
                    await relationBlocks(pg.url, TABLE),
                );
                assert.equal(await cache.dbsize(), TOP);
                assert.ok(!answer.output.includes(TOKEN) && !answer.output.includes(WARMER_PASSWORD));
            } finally {
                await sm.close();
            }
        });

        it("names the secret it could not read, within the secret's own timeout", async () => {
            const silent = await silentHttp();
            try {
                const started = Date.now();
                const answer = await runHandler(
                    runtimeBundle(),
                    scheduled({ secretTimeoutMs: 500 }),
                    awsEnv(silent.url),
                );
                assert.match(
                    answer.error ?? "",
                    new RegExp(`cannot read ${WARMER_ARN}: GetSecretValue timed out after 500 ms`),
                );
                assert.ok(Date.now() - started < 10_000);
            } finally {
                await silent.close();
            }
        });
    });
});
