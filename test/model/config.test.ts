import { strict as assert } from "node:assert";
import { ConfigError, namespaceValues, parseConfig } from "../../model/config";
import { planStack } from "../../model/stack-plan";
import { committedStacks, stackConfig } from "../support/pulumi";
import { configWith, pulumiValues, validRaw } from "./fixtures";

function problemsOf(raw: Record<string, any>): string[] {
    try {
        parseConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
        return err.problems.map((p) => p.key);
    }
    assert.fail("config was accepted");
}

describe("config", () => {
    it("fills the defaults of an everyday config", () => {
        const config = parseConfig(validRaw());
        assert.equal(config.event, undefined);
        assert.equal(config.traffic.headroom, 0.25);
        // reuseOnScaleIn left out: the plan decides by platform (test/model/ecs.test.ts).
        assert.deepEqual(config.compute.warmPool, { state: "Stopped", fractionOfPeak: 0.5 });
        assert.equal(config.compute.platform, "ec2");
        assert.equal(config.cache.prewarm.topKeys, 100_000);
        assert.deepEqual(config.database.pool, { writerMin: 2, readerMin: 4, max: 20 });
        assert.equal(config.database.connectionReserve, 0.1);
        assert.deepEqual(config.database.prewarm, { relations: [] });
        assert.equal(config.cache.headroom, 0.2);
        assert.equal(config.cache.nodeMemoryGiB, undefined);
        assert.equal(config.cache.prewarm.avgEntryBytes, 1024);
        assert.equal(config.cache.prewarm.leadMinutes, undefined, "left out: the plan picks it");
        assert.deepEqual(config.cost, {});
        assert.equal(config.compute.certificateArn, undefined, "left out: plain HTTP");
        assert.deepEqual(config.compute.agent, { source: "stack" });
        assert.deepEqual(config.alerts, {}, "left out: the stack creates a topic");
    });

    it("takes a certificate, an alerts topic and the agent baked into the AMI", () => {
        const certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000";
        const topicArn = "arn:aws-us-gov:sns:us-gov-west-1:123456789012:on-call_team-1";
        const config = configWith((r) => {
            r.compute.certificateArn = certificateArn;
            r.compute.agent = { source: "ami" };
            r.alerts = { topicArn };
        });
        assert.equal(config.compute.certificateArn, certificateArn);
        assert.equal(config.compute.agent.source, "ami");
        assert.equal(config.alerts.topicArn, topicArn);
    });

    for (const stack of committedStacks()) {
        it(`accepts the committed stack ${stack}`, () => {
            const config = parseConfig(namespaceValues(stackConfig(stack)));
            assert.equal(config.event?.name, stack === "baseline" ? undefined : stack);
        });
    }

    const cases: Array<[string, (raw: Record<string, any>) => void, string[]]> = [
        ["a missing section", (r) => delete r.traffic, ["warmstack:traffic"]],
        ["a missing required key", (r) => delete r.database.maxConnections, ["warmstack:database.maxConnections"]],
        ["a negative size", (r) => (r.traffic.peakRps = -5), ["warmstack:traffic.peakRps"]],
        ["a non-numeric size", (r) => (r.database.maxConnections = "lots"), ["warmstack:database.maxConnections"]],
        ["a fractional instance count", (r) => (r.compute.minInstances = 1.5), ["warmstack:compute.minInstances"]],
        [
            "an unknown pool state",
            (r) => (r.compute.warmPool = { state: "Warm" }),
            ["warmstack:compute.warmPool.state"],
        ],
        [
            "a fraction above 1",
            (r) => (r.compute.warmPool = { fractionOfPeak: 1.5 }),
            ["warmstack:compute.warmPool.fractionOfPeak"],
        ],
        ["a negative fraction", (r) => (r.cache.prewarm.minWarmth = -0.1), ["warmstack:cache.prewarm.minWarmth"]],
        ["a reserve of 1", (r) => (r.database.connectionReserve = 1), ["warmstack:database.connectionReserve"]],
        ["an unknown top-level key", (r) => (r.trafic = {}), ["warmstack:trafic"]],
        ["an unknown nested key", (r) => (r.compute.warmPool = { minsize: 3 }), ["warmstack:compute.warmPool.minsize"]],
        [
            "end before start",
            (r) => (r.event = { name: "x", start: "2027-01-02T00:00:00Z", end: "2027-01-01T00:00:00Z" }),
            ["warmstack:event.end"],
        ],
        [
            "a start without a zone",
            (r) => (r.event = { name: "x", start: "2027-01-02T00:00:00", end: "2027-01-03T00:00:00Z" }),
            ["warmstack:event.start"],
        ],
        ["peak below baseline", (r) => (r.traffic.peakRps = 50), ["warmstack:traffic.peakRps"]],
        ["a malformed AMI id", (r) => (r.compute.amiId = "ubuntu"), ["warmstack:compute.amiId"]],
        [
            "a network with one subnet",
            (r) =>
                (r.network = {
                    vpcId: "vpc-0123456789abcdef0",
                    publicSubnetIds: ["subnet-0123456789abcdef0"],
                    privateSubnetIds: ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"],
                }),
            ["warmstack:network.publicSubnetIds"],
        ],
        [
            "a relation without its schema",
            (r) => (r.database.prewarm = { relations: ["products"] }),
            ["warmstack:database.prewarm.relations[0]"],
        ],
        [
            "a relation that is not an identifier",
            (r) => (r.database.prewarm = { relations: ["catalog.products", "catalog.x; DROP TABLE y"] }),
            ["warmstack:database.prewarm.relations[1]"],
        ],
        [
            "a relation twice",
            (r) => (r.database.prewarm = { relations: ["catalog.products", "catalog.products"] }),
            ["warmstack:database.prewarm.relations"],
        ],
        ["a lead of 0 minutes", (r) => (r.cache.prewarm.leadMinutes = 0), ["warmstack:cache.prewarm.leadMinutes"]],
        ["an entry of 0 bytes", (r) => (r.cache.prewarm.avgEntryBytes = 0), ["warmstack:cache.prewarm.avgEntryBytes"]],
        ["a cache headroom of 1", (r) => (r.cache.headroom = 1), ["warmstack:cache.headroom"]],
        ["a node of no memory", (r) => (r.cache.nodeMemoryGiB = 0), ["warmstack:cache.nodeMemoryGiB"]],
        ["a negative price", (r) => (r.cost = { instanceHourly: -1 }), ["warmstack:cost.instanceHourly"]],
        ["an unknown cost key", (r) => (r.cost = { dollarsPerHour: 1 }), ["warmstack:cost.dollarsPerHour"]],
        [
            "a certificate that is not an ACM ARN",
            (r) => (r.compute.certificateArn = "arn:aws:iam::123456789012:server-certificate/site"),
            ["warmstack:compute.certificateArn"],
        ],
        ["an empty health check path", (r) => (r.compute.healthCheckPath = ""), ["warmstack:compute.healthCheckPath"]],
        ["an empty certificate ARN", (r) => (r.compute.certificateArn = ""), ["warmstack:compute.certificateArn"]],
        ["an unknown agent source", (r) => (r.compute.agent = { source: "s3" }), ["warmstack:compute.agent.source"]],
        ["an agent given as a string", (r) => (r.compute.agent = "ami"), ["warmstack:compute.agent"]],
        [
            "a topic ARN of another service",
            (r) => (r.alerts = { topicArn: "arn:aws:sqs:us-east-1:123456789012:on-call" }),
            ["warmstack:alerts.topicArn"],
        ],
        [
            "a FIFO topic",
            (r) => (r.alerts = { topicArn: "arn:aws:sns:us-east-1:123456789012:on-call.fifo" }),
            ["warmstack:alerts.topicArn"],
        ],
        ["an unknown alerts key", (r) => (r.alerts = { email: "ops@example.com" }), ["warmstack:alerts.email"]],
        [
            "a pool max below its minimum",
            (r) => (r.database.pool = { readerMin: 8, max: 4 }),
            ["warmstack:database.pool.max"],
        ],
    ];
    for (const [what, breakIt, keys] of cases) {
        it(`rejects ${what}, naming ${keys.join(", ")}`, () => {
            const raw = validRaw();
            breakIt(raw);
            assert.deepEqual(problemsOf(raw), keys);
        });
    }

    it("names every offending key in ONE error, with the value given and what is allowed", () => {
        const raw = validRaw();
        raw.traffic.peakRps = -5;
        raw.compute.warmPool = { state: "Warm" };
        raw.cahce = {};
        raw.event = { name: "sale", start: "2027-01-02T00:00:00Z", end: "2027-01-01T00:00:00Z" };
        assert.throws(
            () => parseConfig(raw),
            (err: Error) => {
                assert.match(err.message, /^warmstack config is invalid \(4 problems\):/);
                assert.match(err.message, /warmstack:traffic\.peakRps: a number > 0; given -5/);
                assert.match(
                    err.message,
                    /warmstack:compute\.warmPool\.state: one of Stopped \| Running \| Hibernated; given "Warm"/,
                );
                assert.match(
                    err.message,
                    /warmstack:cahce: unknown key \(a typo\?\); allowed here: event, traffic, compute, cache, database, network, cost, alerts, production, functions, accountConcurrency; given \{\}/,
                );
                assert.match(err.message, /warmstack:event\.end: a time after event\.start/);
                return true;
            },
        );
    });

    describe("the error, word for word", () => {
        function messageOf(raw: Record<string, any>): string {
            try {
                parseConfig(raw);
            } catch (err) {
                assert.ok(err instanceof ConfigError);
                assert.equal(err.name, "ConfigError");
                return err.message;
            }
            assert.fail("config was accepted");
        }

        it("one line per problem: the key, what is allowed, what was given", () => {
            const raw = validRaw();
            delete raw.database.maxConnections;
            raw.traffic.peakRps = 50;
            raw.database.pool = { writerMin: 3, readerMin: 6, max: 5 };
            raw.event = { name: "sale", start: "2027-01-02T00:00:00Z", end: "2027-01-02T00:00:00Z" };
            assert.equal(
                messageOf(raw),
                [
                    "warmstack config is invalid (4 problems):",
                    "  - warmstack:database.maxConnections: required: a whole number ≥ 1; given nothing",
                    '  - warmstack:event.end: a time after event.start (2027-01-02T00:00:00Z); given "2027-01-02T00:00:00Z"',
                    "  - warmstack:traffic.peakRps: at least traffic.baselineRps (100); given 50",
                    "  - warmstack:database.pool.max: at least database.pool.writerMin and database.pool.readerMin; given 5",
                ].join("\n"),
            );
        });

        it("names list items by index, however many digits, and keys with digits by name", () => {
            const raw = validRaw();
            raw.database.prewarm = {
                relations: [...Array.from({ length: 10 }, (_, i) => `catalog.t${i}`), "not a relation"],
            };
            raw.traffic.x2 = 1;
            raw.traffic["2x"] = 1;
            assert.deepEqual(problemsOf(raw), [
                "warmstack:traffic.x2",
                "warmstack:traffic.2x",
                "warmstack:database.prewarm.relations[10]",
            ]);
        });

        it("lists the keys allowed inside an optional section", () => {
            const raw = validRaw();
            raw.event = { name: "sale", start: "2027-01-02T00:00:00Z", end: "2027-01-03T00:00:00Z", lead: 5 };
            assert.match(
                messageOf(raw),
                /warmstack:event\.lead: unknown key \(a typo\?\); allowed here: name, start, end, rampLeadMinutes, cooldownMinutes; given 5$/,
            );
        });

        it("a section given as null is a problem with that section, not a crash", () => {
            const raw = validRaw();
            raw.database = null;
            assert.deepEqual(problemsOf(raw), ["warmstack:database"]);
        });
    });

    it("decodes Pulumi's flat config map and ignores other namespaces", () => {
        assert.deepEqual(
            namespaceValues({
                "aws:region": "us-east-1",
                "warmstack:traffic": '{"peakRps":5}',
                "warmstack:note": "plain",
                warmstack: "a namespace without a key",
            }),
            { traffic: { peakRps: 5 }, note: "plain" },
        );
    });

    it("keeps a key with a second colon whole, so `warmstack:cost:draft:` is refused, not read as warmstack:cost", () => {
        const values = namespaceValues({
            "warmstack:cost": '{"instanceHourly":0.1}',
            "warmstack:cost:draft:": '{"instanceHourly":9}',
        });
        assert.deepEqual(values.cost, { instanceHourly: 0.1 });
        const raw = { ...validRaw(), ...values };
        assert.throws(
            () => parseConfig(raw),
            (err: ConfigError) =>
                err.problems.length === 1 &&
                err.problems[0].key === "warmstack:cost:draft:" &&
                /^unknown key \(a typo\?\); allowed here: event, traffic/.test(err.problems[0].allowed),
        );
    });

    describe("the cross-key checks on malformed input", () => {
        const problemsAt = (raw: Record<string, any>) => {
            try {
                parseConfig(raw);
            } catch (err) {
                assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
                return err.problems;
            }
            assert.fail("config was accepted");
        };

        it("reads only this namespace's keys, a key named like it included", () => {
            assert.deepEqual(namespaceValues({ warmstacks: "1", "warmstack:accountConcurrency": "900" }), {
                accountConcurrency: 900,
            });
        });

        it("refuses a section that is null or a production that is no object once, not with a TypeError", () => {
            const nulls = validRaw();
            nulls.database = null;
            assert.deepEqual(
                problemsAt(nulls).map((p) => p.key),
                ["warmstack:database"],
            );
            const named: Record<string, any> = { ...validRaw(), production: "shop-web" };
            delete named.compute.amiId;
            assert.deepEqual(
                problemsAt(named).map((p) => p.key),
                ["warmstack:production"],
            );
        });

        it("says which built-only keys and which names to leave out, and gives what compute.ecs was", () => {
            const both = validRaw();
            both.production = {
                stack: "acme/shop/baseline",
                autoScalingGroup: "shop-web",
                databaseCluster: "shop-aurora",
            };
            const [builtOnly, stack] = problemsAt(both);
            assert.equal(
                builtOnly.allowed,
                "with production set, leave out the keys that describe a system warmstack builds (compute.amiId): " +
                    "the stack reads them from the running parts",
            );
            assert.equal(
                stack.allowed,
                "either a stack whose outputs name the parts, or the names (autoScalingGroup, databaseCluster), not both",
            );
            const ecs = validRaw();
            ecs.compute.ecs = { images: ["redis:7"] };
            assert.deepEqual(problemsAt(ecs)[0].given, { images: ["redis:7"] });
        });
    });

    describe("durations and instants bounded to what AWS schedules (issue 26 item 9)", () => {
        const EVENT = { name: "sale", start: "2027-11-26T05:00:00Z", end: "2027-11-27T05:00:00Z" };
        const messageOf = (patch: (raw: Record<string, any>) => void) => {
            const raw = validRaw();
            raw.event = { ...EVENT };
            patch(raw);
            try {
                planStack(pulumiValues(raw), Date.parse("2026-11-26T00:00:00Z"));
            } catch (err) {
                assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
                return err.message;
            }
            assert.fail("config was accepted");
        };
        const oneProblem = (line: string) => `warmstack config is invalid (1 problem):\n  - ${line}`;

        it("refuses a lead or cooldown beyond a year with one line, not a RangeError", () => {
            const allowed = "a whole number from 1 to 525600 (a year); given 1000000000000";
            assert.equal(
                messageOf((r) => (r.event.cooldownMinutes = 1e12)),
                oneProblem(`warmstack:event.cooldownMinutes: ${allowed.replace("from 1", "from 0")}`),
            );
            assert.equal(
                messageOf((r) => (r.event.rampLeadMinutes = 1e12)),
                oneProblem(`warmstack:event.rampLeadMinutes: ${allowed}`),
            );
            assert.equal(
                messageOf((r) => {
                    r.cache.prewarm.leadMinutes = 1e12;
                    r.cache.prewarm.ttlSeconds = 9e15;
                }),
                oneProblem(`warmstack:cache.prewarm.leadMinutes: ${allowed}`),
            );
            // A year itself is accepted as far as the schema goes.
            assert.equal(
                parseConfig({ ...validRaw(), event: { ...EVENT, cooldownMinutes: 525_600 } }).event?.cooldownMinutes,
                525_600,
            );
        });

        it("refuses an end whose scale-down falls past 9999-12-31T23:59:59Z, and takes one that falls on it", () => {
            assert.equal(
                messageOf((r) => (r.event.end = "9999-12-31T23:59:59Z")),
                oneProblem(
                    'warmstack:event.end: a time whose scale-down (end + cooldownMinutes 30) falls by 9999-12-31T23:59:59Z: AWS schedules take a four-digit year; given "9999-12-31T23:59:59Z"',
                ),
            );
            const last = parseConfig({ ...validRaw(), event: { ...EVENT, end: "9999-12-31T23:29:59Z" } });
            assert.equal(last.event?.end, "9999-12-31T23:29:59Z");
            assert.match(
                messageOf((r) => Object.assign(r.event, { end: "9999-12-31T23:29:59Z", cooldownMinutes: 31 })),
                /end \+ cooldownMinutes 31\) falls by/,
                "the given cooldown counts, not the default",
            );
        });

        it("holds compute.warmupSeconds to AWS's defaultInstanceWarmup range, 0 to 3600", () => {
            assert.equal(
                messageOf((r) => (r.compute.warmupSeconds = 3601)),
                oneProblem("warmstack:compute.warmupSeconds: a whole number from 0 to 3600; given 3601"),
            );
            assert.equal(configWith((r) => (r.compute.warmupSeconds = 3600)).compute.warmupSeconds, 3600);
        });
    });
});
