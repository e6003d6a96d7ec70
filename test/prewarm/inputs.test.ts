// The pure half of the pre-warm's inputs: what the engine and the replica warm are given, the outputs, and the
// Scheduler's payload. In-process, so mutation testing reaches them (the provider runs them in a bundle).
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "pg-connection-string";
import type { WarmReport } from "../../warmers/engine/report";
import {
    NOT_SCHEDULED,
    PREWARM_OUTPUT_FIELDS,
    PREWARM_RESULT_FIELDS,
    PrewarmInputs,
    isScheduled,
    scheduledWarm,
} from "../../model/prewarm-contract";
import { databaseUrl, outputsOf, warmOptionsFor } from "../../warmers/prewarm/inputs";

const INPUTS: PrewarmInputs = {
    replicationGroupId: "cache-group",
    redisHost: "master.cache.example",
    redisPort: 6380,
    redisTls: true,
    authToken: "token-1",
    sourceHost: "replica-1.db.example",
    sourcePort: 5433,
    database: "app",
    user: "warmstack_warmer",
    password: "pw",
    sourceSsl: "require",
    query: "SELECT key, value FROM hot",
    topKeys: 1000,
    ttlSeconds: 600,
    ttlJitter: 0.1,
    minWarmth: 0.9,
    mode: "lambda",
    functionName: "warmer",
    region: "eu-west-1",
    timeoutSeconds: 300,
    trigger: "2026-12-02T00:00:00.000Z",
    primaryHost: "primary.db.example",
    replicaHosts: ["replica-1.db.example", "replica-2.db.example"],
    relations: ["catalog.products"],
    adminUser: "postgres",
    adminPassword: "master-pw",
    agentUser: "warmstack_agent",
    agentPassword: "agent-pw",
};

describe("pre-warm inputs", () => {
    it("gives pg the role and password exactly as given, whatever they hold", () => {
        fc.assert(
            fc.property(fc.string({ minLength: 1 }), fc.string(), (user, password) => {
                const parsed = parse(databaseUrl(INPUTS, "db.example", user, password));
                assert.equal(parsed.user, user);
                assert.equal(parsed.password ?? "", password);
                assert.deepEqual([parsed.host, parsed.port, parsed.database], ["db.example", "5433", "app"]);
            }),
        );
    });

    it("turns sourceSsl into the sslmode pg uses: TLS without a CA bundle, or none", () => {
        assert.deepEqual(parse(databaseUrl(INPUTS, "h", "u", undefined)).ssl, { rejectUnauthorized: false });
        assert.equal(parse(databaseUrl({ ...INPUTS, sourceSsl: "disable" }, "h", "u", undefined)).ssl, false);
        assert.equal(new URL(databaseUrl(INPUTS, "h", "u", undefined)).password, "", "no password, none in the URL");
    });

    it("gives the engine the reader, the warmer role, TLS to Redis and every number", () => {
        const options = warmOptionsFor(INPUTS);
        const source = parse(options.source as string);
        assert.deepEqual(
            [source.host, source.user, source.password],
            ["replica-1.db.example", "warmstack_warmer", "pw"],
        );
        assert.deepEqual(
            { ...options, source: undefined },
            {
                source: undefined,
                query: INPUTS.query,
                redis: "rediss://master.cache.example:6380",
                password: "token-1",
                cluster: false,
                top: 1000,
                ttl: 600,
                jitter: 0.1,
                minWarmth: 0.9,
            },
        );
        const plain = warmOptionsFor({ ...INPUTS, redisTls: false, authToken: undefined });
        assert.equal(plain.redis, "redis://master.cache.example:6380");
        assert.ok(!("password" in plain));
    });

    it("warms a cluster-mode group as a Redis Cluster, on the deploy and at the scheduled instant", () => {
        assert.equal(warmOptionsFor({ ...INPUTS, redisCluster: true }).cluster, true);
        const payload = scheduledWarm({ ...INPUTS, redisCluster: true }, {});
        assert.equal(payload.redisCluster, true, "the scheduled payload keeps the flag");
        assert.equal(warmOptionsFor({ ...payload, mode: "direct", trigger: "scheduled" }).cluster, true);
    });

    it("reports every figure of the warm under the one list of output fields", () => {
        const report = {
            rowsRead: 10,
            keysWritten: 7,
            skipped: { present: 1, duplicate: 2, null: 3, tooLarge: 4 },
            errors: 5,
            warmth: 0.97,
            durationMs: 123,
            keysPerSecond: 56,
            oldestValueAgeMs: 89,
        } as WarmReport;
        const blocks = { "replica-1.db.example:5432": { "catalog.products": 12 } };
        const at = new Date("2026-12-02T04:00:00Z");
        assert.deepEqual(outputsOf(INPUTS, report, blocks, at), {
            replicationGroupId: "cache-group",
            rowsRead: 10,
            keysWritten: 7,
            skippedPresent: 1,
            skippedDuplicate: 2,
            skippedNull: 3,
            skippedTooLarge: 4,
            errors: 5,
            warmth: 0.97,
            durationMs: 123,
            keysPerSecond: 56,
            oldestValueAgeMs: 89,
            lastWarmedAt: "2026-12-02T04:00:00.000Z",
            blocksLoaded: blocks,
        });
        assert.deepEqual(Object.keys(outputsOf(INPUTS, report, {}, at)).sort(), [...PREWARM_OUTPUT_FIELDS].sort());
        assert.equal(outputsOf(INPUTS, { ...report, oldestValueAgeMs: undefined }, {}, at).oldestValueAgeMs, 0);
        assert.deepEqual(
            PREWARM_RESULT_FIELDS,
            PREWARM_OUTPUT_FIELDS.filter((f) => f !== "replicationGroupId"),
        );
    });

    it("declares as unknown until the provider answers every output but the group, which the inputs already give", () => {
        // The list is computed when the module loads, so it is read from a fresh load of it here: a mutation run
        // (docs/mutation.md) switches a mutant on inside a test, after the module was first loaded and cached.
        const file = require.resolve("../../model/prewarm-contract");
        const cached = require.cache[file];
        delete require.cache[file];
        try {
            const fresh: typeof import("../../model/prewarm-contract") = require(file);
            assert.deepEqual(fresh.PREWARM_RESULT_FIELDS, [
                "rowsRead",
                "keysWritten",
                "skippedPresent",
                "skippedDuplicate",
                "skippedNull",
                "skippedTooLarge",
                "errors",
                "warmth",
                "durationMs",
                "keysPerSecond",
                "oldestValueAgeMs",
                "lastWarmedAt",
                "blocksLoaded",
            ]);
            assert.deepEqual(fresh.PREWARM_RESULT_FIELDS, PREWARM_RESULT_FIELDS);
        } finally {
            require.cache[file] = cached;
        }
    });

    it("builds a scheduled payload with no secret, no master user and no primary, secrets named by ARN", () => {
        const arns = { passwordSecretArn: "arn:pw", authTokenSecretArn: "arn:token" };
        const payload = scheduledWarm(INPUTS, arns);
        assert.ok(isScheduled(payload));
        assert.ok(!isScheduled(INPUTS));
        for (const field of NOT_SCHEDULED) assert.ok(!(field in payload), field);
        const text = JSON.stringify(payload);
        for (const secret of ["token-1", '"pw"', "master-pw", "agent-pw", "postgres", "primary.db.example"])
            assert.ok(!text.includes(secret), secret);
        assert.deepEqual(
            { ...payload },
            {
                kind: "scheduled",
                replicationGroupId: "cache-group",
                redisHost: "master.cache.example",
                redisPort: 6380,
                redisTls: true,
                sourceHost: "replica-1.db.example",
                sourcePort: 5433,
                database: "app",
                user: "warmstack_warmer",
                sourceSsl: "require",
                query: INPUTS.query,
                topKeys: 1000,
                ttlSeconds: 600,
                ttlJitter: 0.1,
                minWarmth: 0.9,
                region: "eu-west-1",
                timeoutSeconds: 300,
                replicaHosts: INPUTS.replicaHosts,
                relations: INPUTS.relations,
                ...arns,
            },
        );
    });
});
