import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentConfigError, AgentConfigFile, parseAgentConfig } from "../../model/agent-config";
import { loadAgentConfig } from "../../warmers/agent/config-file";

const MINIMAL: AgentConfigFile = {
    autoScalingGroupName: "warmstack-launch-app",
    lifecycleHookName: "warmstack-launch",
    postgres: {
        writer: {
            host: "db.example.internal",
            database: "app",
            user: "app",
            password: { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1" },
        },
        readers: [{ host: "replica-1.example.internal" }],
        poolSize: { writer: 8, readerPerReplica: 4 },
    },
};

function rejection(fn: () => unknown): AgentConfigError {
    try {
        fn();
    } catch (err) {
        assert.ok(err instanceof AgentConfigError, `expected an AgentConfigError, got ${err}`);
        return err;
    }
    assert.fail("expected the config to be rejected");
}

describe("agent config", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-agent-config-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("loads a file and fills in the defaults", () => {
        const file = path.join(dir, "ok.json");
        fs.writeFileSync(file, JSON.stringify(MINIMAL));
        const config = loadAgentConfig(file);
        assert.equal(config.postgres?.writer.port, 5432);
        assert.equal(config.postgres?.readers[0].port, 5432);
        assert.equal(config.timeouts.overallMs, 240_000);
        assert.deepEqual(config.app.warmUp, []);
        assert.deepEqual(config.dns.hosts, []);
        assert.deepEqual(config.watch, { pollMs: 5000 });
    });

    it("connects to Redis as a standalone server unless redis.cluster says true, and takes only a boolean", () => {
        const redis = { host: "cache" };
        assert.equal(parseAgentConfig({ ...MINIMAL, redis }, "f").redis?.cluster, false);
        assert.equal(parseAgentConfig({ ...MINIMAL, redis: { ...redis, cluster: true } }, "f").redis?.cluster, true);
        const err = rejection(() => parseAgentConfig({ ...MINIMAL, redis: { ...redis, cluster: "yes" } }, "f"));
        assert.deepEqual(err.problems, ["redis.cluster: Invalid input: expected boolean, received string"]);
    });

    it("fails at once on a missing file, naming the path", () => {
        const file = path.join(dir, "absent.json");
        const err = rejection(() => loadAgentConfig(file));
        assert.equal(err.source, file);
        assert.match(err.message, new RegExp(`^${file}: invalid agent config\\n  - cannot read the file: ENOENT`));
    });

    it("fails on malformed JSON, naming the path", () => {
        const file = path.join(dir, "broken.json");
        fs.writeFileSync(file, '{"autoScalingGroupName": "g",');
        const err = rejection(() => loadAgentConfig(file));
        assert.ok(err.message.startsWith(`${file}: invalid agent config`));
        assert.match(err.problems[0], /^not valid JSON: /);
    });

    it("names every unknown key with its path, at any depth", () => {
        const err = rejection(() =>
            parseAgentConfig(
                {
                    ...MINIMAL,
                    regoin: "us-east-1",
                    postgres: { ...MINIMAL.postgres, writer: { ...MINIMAL.postgres!.writer, hots: "x" } },
                    app: { warmUp: [{ url: "http://127.0.0.1:8080/", count: 1, method: "POST" }] },
                    watch: { pollMS: 1000 },
                },
                "/etc/warmstack/agent.json",
            ),
        );
        assert.deepEqual(err.problems.sort(), [
            "app.warmUp[0].method: unknown key",
            "postgres.writer.hots: unknown key",
            "regoin: unknown key",
            "watch.pollMS: unknown key",
        ]);
        assert.match(err.message, /^\/etc\/warmstack\/agent\.json: invalid agent config/);
    });

    it("refuses inline secrets and ambiguous secret sources", () => {
        const inline = rejection(() =>
            parseAgentConfig({ ...MINIMAL, redis: { host: "cache", authToken: "hunter2-token" } }, "user data"),
        );
        assert.deepEqual(inline.problems, [
            "redis.authToken: inline secrets are not allowed: give { secretArn } or { env }",
        ]);
        assert.ok(!inline.message.includes("hunter2"), "the rejected value must not be echoed");
        const ambiguous = { env: "TOKEN", secretArn: "arn:aws:secretsmanager:x" };
        const both = rejection(() =>
            parseAgentConfig({ ...MINIMAL, redis: { host: "cache", authToken: ambiguous } }, "user data"),
        );
        assert.deepEqual(both.problems, ["redis.authToken: give exactly one of secretArn or env"]);
    });

    it("reports bad values with their path, missing keys included", () => {
        const postgres = { ...MINIMAL.postgres!, poolSize: { writer: 0, readerPerReplica: 1 } };
        const err = rejection(() =>
            parseAgentConfig(
                { ...MINIMAL, lifecycleHookName: undefined, timeouts: { dnsMs: -1 }, postgres, watch: { pollMs: 0 } },
                "f.json",
            ),
        );
        const keys = err.problems.map((p) => p.split(":")[0]).sort();
        assert.deepEqual(keys, ["lifecycleHookName", "postgres.poolSize.writer", "timeouts.dnsMs", "watch.pollMs"]);
    });
});
