// The program's front door under mocks: a config it must refuse fails the preview before any resource, with
// one message naming every bad key; every component is registered for a good one.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import {
    runExpectingFailure,
    editedConfig,
    NOW,
    ProgramRun,
    runProgram,
    stackConfig,
    BUILT_EVENT,
    BUILT_HIBERNATED_EVENT,
} from "../support/pulumi";

describe("program under mocks: components", () => {
    it("registers the network, the data tier, its warm, the agent's store and the app tier", async () => {
        const run = await runProgram(stackConfig(BUILT_EVENT), () => warmstackFromPulumiConfig(NOW));
        for (const type of [
            "warmstack:network:WarmNetwork",
            "warmstack:database:WarmDatabase",
            "warmstack:cache:WarmCache",
            "warmstack:prewarm:DataPrewarm",
            "warmstack:prewarm:WarmerFunction",
            "warmstack:compute:StoredAgent",
            "warmstack:compute:WarmCompute",
        ]) {
            assert.equal(run.ofType(type).length, 1, type);
        }
    });
});

describe("program under mocks: bad config", () => {
    it("fails before any resource with one error naming every key", async () => {
        const config = stackConfig(BUILT_EVENT);
        const traffic = JSON.parse(config["warmstack:traffic"]);
        config["warmstack:traffic"] = JSON.stringify({ ...traffic, peakRps: -1 });
        config["warmstack:compute"] = JSON.stringify({
            ...JSON.parse(config["warmstack:compute"]),
            warmPool: { state: "Frozen" },
        });
        config["warmstack:databse"] = "{}";
        const { run, error } = await runExpectingFailure(config);
        assert.ok(pulumi.RunError.isInstance(error), "a RunError, printed without a stack trace");
        const message = (error as Error).message;
        assert.match(message, /\(3 problems\)/);
        assert.match(message, /warmstack:traffic\.peakRps: a number > 0; given -1/);
        assert.match(
            message,
            /warmstack:compute\.warmPool\.state: one of Stopped \| Running \| Hibernated; given "Frozen"/,
        );
        assert.match(message, /warmstack:databse: unknown key/);
        assert.equal(run.resources.length, 0, "no resource registered");
    });

    it("fails before any resource when the budget cannot hold the peak", async () => {
        const config = stackConfig(BUILT_HIBERNATED_EVENT);
        config["warmstack:database"] = JSON.stringify({
            ...JSON.parse(config["warmstack:database"]),
            maxConnections: 40,
        });
        const { run, error } = await runExpectingFailure(config);
        assert.match(
            (error as Error).message,
            /warmstack:database\.maxConnections: writer: 24 instances at peak × 2 connections need maxConnections ≥ 57/,
        );
        assert.equal(run.resources.length, 0);
    });

    const oneBadKey: Array<[string, Parameters<typeof editedConfig>[1], RegExp]> = [
        [
            "warmstack:compute.certificateArn",
            { compute: (c) => ({ ...c, certificateArn: "arn:aws:iam::123456789012:server-certificate/site" }) },
            /warmstack:compute\.certificateArn: an ACM certificate ARN, arn:aws:acm:<region>:<12-digit account>:certificate\/<id>; given "arn:aws:iam::123456789012:server-certificate\/site"/,
        ],
        [
            "warmstack:alerts.topicArn",
            { alerts: () => ({ topicArn: "on-call" }) },
            /warmstack:alerts\.topicArn: a standard \(not \.fifo\) SNS topic ARN, .*; given "on-call"/,
        ],
        [
            "warmstack:compute.agent.source",
            { compute: (c) => ({ ...c, agent: { source: "s3" } }) },
            /warmstack:compute\.agent\.source: one of stack \| ami; given "s3"/,
        ],
    ];
    for (const [key, edits, expected] of oneBadKey) {
        it(`fails before any resource with one error naming ${key}`, async () => {
            const { run, error } = await runExpectingFailure(editedConfig(BUILT_EVENT, edits));
            assert.ok(pulumi.RunError.isInstance(error), "a RunError, printed without a stack trace");
            assert.match((error as Error).message, /\(1 problem\):/);
            assert.match((error as Error).message, expected);
            assert.equal(run.resources.length, 0, "no resource registered");
        });
    }
});

describe("program under mocks: types the price table lacks", () => {
    it("deploys m7i.large instances and db.r7g.xlarge replicas, warning once per missing price with its key", async () => {
        const config = editedConfig(BUILT_EVENT, {
            compute: (c) => ({ ...c, instanceType: "m7i.large" }),
            database: (d) => ({ ...d, instanceClass: "db.r7g.xlarge" }),
        });
        const warned: string[] = [];
        const warn = pulumi.log.warn;
        pulumi.log.warn = async (message: string) => void warned.push(message);
        let run: ProgramRun;
        try {
            run = await runProgram(config, () => warmstackFromPulumiConfig(NOW));
        } finally {
            pulumi.log.warn = warn;
        }
        assert.equal(run.one("aws:ec2/launchTemplate:LaunchTemplate").inputs.instanceType, "m7i.large");
        assert.ok(
            run
                .ofType("aws:rds/instance:Instance")
                .filter((db) => db.inputs.replicateSourceDb)
                .every((db) => db.inputs.instanceClass === "db.r7g.xlarge"),
        );
        // Not its memory: the deploy reads that from AWS (aws.ec2.getInstanceType), and a Hibernated pool is priced on it.
        assert.deepEqual(
            warned.filter((w) => w.startsWith("cannot price")).map((w) => /\(set (warmstack:cost\.\w+)\)/.exec(w)?.[1]),
            ["warmstack:cost.instanceHourly", "warmstack:cost.replicaHourly"],
        );
        assert.ok(warned.some((w) => w.includes('compute.instanceType "m7i.large"')));
        assert.ok(warned.some((w) => w.includes('database.instanceClass "db.r7g.xlarge"')));
    });
});
