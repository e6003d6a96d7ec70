// The data tier under mocks, for every committed stack: the database with its least-privilege roles, the cache
// (one shard, or cluster mode when the hot set needs it), and every secret kept secret wherever it goes.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { AGENT_USERNAME, MASTER_USERNAME, WARMER_USERNAME } from "../../infra/database";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { CACHE_TAGS, TAGS } from "../../policies/shared/contract";
import { PREWARM_SECRET_INPUTS } from "../../model/prewarm-contract";
import { CachePrewarm } from "../../infra/providers/cache-prewarm";
import {
    BUILT_STACKS,
    editedConfig,
    NOW,
    primaryOf,
    ProgramRun,
    replicasOf,
    runProgram,
    stackConfig,
    T,
    userDataOf,
    plannedStack,
    planOf,
} from "../support/pulumi";

const runStack = (stack: string) => runProgram(stackConfig(stack), () => warmstackFromPulumiConfig(NOW), stack);

/** Every secret text the run knows: generated passwords and tokens, and the RDS-managed master password. */
function secretTexts(run: ProgramRun): string[] {
    const master = `rds-managed-password-for-${primaryOf(run).state.masterUserSecrets[0].secretArn}`;
    return [...run.ofType(T.password).map((p) => p.state.result as string), master];
}

for (const stack of BUILT_STACKS) {
    describe(`program under mocks: data tier of stack ${stack}`, () => {
        let run: ProgramRun;
        const expected = plannedStack(stack).plan;
        before(async () => {
            run = await runStack(stack);
        });

        it("builds the primary and the planned replicas, replicas pointing at the primary", () => {
            const primary = primaryOf(run);
            const replicas = replicasOf(run);
            assert.equal(replicas.length, expected.database.replicas);
            for (const r of replicas) assert.equal(r.inputs.replicateSourceDb, primary.state.identifier);
            for (const d of run.ofType(T.rds)) {
                assert.equal(d.inputs.storageEncrypted, true);
                assert.equal(d.inputs.publiclyAccessible, false);
                assert.equal(d.inputs.parameterGroupName, run.one(T.params).state.name);
            }
            assert.equal(primary.inputs.manageMasterUserPassword, true);
            assert.equal(primary.inputs.username, MASTER_USERNAME);
            assert.equal(primary.inputs.password, undefined, "no password in the program");
            assert.ok(primary.inputs.backupRetentionPeriod > 0, "replicas need backups");
            assert.equal(primary.inputs.dbSubnetGroupName, run.one(T.rdsSubnets).state.name);
        });

        it("protects the primary from deletion and names its final snapshot after the project and stack", () => {
            const primary = primaryOf(run);
            assert.equal(primary.inputs.deletionProtection, true);
            assert.equal(primary.inputs.finalSnapshotIdentifier, `warmstack-${stack}-db-final`);
            assert.notEqual(primary.inputs.skipFinalSnapshot, true);
        });

        it("preloads pg_prewarm with autoprewarm on and pins max_connections to the planned budget", () => {
            const params = Object.fromEntries(run.one(T.params).inputs.parameters.map((p: any) => [p.name, p.value]));
            assert.equal(params.shared_preload_libraries, "pg_prewarm");
            assert.equal(params["pg_prewarm.autoprewarm"], "1");
            assert.equal(params.max_connections, String(expected.database.maxConnections));
        });

        it("generates the warmer's and the agent's passwords and keeps each in its own secret, as a secret", () => {
            for (const [name, user] of [
                ["db-warmer", WARMER_USERNAME],
                ["db-agent", AGENT_USERNAME],
            ]) {
                const password = run.one(T.password, name).state.result;
                const version = run.one(T.secretVersion, name);
                assert.equal(version.inputs.secretId, run.one(T.secret, name).id);
                assert.deepEqual(JSON.parse(version.inputs.secretString), { username: user, password });
                assert.ok(version.secretInputs.includes("secretString"), `${name}: secret in the state`);
            }
        });

        it("builds a Multi-AZ, encrypted, single-shard Redis group with a secret auth token", () => {
            const redis = run.one(T.redis);
            assert.equal(expected.cache.clusterMode, false, "the committed stacks fit one shard");
            assert.equal(redis.inputs.numCacheClusters, expected.cache.nodes);
            assert.equal(redis.inputs.numNodeGroups, undefined);
            assert.ok(expected.cache.nodes >= 2);
            for (const flag of [
                "automaticFailoverEnabled",
                "multiAzEnabled",
                "atRestEncryptionEnabled",
                "transitEncryptionEnabled",
            ]) {
                assert.equal(redis.inputs[flag], true, flag);
            }
            assert.equal(redis.inputs.authToken, run.one(T.password, "cache-auth-token").state.result);
            assert.ok(redis.secretInputs.includes("authToken"), "the auth token reaches the engine as a secret");
            assert.equal(redis.inputs.subnetGroupName, run.one(T.cacheSubnets).state.name);
        });

        it("tags the group with the hot set's bytes and the event, for the pack", () => {
            const tags = run.one(T.redis).inputs.tags;
            assert.equal(tags[CACHE_TAGS.hotSetBytes], String(expected.cache.hotSetBytes));
            assert.equal(tags[TAGS.event], expected.event?.name);
            assert.equal(tags[TAGS.eventStart], expected.event?.start);
        });

        it("keeps the auth token in Secrets Manager for the agents, as a secret in the state", () => {
            const version = run.one(T.secretVersion, "cache-auth-token");
            assert.equal(version.inputs.secretString, run.one(T.password, "cache-auth-token").state.result);
            assert.ok(version.secretInputs.includes("secretString"));
            assert.equal(version.inputs.secretId, run.one(T.secret, "cache-auth-token").id);
        });

        it("keeps every secret's text inside secret inputs only, in every resource and output", () => {
            const secrets = secretTexts(run);
            for (const resource of run.resources) {
                for (const [key, value] of Object.entries(resource.inputs)) {
                    if (resource.secretInputs.includes(key) || key === "__provider") continue;
                    const text = JSON.stringify(value) ?? "";
                    for (const secret of secrets) {
                        assert.ok(!text.includes(secret), `${resource.type} ${resource.name}: ${key} holds a secret`);
                    }
                }
                if (resource.inputs.__provider) {
                    for (const secret of secrets) assert.ok(!resource.inputs.__provider.includes(secret));
                }
            }
            const outputs = JSON.stringify(run.outputs);
            for (const secret of secrets) assert.ok(!outputs.includes(secret), "a secret in the stack outputs");
        });
    });
}

describe("program under mocks: cluster mode", () => {
    it("deploys cluster mode with the planned shards for 50M entries of 600 bytes on cache.r7g.large", async () => {
        // A warm of 50M keys needs a lead beyond the default 30 minutes (the plan says so when it is missing).
        const config = editedConfig("baseline", {
            cache: (cache) => ({
                ...cache,
                nodeType: "cache.r7g.large",
                prewarm: { ...cache.prewarm, topKeys: 50_000_000, avgEntryBytes: 600, leadMinutes: 45 },
            }),
        });
        const expected = planOf(config);
        assert.equal(expected.cache.clusterMode, true);
        assert.ok(expected.cache.shards > 1);
        const run = await runProgram(config, () => warmstackFromPulumiConfig(NOW));
        const redis = run.one(T.redis);
        assert.equal(redis.inputs.numNodeGroups, expected.cache.shards);
        assert.equal(redis.inputs.replicasPerNodeGroup, expected.cache.replicasPerShard);
        assert.equal(redis.inputs.numCacheClusters, undefined);
        assert.equal(redis.inputs.parameterGroupName, "default.redis7.cluster.on");
        assert.equal(redis.inputs.automaticFailoverEnabled, true);
        assert.equal(redis.inputs.multiAzEnabled, true);
        assert.equal(redis.inputs.tags[CACHE_TAGS.hotSetBytes], String(expected.cache.hotSetBytes));
        // Clients reach a cluster through its configuration endpoint.
        const endpoint = redis.state.configurationEndpointAddress;
        assert.equal(run.one(T.prewarm).inputs.redisHost, endpoint);
        assert.equal(run.outputs.cacheEndpoint, endpoint);
        assert.equal(run.outputs.cacheClusterMode, true);
        // Both the pre-warm and the instances' agent speak cluster to it.
        assert.equal(run.one(T.prewarm).inputs.redisCluster, true);
        assert.equal(JSON.parse(userDataOf(run).agentConfig).redis.cluster, true);
    });
});

describe("program under mocks: CachePrewarm keeps its secrets secret", () => {
    it("makes plain passwords and tokens secret whatever the caller passes", async () => {
        const plain = Object.fromEntries(PREWARM_SECRET_INPUTS.map((field) => [field, `plain-${field}`]));
        const run = await runProgram({}, () => {
            new CachePrewarm("direct", {
                replicationGroupId: "group",
                redisHost: "cache.example",
                redisPort: 6379,
                redisTls: true,
                sourceHost: "replica.example",
                sourcePort: 5432,
                sourceSsl: "require",
                database: "app",
                user: "warmer",
                query: "SELECT 1",
                topKeys: 1,
                ttlSeconds: 60,
                ttlJitter: 0,
                minWarmth: 0,
                mode: "direct",
                ...plain,
            });
            return {};
        });
        const prewarm = run.one(T.prewarm);
        assert.deepEqual(prewarm.secretInputs.filter((k) => k in plain).sort(), [...PREWARM_SECRET_INPUTS].sort());
        assert.ok(!pulumi.Output.isInstance(prewarm.inputs.password));
    });
});
