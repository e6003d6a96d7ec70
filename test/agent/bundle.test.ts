// The agent as instances get it: one file, copied alone into an empty folder (no node_modules anywhere above
// it), run by plain Node against real PostgreSQL and Redis and loopback stand-ins for IMDS, Secrets Manager
// and Auto Scaling, taking the instance role's credentials from IMDS as on EC2.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { agentBundle } from "../../infra/bundles";
import { AgentConfigFile } from "../../model/agent-config";
import { runBareNode } from "../support/run-node";
import { PostgresServer, RedisServer, startRedis, testPostgres } from "../support/servers";
import { fakeAutoScaling, fakeImds, fakeSecretsManager } from "./endpoints";

const INSTANCE = { instanceId: "i-0fedcba9876543210", region: "us-east-1" };
const TOKEN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cache-token";
const PG_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-role";
const REDIS_TOKEN = "bundle-test-redis-token";

describe("agent bundle: one file that runs alone", function () {
    this.timeout(60_000);
    let dir: string;
    let file: string;
    let pg: PostgresServer;
    let redis: RedisServer;

    before(async () => {
        const bundle = agentBundle();
        assert.equal(createHash("sha256").update(bundle.code).digest("hex"), bundle.sha256);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-agent-alone-"));
        file = path.join(dir, "warmstack-agent.js");
        fs.writeFileSync(file, bundle.code);
        [pg, redis] = await Promise.all([testPostgres(), startRedis({ args: ["--requirepass", REDIS_TOKEN] })]);
    });

    after(async () => {
        await redis?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is alone in its folder, with no node_modules on the way up", () => {
        assert.deepEqual(fs.readdirSync(dir), ["warmstack-agent.js"]);
        for (let up = dir; up !== path.dirname(up); up = path.dirname(up))
            assert.ok(!fs.existsSync(path.join(up, "node_modules")), `${up}/node_modules`);
    });

    it("answers --help with the agent's flags", async () => {
        const run = await runBareNode(file, ["--help"]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /Usage: warmstack-agent/);
        assert.match(run.stdout, /--config <file>/);
        assert.match(run.stdout, /--watch/);
    });

    it("names a bad config file and exits 2, as warmstack agent does", async () => {
        const run = await runBareNode(file, ["--config", path.join(dir, "missing.json")]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /missing\.json: invalid agent config/);
    });

    it("warms real PostgreSQL and Redis pools with secrets read by ARN, then sends CONTINUE", async () => {
        const imds = await fakeImds(INSTANCE);
        const autoScaling = await fakeAutoScaling();
        const sm = await fakeSecretsManager({
            [TOKEN_ARN]: REDIS_TOKEN,
            [PG_ARN]: JSON.stringify({ username: pg.user, password: "trusted-on-loopback" }),
        });
        try {
            const config: AgentConfigFile = {
                autoScalingGroupName: "warmstack-app",
                lifecycleHookName: "warmstack-launch",
                postgres: {
                    writer: {
                        host: pg.host,
                        port: pg.port,
                        database: pg.database,
                        user: pg.user,
                        password: { secretArn: PG_ARN },
                    },
                    readers: [{ host: pg.host, port: pg.port }],
                    poolSize: { writer: 3, readerPerReplica: 2 },
                },
                redis: { host: redis.host, port: redis.port, authToken: { secretArn: TOKEN_ARN } },
                endpoints: { imds: imds.url, autoScaling: autoScaling.url, secretsManager: sm.url },
            };
            const configFile = path.join(dir, "agent.json");
            fs.writeFileSync(configFile, JSON.stringify(config));
            const run = await runBareNode(file, ["--config", configFile], {
                env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url },
            });
            fs.rmSync(configFile);
            assert.equal(run.code, 0, run.stdout + run.stderr);
            assert.match(run.stdout, /postgres writer: ok .*3 connections validated/);
            assert.match(run.stdout, /postgres reader 1: ok .*2 connections validated/);
            assert.match(run.stdout, /redis: ok .*1 connection validated/);
            assert.deepEqual(
                autoScaling.actions.map((a) => [a.get("LifecycleActionResult"), a.get("InstanceId")]),
                [["CONTINUE", INSTANCE.instanceId]],
            );
            assert.ok(!(run.stdout + run.stderr).includes(REDIS_TOKEN));
        } finally {
            await Promise.all([imds.close(), autoScaling.close(), sm.close()]);
        }
    });
});
