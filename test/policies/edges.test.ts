// The smaller policy files at their edges: inputs a comfortable fixture never has (a missing node type or engine,
// a cluster member, an unnamed or unparsable event, a window of zero width) and the full wording a blocked user reads.
import { strict as assert } from "node:assert";
import { cacheFitsHotSet, cacheHaEncrypted, cachePrewarmed, nodeMemoryBytes } from "../../policies/cache";
import { cacheHaConfig, prewarmConfig, rampConfig, settings } from "../../policies/config";
import { TYPES } from "../../policies/shared/contract";
import { tagMapOf } from "../../policies/event";
import { prewarmBeforeEvent, warmWindow } from "../../policies/event-warm";
import { unjudgedResources } from "../../policies/unjudged";
import { group, prewarm, ramp, replicationGroup, resource, START, warmSchedule } from "./fixtures";
import { EngineResource, UNKNOWN } from "./harness";
import { passes, verdicts } from "./verdicts";

/** `r` with `keys` gone from its inputs and its outputs. */
function without(r: EngineResource, ...keys: string[]): EngineResource {
    for (const key of keys) {
        delete r.inputs[key];
        delete r.outputs[key];
    }
    return r;
}

/** `r` with `props` set on its inputs and its outputs. */
function withProps(r: EngineResource, props: Record<string, any>): EngineResource {
    Object.assign(r.inputs, structuredClone(props));
    Object.assign(r.outputs, structuredClone(props));
    return r;
}

/** A scheduled warm named `name`, at `at` (UTC), linked to `cache` by dependency. */
function namedSchedule(cache: EngineResource, name: string, at: string, overrides: Record<string, any> = {}) {
    const schedule = warmSchedule(cache, at, overrides);
    schedule.name = name;
    schedule.urn = schedule.urn.replace(/[^:]+$/, name);
    return schedule;
}

/** An event stack (group, ramp, cache, its CachePrewarm) with `schedules` as the cache's scheduled warms. */
function eventStack(
    cache = replicationGroup(),
    schedules: (cache: EngineResource) => EngineResource[] = (c) => [warmSchedule(c)],
    prewarmOverrides: Record<string, any> = {},
): EngineResource[] {
    const asg = group();
    return [asg, ramp(asg), cache, prewarm(cache, [], prewarmOverrides), ...schedules(cache)];
}

const single = (props: Record<string, any> = {}) =>
    resource(TYPES.cacheCluster, "cache-single", {
        clusterId: "cache-single",
        engine: "redis",
        nodeType: "cache.r7g.large",
        numCacheNodes: 1,
        ...props,
    });

describe("edges of the smaller policy files", () => {
    describe("policies/cache.ts", () => {
        it("cache-ha-encrypted tells a blocked user each fix in full: failover, node count, auth", async () => {
            const cache = without(
                replicationGroup({ automaticFailoverEnabled: false, numCacheClusters: 1, numNodeGroups: 2 }),
                "authToken",
            );
            const v = await verdicts(cacheHaEncrypted, [cache]);
            assert.deepEqual(v.found, ["cache-ha-encrypted mandatory cache-redis"]);
            assert.ok(
                v.messages.endsWith(
                    [
                        "cache-redis:",
                        "  - automatic failover is off: losing the primary drops the cache until a node is replaced " +
                            "— set automaticFailoverEnabled (and multiAzEnabled) to true",
                        // numCacheClusters given: one shard, whatever numNodeGroups says.
                        "  - 1 node(s) hold the data, 2 are needed so a replica can take over — set numCacheClusters " +
                            "to 2 or more (warmstack: cache.replicas)",
                        "  - anyone who reaches the port can read or flush the cache — set an authToken (from a " +
                            "secret) or RBAC userGroupIds",
                    ].join("\n"),
                ),
                v.messages,
            );
        });

        it("cache-ha-encrypted counts one node per shard in cluster mode when replicasPerNodeGroup is left to AWS", async () => {
            const cache = without(replicationGroup({ numNodeGroups: 2 }), "numCacheClusters");
            const v = await verdicts(cacheHaEncrypted, [cache]);
            assert.deepEqual(v.found, ["cache-ha-encrypted mandatory cache-redis"]);
            assert.match(
                v.messages,
                /1 node\(s\) hold each shard's data, 2 are needed so a replica can take over — set replicasPerNodeGroup to 1 or more \(warmstack: cache\.replicas\)/,
            );
        });

        it("cache-ha-encrypted accepts RBAC userGroupIds in place of an auth token", async () => {
            await passes(cacheHaEncrypted, [
                withProps(without(replicationGroup(), "authToken"), { userGroupIds: ["app-users"] }),
            ]);
        });

        it("cache-ha-encrypted tells a single node what it lacks, and does not call it unencrypted when it has TLS", async () => {
            const v = await verdicts(cacheHaEncrypted, [single({ transitEncryptionEnabled: true })]);
            assert.deepEqual(v.found, ["cache-ha-encrypted mandatory cache-single"]);
            assert.ok(
                v.messages.endsWith(
                    [
                        "cache-single:",
                        "  - it is a single node: no replica takes over when it fails, and nothing fails over " +
                            "automatically — deploy an aws.elasticache.ReplicationGroup with automatic failover and a " +
                            "replica instead",
                        "  - a single-node cluster has no at-rest encryption and no auth token: anyone who reaches the " +
                            "port can read or flush it — a replication group has both (atRestEncryptionEnabled, authToken)",
                    ].join("\n"),
                ),
                v.messages,
            );
        });

        it("leaves a cluster member that names its engine to its replication group", async () => {
            await passes(
                [cacheHaEncrypted, cachePrewarmed],
                [single({ replicationGroupId: "cache-redis-1234", engine: "redis" })],
            );
        });

        it("cache-ha-encrypted does not take a serverless or MemoryDB cache for a single-node cluster", async () => {
            await passes(cacheHaEncrypted, [
                resource("aws:elasticache/serverlessCache:ServerlessCache", "edge-cache", { engine: "valkey" }),
                resource("aws:memorydb/cluster:Cluster", "sessions", { engine: "redis", nodeType: "db.r7g.large" }),
            ]);
        });

        it("cache-prewarmed says how to add the CachePrewarm, to its last words", async () => {
            const v = await verdicts(cachePrewarmed, [replicationGroup()]);
            assert.match(
                v.messages,
                /Add a CachePrewarm with replicationGroupId: cache-redis\.id \(and redisHost: its primary endpoint\), created after the database replicas\.$/,
            );
        });

        it("cache-fits-hot-set leaves an untagged cache to unjudged-resources, and says every way to make it fit", async () => {
            const untagged = replicationGroup({ tags: {} });
            await passes(cacheFitsHotSet, [untagged, prewarm(untagged)]);
            const advised = await verdicts(unjudgedResources, [untagged, prewarm(untagged)]);
            assert.match(
                advised.messages,
                /Tag it with that whole number of bytes to be judged \(see the policy contract\), or check by hand that the node memory × shards, less 25 % reserved, holds it\.$/,
            );
            const big = replicationGroup({ tags: { "warmstack:hot-set-bytes": String(20 * 1024 ** 3) } });
            const tooBig = await verdicts(cacheFitsHotSet, [big, prewarm(big)]);
            assert.match(
                tooBig.messages,
                /Use 3 shards of this node type \(cluster mode: numNodeGroups\), a larger node type \(warmstack: cache\.nodeType\), or warm fewer keys \(cache\.prewarm\.topKeys\)\.$/,
            );
        });

        it("nodeMemoryBytes reads a node type only from a string", () => {
            assert.equal(nodeMemoryBytes(["cache.r7g.large"]), undefined);
            assert.equal(nodeMemoryBytes(undefined), undefined);
        });
    });

    describe("policies/event-warm.ts", () => {
        const start = Date.parse(START);

        it("warmWindow without a CachePrewarm: no key life, the default timeout, no earliest instant", () => {
            assert.deepEqual(warmWindow(start, []), {
                earliest: -Infinity,
                latest: start - 600_000,
                lifeSeconds: undefined,
                timeoutSeconds: 600,
            });
            assert.equal(warmWindow(start, [{ props: { timeoutSeconds: 300 } } as any]).lifeSeconds, undefined);
        });

        it("blocks a warm that fires at the start itself, as before the start but too late for the traffic", async () => {
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [warmSchedule(c, "2027-11-26T05:00:00")]),
            );
            assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(
                v.messages,
                /cache-warm-schedule fires at 2027-11-26T05:00:00Z, 0 min before the start: the traffic meets the cache before its warm;/,
            );
            assert.match(
                v.messages,
                /\. Add or move its aws\.scheduler\.Schedule \(warmstack: cache\.prewarm\.leadMinutes sets the lead\)\.$/,
            );
        });

        it("calls a warm at the latest instant too early when the keys outlive no instant", async () => {
            // Keys live 540 s, the warm may take 600 s: earliest 04:51:00Z, latest 04:50:00Z.
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [warmSchedule(c, "2027-11-26T04:50:00")], {
                    ttlSeconds: 600,
                    ttlJitter: 0.1,
                }),
            );
            assert.match(
                v.messages,
                /fires at 2027-11-26T04:50:00Z, 10 min before the start: too early — the keys it writes live 540 s and expire before the start/,
            );
        });

        it("says no instant works when the keys live exactly as long as the warm may take", async () => {
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [warmSchedule(c, "2027-11-26T04:50:00")], {
                    ttlSeconds: 600,
                    ttlJitter: 0,
                }),
            );
            assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(
                v.messages,
                /no instant works: its keys live 600 s, no longer than the warm's timeout of 600 s/,
            );
        });

        it("lists every schedule that misses the window, each with its reason", async () => {
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [
                    namedSchedule(c, "warm-early", "2027-11-26T04:00:00"),
                    namedSchedule(c, "warm-late", "2027-11-26T04:55:00"),
                ]),
            );
            assert.match(
                v.messages,
                /no scheduled warm fires in time for the event blackfriday at 2027-11-26T05:00:00Z: warm-early fires at 2027-11-26T04:00:00Z, 60 min before the start: too early — the keys it writes live 3060 s and expire before the start; warm-late fires at 2027-11-26T04:55:00Z, 5 min before the start: later than the latest safe instant/,
            );
        });

        it("names a schedule without a flexible window as unset", async () => {
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => [without(warmSchedule(c), "flexibleTimeWindow")]),
            );
            assert.match(
                v.messages,
                /cache-warm-schedule: its flexibleTimeWindow\.mode is unset: set it to OFF, or it may fire late/,
            );
        });

        it("does not link a schedule whose payload is not JSON, or names no id while the cache's is unknown", async () => {
            const notJson = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup(), (c) => {
                    const s = warmSchedule(c);
                    s.propertyDependencies = {};
                    s.dependencies = [];
                    s.inputs.target.input = s.outputs.target.input = "warm cache-redis-1234";
                    return [s];
                }),
            );
            assert.deepEqual(notJson.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(
                notJson.messages,
                /no scheduled warm \(an aws:scheduler\/schedule:Schedule whose target input names this cache\)/,
            );
            const unknownId = await verdicts(
                prewarmBeforeEvent,
                eventStack(replicationGroup({ replicationGroupId: UNKNOWN }), (c) => {
                    const s = warmSchedule(c);
                    s.propertyDependencies = {};
                    s.dependencies = [];
                    s.inputs.target.input = s.outputs.target.input = JSON.stringify({});
                    return [s];
                }),
            );
            assert.deepEqual(unknownId.found, ["prewarm-before-event mandatory cache-redis"]);
        });

        it("blocks a cache whose event start is not a date-time, saying how to write it", async () => {
            const cache = replicationGroup();
            cache.inputs.tags["warmstack:event-start"] = cache.outputs.tags["warmstack:event-start"] = "Black Friday";
            const v = await verdicts(prewarmBeforeEvent, eventStack(cache));
            assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(
                v.messages,
                /\ncache-redis: the event start "Black Friday" is not a date-time; write it like 2027-11-26T05:00:00Z\.$/,
            );
        });

        it("needs the schedule when the deploy is exactly at the earliest instant, not a millisecond later", async () => {
            // Keys live 3060 s: a key written at start − 3060 s expires at the start itself.
            const stack = eventStack(replicationGroup(), () => []);
            const realNow = Date.now;
            try {
                Date.now = () => start - 3060_000;
                assert.deepEqual((await verdicts(prewarmBeforeEvent, stack)).found, [
                    "prewarm-before-event mandatory cache-redis",
                ]);
                Date.now = () => start - 3060_000 + 1;
                await passes(prewarmBeforeEvent, stack);
            } finally {
                Date.now = realNow;
            }
        });
    });

    describe("policies/event.ts", () => {
        it("tagMapOf keeps only the tags whose value is a string", () => {
            assert.deepEqual(
                tagMapOf({ tags: { "warmstack:event": "blackfriday", size: 5, owner: null } }),
                new Map([["warmstack:event", "blackfriday"]]),
            );
        });

        it("takes the event from the group that carries it, past a group that carries none", async () => {
            const batch = resource(TYPES.group, "batch-group", {
                name: "batch-group",
                minSize: 1,
                maxSize: 1,
                tags: [],
            });
            const v = await verdicts(prewarmBeforeEvent, [batch, ...eventStack(replicationGroup(), () => [])]);
            assert.deepEqual(v.found, ["prewarm-before-event mandatory cache-redis"]);
            assert.match(v.messages, /runs before the event blackfriday at 2027-11-26T05:00:00Z/);
        });

        it("names an event without a name by its start alone", async () => {
            const cache = replicationGroup();
            cache.inputs.tags["warmstack:event-start"] = cache.outputs.tags["warmstack:event-start"] = START;
            const v = await verdicts(
                prewarmBeforeEvent,
                eventStack(cache, () => []),
            );
            assert.match(v.messages, /runs before the event at 2027-11-26T05:00:00Z;/);
        });
    });

    describe("policies/unjudged.ts", () => {
        it("tells the user to check an unjudged kind by hand, to the last words", async () => {
            const v = await verdicts(unjudgedResources, [
                resource("aws:dynamodb/table:Table", "carts", { billingMode: "PAY_PER_REQUEST" }),
            ]);
            assert.match(
                v.messages,
                /\ncarts is a DynamoDB table: the pack cannot judge whether it is warm, replicated and sized for the peak\. Check it by hand before the event — its warm, its capacity and its connections — or use a kind the pack reads \(see its README\)\.$/,
            );
        });

        it("names a cluster whose engine is unknown at preview as one of engine unknown", async () => {
            const v = await verdicts(unjudgedResources, [single({ engine: UNKNOWN })]);
            assert.deepEqual(v.found, ["unjudged-resources advisory cache-single"]);
            assert.match(
                v.messages,
                /cache-single is an ElastiCache \(engine unknown\) cluster \(the pack judges Redis and Valkey\)/,
            );
        });

        it("advises on a single-node Redis cluster of a node type the table does not list", async () => {
            const v = await verdicts(unjudgedResources, [single({ nodeType: "cache.x9.huge" })]);
            assert.deepEqual(v.found, ["unjudged-resources advisory cache-single"]);
            assert.match(
                v.messages,
                /cache-single runs node type cache\.x9\.huge, .* Check that the node's memory × shards, less 25 % reserved, holds the hot set, or use a node type the table lists\.$/,
            );
        });

        it("says nothing about a group member's node type, nor a group whose node type is not given", async () => {
            await passes(unjudgedResources, [
                single({ replicationGroupId: "cache-redis-1234", engine: undefined, nodeType: "cache.x9.huge" }),
                without(replicationGroup(), "nodeType"),
            ]);
        });
    });

    describe("policies/config.ts", () => {
        const configured = (config: object) => ({ getConfig: <T extends object>() => config as T });

        it("settings holds the schema's defaults overlaid by the config, and no key for a property with neither", () => {
            assert.deepEqual(settings(configured({}), cacheHaConfig), { minNodes: 2 });
            assert.deepEqual(settings(configured({ minNodes: 3 }), cacheHaConfig), { minNodes: 3 });
            assert.deepEqual(settings(configured({}), prewarmConfig), {});
            assert.deepEqual(settings(configured({ rampLeadMinutes: 30 }), rampConfig), { rampLeadMinutes: 30 });
        });
    });
});
