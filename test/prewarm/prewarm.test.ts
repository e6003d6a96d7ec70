import { strict as assert } from "node:assert";
import http from "node:http";
import { AddressInfo } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import Redis from "ioredis";
import { Client } from "pg";
import { runtimeBundle } from "../../infra/bundles";
import type { PrewarmInputs, PrewarmOutputs } from "../../model/prewarm-contract";
import { prewarmProvider } from "../../infra/providers/prewarm-provider";
import {
    PostgresServer,
    RedisServer,
    startPostgres,
    startRedis,
    testPostgres,
    useRedisCluster,
} from "../support/servers";
import { loopbackInputs, runProvider } from "./support";

const TOKEN = "s3cret-token-that-must-never-leak-0123456789";
const PASSWORD_MARKER = "pg-password-that-must-never-leak";
const ROWS = 2000;
const TOP = 1000;

describe("CachePrewarm provider: serialized, in a fresh process, against real servers", function () {
    this.timeout(120_000);
    let redis: RedisServer;
    /** 1 MB and no eviction: a warm of 500 × 10 kB values leaves most of the hot set out. */
    let tiny: RedisServer;
    let pg: PostgresServer;
    let client: Redis;
    let text: string;

    const inputs = (overrides: Partial<PrewarmInputs> = {}): PrewarmInputs =>
        loopbackInputs(redis, pg, {
            replicationGroupId: "cache-redis-id",
            authToken: TOKEN,
            user: pg.user,
            // The test database trusts loopback, so any password passes; it must still never show up anywhere.
            password: PASSWORD_MARKER,
            query: "SELECT key, value FROM prewarm_items ORDER BY hotness",
            topKeys: TOP,
            ...overrides,
        });

    before(async () => {
        [redis, tiny, pg] = await Promise.all([
            startRedis({ args: ["--requirepass", TOKEN] }),
            startRedis({ args: ["--maxmemory", "1mb", "--maxmemory-policy", "noeviction"] }),
            testPostgres(),
        ]);
        client = new Redis({ host: redis.host, port: redis.port, password: TOKEN, lazyConnect: true });
        await client.connect();
        const db = new Client({ host: pg.host, port: pg.port, user: pg.user, database: pg.database });
        await db.connect();
        await db.query(`DROP TABLE IF EXISTS prewarm_items;
            CREATE TABLE prewarm_items AS SELECT 'item:' || g AS key, 'value-' || g AS value, g AS hotness FROM generate_series(1, ${ROWS}) g`);
        await db.end();
        // Exactly what pulumi.dynamic.Resource stores in __provider.
        const provider = prewarmProvider(runtimeBundle());
        const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        assert.equal(serialized.containsSecrets, false);
        text = serialized.text;
    });

    after(async () => {
        client?.disconnect();
        await Promise.all([redis?.stop(), tiny?.stop()]);
    });

    it("keeps no secret and no module path in the serialized provider", () => {
        assert.ok(!text.includes(TOKEN) && !text.includes(PASSWORD_MARKER));
        assert.ok(!/require\("\.{1,2}\//.test(text), "captures no local module");
    });

    it("warms on create, and warms again on update after keys were lost", async () => {
        const created = await runProvider(text, { op: "create", inputs: inputs() });
        assert.equal(created.error, undefined, created.output);
        const outs = created.result!.outs!;
        assert.equal(created.result!.id, "cache-redis-id-prewarm");
        assert.equal(outs.rowsRead, TOP);
        assert.equal(outs.keysWritten, TOP);
        assert.equal(outs.warmth, 1);
        assert.ok(Date.parse(outs.lastWarmedAt) > Date.now() - 60_000);
        assert.equal(await client.get("item:1"), "value-1");
        assert.equal(await client.exists(`item:${TOP + 1}`), 0, "only the top keys");
        const ttl = await client.ttl("item:1");
        assert.ok(ttl >= 540 && ttl <= 660, `ttl ${ttl} within ±10% of 600`);

        const diff = await runProvider(text, { op: "diff", id: created.result!.id, olds: outs, inputs: inputs() });
        assert.deepEqual(diff.result, { changes: true, replaces: [] });

        await client.del("item:1", "item:2", "item:3");
        await client.set("item:4", "written by live traffic");
        const updated = await runProvider(text, {
            op: "update",
            id: created.result!.id,
            olds: outs,
            inputs: inputs(),
        });
        assert.equal(updated.error, undefined, updated.output);
        assert.equal(updated.result!.outs!.keysWritten, 3);
        assert.equal(updated.result!.outs!.skippedPresent, TOP - 3);
        assert.equal(await client.get("item:1"), "value-1");
        assert.equal(await client.get("item:4"), "written by live traffic", "a warm never overwrites live keys");
        for (const answer of [created, diff, updated]) {
            assert.ok(
                !answer.output.includes(TOKEN) && !answer.output.includes(PASSWORD_MARKER),
                "no secret in outputs or logs",
            );
        }
    });

    it("replaces the pre-warm only when it targets another group", async () => {
        const answer = await runProvider(text, {
            op: "diff",
            id: "x",
            olds: { replicationGroupId: "old-group" },
            inputs: inputs(),
        });
        assert.deepEqual(answer.result, { changes: true, replaces: ["replicationGroupId"] });
    });

    const coldInputs = (overrides: Partial<PrewarmInputs> = {}) =>
        inputs({
            redisHost: tiny.host,
            redisPort: tiny.port,
            authToken: undefined,
            query: "SELECT key, repeat('x', 10000) AS value FROM prewarm_items ORDER BY hotness",
            topKeys: 500,
            ...overrides,
        });

    it("fails the deploy with the numbers when the cache stays cold", async () => {
        const answer = await runProvider(text, { op: "create", inputs: coldInputs() });
        assert.match(
            answer.error ?? "",
            /cache is cold: .*Redis refused \d+ of 500 writes.*first: OOM.*warmth 0\.\d{3} < minWarmth 0\.95 \(\d+ of 500 sampled hot keys present\)/,
        );
        assert.ok(!answer.output.includes(TOKEN));
    });

    it("fails with a redacted message when the token is wrong", async () => {
        const answer = await runProvider(text, {
            op: "create",
            inputs: inputs({ authToken: "wrong-token-not-to-be-printed" }),
        });
        assert.ok(answer.error, "rejected");
        assert.ok(!answer.output.includes("wrong-token-not-to-be-printed"), answer.output);
    });

    describe("a cluster-mode group", () => {
        const redis = useRedisCluster({ primaries: 3 });

        it("warms through the configuration endpoint as a Redis Cluster with redisCluster", async () => {
            const [seed] = redis.cluster.nodes;
            const target = { redisHost: seed.host, redisPort: seed.port, authToken: undefined };
            const created = await runProvider(text, {
                op: "create",
                inputs: inputs({ ...target, redisCluster: true }),
            });
            assert.equal(created.error, undefined, created.output);
            assert.equal(created.result!.outs!.keysWritten, TOP);
            assert.equal(created.result!.outs!.warmth, 1);
            for (const key of ["item:1", "item:2", "item:3", `item:${TOP}`])
                assert.equal(await redis.reader.get(key), `value-${key.slice(5)}`, key);
            // Every primary holds part of the keys: they went by slot, not all to the seed node.
            const primaries = redis.cluster.nodes.map((node) => new Redis({ host: node.host, port: node.port }));
            try {
                const sizes = await Promise.all(primaries.map((node) => node.dbsize()));
                assert.ok(
                    sizes.every((size) => size > 0),
                    `keys per node: ${sizes.join(", ")}`,
                );
            } finally {
                for (const node of primaries) node.disconnect();
            }
        });
    });

    describe("a database that checks the password", () => {
        // Percent signs and URL delimiters: what an RDS-generated password may hold.
        const PASSWORD = 'p%41ss@w:rd/#?"never-printed';
        let guarded: PostgresServer;

        before(async () => {
            guarded = await startPostgres({ passwordRoles: ["warmer"] });
            const db = new Client({
                host: guarded.host,
                port: guarded.port,
                user: guarded.user,
                database: guarded.database,
            });
            await db.connect();
            await db.query(
                `CREATE TABLE prewarm_items AS SELECT 'item:' || g AS key, 'value-' || g AS value, g AS hotness FROM generate_series(1, 100) g`,
            );
            await db.query(
                `CREATE ROLE warmer LOGIN PASSWORD '${PASSWORD.replace(/'/g, "''")}'; GRANT SELECT ON prewarm_items TO warmer`,
            );
            await db.end();
        });
        after(() => guarded?.stop());

        const guardedInputs = (password: string) =>
            inputs({
                sourceHost: guarded.host,
                sourcePort: guarded.port,
                database: guarded.database,
                user: "warmer",
                password,
                topKeys: 100,
            });

        it("logs in with the password exactly as given", async () => {
            await client.flushdb();
            const answer = await runProvider(text, { op: "create", inputs: guardedInputs(PASSWORD) });
            assert.equal(answer.error, undefined, answer.output.replace(PASSWORD, "***"));
            assert.equal(answer.result!.outs!.keysWritten, 100);
        });

        it("fails on a wrong password without printing either", async () => {
            const wrong = "wrong%20password-also-never-printed";
            const answer = await runProvider(text, { op: "create", inputs: guardedInputs(wrong) });
            assert.match(answer.error ?? "", /password authentication failed for user "warmer"/);
            assert.ok(
                ![PASSWORD, wrong, encodeURIComponent(wrong)].some((p) => answer.output.includes(p)),
                answer.output,
            );
        });
    });

    describe("lambda mode", () => {
        let lambda: http.Server;
        const invocations: Array<{ path: string; payload: PrewarmInputs }> = [];
        let handler: (event: PrewarmInputs) => Promise<PrewarmOutputs>;

        before(async () => {
            // The function's code is the same bundle; this server answers like the Lambda Invoke API and runs it.
            const { Module } = require("node:module");
            const mod = new Module("warmer-function");
            mod._compile(runtimeBundle(), "warmer-function.js");
            handler = mod.exports.handler;
            lambda = http.createServer((req, res) => {
                let body = "";
                req.on("data", (c) => (body += c));
                req.on("end", async () => {
                    const payload = JSON.parse(body) as PrewarmInputs;
                    invocations.push({ path: req.url ?? "", payload });
                    try {
                        const result = await handler(payload);
                        res.writeHead(200, {
                            "content-type": "application/json",
                            "x-amz-executed-version": "$LATEST",
                        }).end(JSON.stringify(result));
                    } catch (err) {
                        res.writeHead(200, {
                            "content-type": "application/json",
                            "x-amz-function-error": "Unhandled",
                        }).end(
                            JSON.stringify({ errorType: (err as Error).name, errorMessage: (err as Error).message }),
                        );
                    }
                });
            });
            await new Promise<void>((resolve) => lambda.listen(0, "127.0.0.1", resolve));
        });
        after(() => new Promise((resolve) => lambda.close(resolve)));

        const lambdaEnv = () => ({
            AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`,
            AWS_ACCESS_KEY_ID: "AKIDTEST",
            AWS_SECRET_ACCESS_KEY: "test-secret",
            AWS_EC2_METADATA_DISABLED: "true",
        });

        it("invokes the warmer function synchronously and returns its report", async () => {
            await client.flushdb();
            const answer = await runProvider(
                text,
                {
                    op: "create",
                    inputs: inputs({ mode: "lambda", functionName: "warmstack-warmer", region: "us-east-1" }),
                },
                lambdaEnv(),
            );
            assert.equal(answer.error, undefined, answer.output);
            assert.equal(answer.result!.outs!.keysWritten, TOP);
            assert.equal(await client.dbsize(), TOP);
            const [call] = invocations.slice(-1);
            assert.equal(call.path, "/2015-03-31/functions/warmstack-warmer/invocations");
            assert.equal(call.payload.query, inputs().query);
        });

        it("turns a function error into a failed deploy with the function's message", async () => {
            const answer = await runProvider(
                text,
                {
                    op: "create",
                    inputs: coldInputs({ mode: "lambda", functionName: "warmstack-warmer", region: "us-east-1" }),
                },
                lambdaEnv(),
            );
            assert.match(
                answer.error ?? "",
                /warmer function warmstack-warmer failed: cache is cold: .*warmth 0\.\d{3} < minWarmth 0\.95/,
            );
        });
    });
});
