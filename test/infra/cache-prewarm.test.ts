// The CachePrewarm resource under Pulumi's mocks: what it registers, whatever its caller passes.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { PREWARM_OUTPUT_FIELDS, PREWARM_SECRET_INPUTS } from "../../model/prewarm-contract";
import { CachePrewarm, CachePrewarmArgs } from "../../infra/providers/cache-prewarm";
import { runProgram } from "../support/pulumi";

const TYPE = "pulumi-nodejs:dynamic/warmstack:CachePrewarm";

const ARGS: CachePrewarmArgs = {
    replicationGroupId: "cache-group",
    redisHost: "master.cache.example",
    redisPort: 6379,
    redisTls: true,
    authToken: "plain-auth-token",
    sourceHost: "replica-1.db.example",
    sourcePort: 5432,
    database: "app",
    user: "warmstack_warmer",
    password: "plain-warmer-password",
    sourceSsl: "require",
    query: "SELECT key, value FROM hot",
    topKeys: 10,
    ttlSeconds: 600,
    ttlJitter: 0.1,
    minWarmth: 0.9,
    mode: "direct",
    primaryHost: "primary.db.example",
    adminUser: "postgres",
    adminPassword: "plain-master-password",
    agentUser: "warmstack_agent",
    agentPassword: "plain-agent-password",
};

describe("CachePrewarm resource", function () {
    this.timeout(60_000);

    it("keeps every password and token secret even when the caller passes plain strings", async () => {
        const run = await runProgram({}, () => ({ warmth: new CachePrewarm("prewarm", ARGS).warmth }));
        const prewarm = run.one(TYPE);
        assert.deepEqual([...prewarm.secretInputs].sort(), [...PREWARM_SECRET_INPUTS].sort());
        for (const field of PREWARM_SECRET_INPUTS) assert.equal(prewarm.inputs[field], ARGS[field]);
    });

    it("fills in the defaults and a fresh trigger, so every up warms again", async () => {
        const run = await runProgram({}, () => ({ warmth: new CachePrewarm("prewarm", ARGS).warmth }));
        const inputs = run.one(TYPE).inputs;
        assert.deepEqual([inputs.replicaHosts, inputs.relations, inputs.timeoutSeconds], [[], [], 600]);
        assert.ok(Date.parse(inputs.trigger) > Date.now() - 60_000);
    });

    it("has an Output for every field of the one output list", async () => {
        await runProgram({}, () => {
            const prewarm = new CachePrewarm("prewarm", ARGS);
            for (const field of PREWARM_OUTPUT_FIELDS) assert.ok(pulumi.Output.isInstance(prewarm[field]), field);
            return {};
        });
    });
});
