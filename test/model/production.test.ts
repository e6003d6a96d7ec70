// Attaching to production: facts and config → the plan on production's values, the ramp that gives the group back
// its own sizes, and every refusal naming the key that named the part.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigProblem, parseConfig, WarmstackConfig } from "../../model/config";
import { attach, Attachment, EVENT_POOL_TAG, ProductionFacts } from "../../model/production";
import { arbConfig, EVENT, NOW, runs, validRaw } from "./fixtures";

const ATTACHED = {
    autoScalingGroup: "shop-web",
    cacheReplicationGroup: "shop-redis",
    cacheAuthTokenSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-redis-auth",
    databaseInstance: "shop-db",
    databaseWarmerSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-db-warmer",
};

const STACK = "sale";

/** A valid event config attached by names: the built-only keys left out. */
export function attachedRaw(): Record<string, any> {
    const raw = validRaw();
    delete raw.compute.amiId;
    return { ...raw, event: { ...EVENT }, production: { ...ATTACHED } };
}

/** What AWS reports about a healthy production system. */
export function facts(): ProductionFacts {
    return {
        group: {
            name: "shop-web",
            arn: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0:autoScalingGroupName/shop-web",
            minSize: 3,
            maxSize: 40,
            desiredCapacity: 5,
            subnetIds: ["subnet-0a0000000000000a2", "subnet-0a0000000000000b2"],
            vpcId: "vpc-0c0ffee0c0ffee000",
            tags: {},
        },
        instances: {
            instanceType: "c7i.xlarge",
            memoryMiB: 8192,
            hibernationSupported: true,
            hibernationConfigured: false,
            roleName: "shop-web-instance",
            securityGroupIds: ["sg-0a0000000000000a1"],
        },
        cache: {
            id: "shop-redis",
            nodeType: "cache.r7g.large",
            clusterMode: false,
            shards: 1,
            replicasPerShard: 1,
            authTokenEnabled: true,
            host: "master.shop-redis.abc.use1.cache.amazonaws.com",
            readerHost: "replica.shop-redis.abc.use1.cache.amazonaws.com",
            port: 6379,
            securityGroupIds: ["sg-0a0000000000000c1"],
        },
        database: {
            kind: "instance",
            identifier: "shop-db",
            engine: "postgres",
            engineVersion: "16.4",
            instanceClass: "db.r6g.xlarge",
            writer: "shop-db.abc.us-east-1.rds.amazonaws.com",
            port: 5432,
            dbName: "shop",
            parameterGroups: ["shop-postgres16"],
            subnetGroup: "shop-db-subnets",
            securityGroupIds: ["sg-0a0000000000000d1"],
            members: [],
            storageEncrypted: true,
        },
    };
}

function attached(raw = attachedRaw(), f = facts(), now = NOW): Attachment {
    const result = attach(parseConfig(raw), f, { now, from: "names", stack: STACK });
    if (Array.isArray(result)) assert.fail(`refused: ${JSON.stringify(result)}`);
    return result;
}

function refused(raw: Record<string, any>, f: ProductionFacts, from: "names" | "stack" = "names"): ConfigProblem[] {
    const result = attach(parseConfig(raw), f, { now: NOW, from, stack: STACK });
    assert.ok(Array.isArray(result), "refused");
    return result;
}

describe("production config", () => {
    it("refuses the keys that describe a built system in ONE problem listing them", () => {
        const raw = attachedRaw();
        raw.compute.amiId = "ami-0123456789abcdef0";
        raw.compute.instanceType = "c7i.large";
        raw.cache.nodeType = "cache.r7g.large";
        raw.network = { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: [], privateSubnetIds: [] };
        assert.throws(
            () => parseConfig(raw),
            (err: Error) => {
                assert.match(err.message, /\(\d+ problems?\)/);
                const lines = err.message.split("\n").filter((l) => l.includes("warmstack:production:"));
                assert.equal(lines.length, 1, err.message);
                assert.match(
                    lines[0],
                    /leave out the keys that describe a system warmstack builds \(compute\.amiId, compute\.instanceType, network, cache\.nodeType\)/,
                );
                return true;
            },
        );
    });

    it("needs the parts without a stack, and exactly one database", () => {
        const raw = attachedRaw();
        raw.production = { databaseInstance: "a", databaseCluster: "b" };
        assert.throws(
            () => parseConfig(raw),
            (err: Error) => {
                for (const key of ["autoScalingGroup", "cacheReplicationGroup", "databaseWarmerSecretArn"]) {
                    assert.match(
                        err.message,
                        new RegExp(`warmstack:production\\.${key}: required with production set`),
                    );
                }
                assert.match(err.message, /warmstack:production\.databaseInstance: exactly one of/);
                return true;
            },
        );
    });

    it("takes a stack instead of the names, never both", () => {
        const raw = attachedRaw();
        raw.production = { stack: "acme/warmstack/baseline" };
        assert.equal(parseConfig(raw).production?.stack, "acme/warmstack/baseline");
        raw.production.autoScalingGroup = "shop-web";
        assert.throws(
            () => parseConfig(raw),
            /warmstack:production\.stack: either a stack .* \(autoScalingGroup\), not both/,
        );
        raw.production = { stack: "baseline" };
        assert.throws(() => parseConfig(raw), /warmstack:production\.stack: a stack reference org\/project\/stack/);
    });

    it("still needs compute.amiId for a built system", () => {
        const raw = validRaw();
        delete raw.compute.amiId;
        assert.throws(
            () => parseConfig(raw),
            /warmstack:compute\.amiId: required: an id like ami-0123456789abcdef0; given nothing/,
        );
    });
});

describe("attach", () => {
    it("plans on production's instance type, node type and database class", () => {
        const a = attached();
        assert.equal(a.config.compute.instanceType, "c7i.xlarge");
        assert.equal(a.config.cost.instanceMemoryGiB, 8);
        assert.equal(a.config.cache.nodeType, "cache.r7g.large");
        assert.equal(a.database.replicaClass, "db.r6g.xlarge");
        assert.equal(a.instanceRoleName, "shop-web-instance");
        assert.equal(a.warmPool, "stack");
        assert.ok(a.database.bufferWarm);
    });

    it("ramps to the peak and gives back the group's own sizes, for any config and any group", () => {
        fc.assert(
            fc.property(
                arbConfig,
                fc.integer({ min: 0, max: 50 }),
                fc.integer({ min: 0, max: 50 }),
                fc.integer({ min: 0, max: 500 }),
                (config: WarmstackConfig, minSize, extraDesired, extraMax) => {
                    const f = facts();
                    f.group = {
                        ...f.group,
                        minSize,
                        desiredCapacity: minSize + extraDesired,
                        maxSize: minSize + extraDesired + extraMax,
                    };
                    const withEvent = { ...config, event: config.event ?? { ...EVENT }, production: { ...ATTACHED } };
                    const result = attach(withEvent, f, { now: NOW, from: "names", stack: STACK });
                    if (Array.isArray(result)) return; // a config the plan refuses anyway
                    const peak = result.plan.instances.peak;
                    for (const action of result.schedule) {
                        if (action.name.endsWith("-ramp-up")) {
                            assert.equal(action.minSize, peak);
                            assert.equal(action.desiredCapacity, peak);
                            assert.equal(action.maxSize, Math.max(peak, f.group.maxSize));
                        } else {
                            assert.deepEqual(
                                {
                                    minSize: action.minSize,
                                    maxSize: action.maxSize,
                                    desiredCapacity: action.desiredCapacity,
                                },
                                { minSize, maxSize: f.group.maxSize, desiredCapacity: f.group.desiredCapacity },
                            );
                        }
                    }
                    assert.deepEqual(
                        result.plan.schedule.map((s) => s.name),
                        result.schedule.map((s) => s.name),
                    );
                },
            ),
            { numRuns: runs(200) },
        );
    });

    it("refuses a group that launches Spot, by its mixed instances policy or its template", () => {
        const f = facts();
        f.group.instancesDistribution = { onDemandBaseCapacity: 2, onDemandPercentageAboveBaseCapacity: 50 };
        const [problem] = refused(attachedRaw(), f);
        assert.equal(problem.key, "warmstack:production.autoScalingGroup");
        assert.match(problem.allowed, /launches Spot .* AWS refuses a warm pool on a group with Spot/);
        const onDemand = facts();
        onDemand.group.instancesDistribution = { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 100 };
        attached(attachedRaw(), onDemand);
        const template = facts();
        template.group.marketType = "spot";
        assert.equal(refused(attachedRaw(), template)[0].key, "warmstack:production.autoScalingGroup");
    });

    it("refuses a database that is not PostgreSQL, naming the key that named it", () => {
        const f = facts();
        f.database.engine = "mysql";
        const [problem] = refused(attachedRaw(), f);
        assert.equal(problem.key, "warmstack:production.databaseInstance");
        assert.equal(problem.given, "shop-db");
        assert.match(problem.allowed, /a database running postgres \(PostgreSQL\): this one runs mysql/);
        const aurora = facts();
        aurora.database = { ...aurora.database, kind: "cluster", engine: "aurora-mysql" };
        assert.equal(
            refused(attachedRaw(), aurora, "stack")[0].key,
            "warmstack:production.stack (its databaseCluster)",
        );
    });

    describe("production's own warm pool", () => {
        const needed = () => attached().plan.warmPool.minSize;
        const smaller = () => {
            const f = facts();
            f.group.warmPool = {
                minSize: needed() - 1,
                maxGroupPreparedCapacity: -1,
                state: "Stopped",
                reuseOnScaleIn: false,
            };
            return f;
        };

        it("puts the plan's pool on a group without one, recorded as having none to give back", () => {
            const a = attached();
            assert.equal(a.warmPool, "stack");
            assert.equal(a.productionPool, undefined);
            assert.deepEqual(a.poolRecord, { stack: STACK, own: null });
        });

        it("raises a smaller one to the plan's and records it, to give it back on destroy", () => {
            assert.ok(needed() > 1);
            const f = smaller();
            const a = attached(attachedRaw(), f);
            assert.equal(a.warmPool, "raised");
            assert.deepEqual(a.productionPool, f.group.warmPool);
            assert.deepEqual(a.poolRecord, { stack: STACK, own: f.group.warmPool });
        });

        it("holds one at least as large as the plan's as it is, and records nothing", () => {
            const f = facts();
            const own = { minSize: needed(), maxGroupPreparedCapacity: -1, state: "Stopped", reuseOnScaleIn: true };
            f.group.warmPool = own;
            const a = attached(attachedRaw(), f);
            assert.deepEqual([a.warmPool, a.productionPool, a.poolRecord], ["production", own, undefined]);
        });

        it("on a later deploy, gives back what the first read (its tag), not the raised pool it now sees", () => {
            const first = smaller();
            const own = first.group.warmPool;
            const later = facts();
            later.group.warmPool = { ...own!, minSize: needed() };
            later.group.tags = { [EVENT_POOL_TAG]: JSON.stringify({ stack: STACK, own }) };
            const a = attached(attachedRaw(), later);
            assert.equal(a.warmPool, "raised");
            assert.deepEqual(a.productionPool, own);
            // A pool the stack put on a group that had none stays the stack's: deleted on destroy, not kept.
            later.group.tags = { [EVENT_POOL_TAG]: JSON.stringify({ stack: STACK, own: null }) };
            assert.deepEqual(
                [attached(attachedRaw(), later).warmPool, attached(attachedRaw(), later).productionPool],
                ["stack", undefined],
            );
        });

        it("refuses a group whose pool another event stack holds, or whose tag warmstack did not write", () => {
            const f = facts();
            f.group.tags = { [EVENT_POOL_TAG]: JSON.stringify({ stack: "launch", own: null }) };
            const [problem] = refused(attachedRaw(), f);
            assert.equal(problem.key, "warmstack:production.autoScalingGroup");
            assert.match(problem.allowed, /event stack launch holds this one .*destroy that stack first/);
            f.group.tags = { [EVENT_POOL_TAG]: "hand-written" };
            assert.match(refused(attachedRaw(), f)[0].allowed, /event stack unknown \(its value "hand-written" is not/);
        });
    });

    it("refuses a cache without AUTH and TLS, and asks for the token's secret when it has one", () => {
        const f = facts();
        f.cache.authTokenEnabled = false;
        const [problem] = refused(attachedRaw(), f);
        assert.equal(problem.key, "warmstack:production.cacheReplicationGroup");
        assert.match(problem.allowed, /AUTH token and TLS/);
        const raw = attachedRaw();
        delete raw.production.cacheAuthTokenSecretArn;
        assert.equal(refused(raw, facts())[0].key, "warmstack:production.cacheAuthTokenSecretArn");
    });

    it("refuses a cache whose shards cannot hold the hot set, naming the shards needed", () => {
        const raw = attachedRaw();
        raw.cache.prewarm.topKeys = 20_000_000;
        const [problem] = refused(raw, facts());
        assert.equal(problem.key, "warmstack:production.cacheReplicationGroup");
        assert.match(problem.allowed, /a group of at least (\d+) shards: .* and the group has 1/);
        const shards = Number(/at least (\d+) shards/.exec(problem.allowed)![1]);
        const f = facts();
        f.cache = { ...f.cache, clusterMode: true, shards };
        attached(raw, f);
    });

    it("refuses Hibernated when production's instances cannot hibernate", () => {
        const raw = attachedRaw();
        raw.compute.warmPool = { state: "Hibernated" };
        assert.equal(refused(raw, facts())[0].key, "warmstack:compute.warmPool.state");
        const f = facts();
        f.instances.hibernationConfigured = true;
        attached(raw, f);
    });

    it("plans no buffer warm on a default parameter group, and says so", () => {
        const raw = attachedRaw();
        raw.database.prewarm = { relations: ["catalog.products"] };
        const f = facts();
        f.database.parameterGroups = ["default.postgres16"];
        const a = attached(raw, f);
        assert.deepEqual(a.plan.dataPrewarm.relations, []);
        assert.ok(a.plan.warnings.some((w) => /default parameter group .* no buffer warm/.test(w)));
        assert.deepEqual(attached(raw).plan.dataPrewarm.relations, ["catalog.products"]);
    });

    it("raises Aurora's readers at deploy-by and gives back production's count after", () => {
        const raw = attachedRaw();
        delete raw.production.databaseInstance;
        raw.production.databaseCluster = "shop-aurora";
        const f = facts();
        f.database = { ...f.database, kind: "cluster", engine: "aurora-postgresql", members: ["w", "r1"] };
        const a = attached(raw, f);
        const readers = Math.max(1, a.plan.database.replicas);
        assert.deepEqual(a.database.readerSchedule, [
            { name: "sale-readers-up", at: a.plan.timeline!.deployBy, minCapacity: readers, maxCapacity: readers },
            { name: "sale-readers-back", at: a.plan.timeline!.scaleDown, minCapacity: 1, maxCapacity: readers },
        ]);
        assert.equal(a.database.readerMinAtDeploy, 1);
        const late = attached(raw, f, Date.parse(a.plan.timeline!.deployBy) + 60_000);
        assert.equal(late.database.readerMinAtDeploy, readers, "past the raise: the minimum is raised at once");
    });

    it("needs the instance role when the template names no profile", () => {
        const f = facts();
        delete f.instances.roleName;
        assert.equal(refused(attachedRaw(), f)[0].key, "warmstack:production.instanceRoleName");
        const raw = attachedRaw();
        raw.production.instanceRoleName = "named-role";
        assert.equal(attached(raw, f).instanceRoleName, "named-role");
    });
});
