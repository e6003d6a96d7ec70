// The deploy-time warm past one run in lambda mode: the provider's prewarm() has the function run the setup, then
// starts the stack's state machine in moto's Step Functions (which really executes it: the Map, its concurrency,
// its retries, the verify step) and waits for it. moto runs Lambda functions only in Docker, so the one part it
// cannot do — the warmer function itself — is a loopback fake Lambda (moto's state machine reaches it through
// MOTO_PORT) that runs the real handler in this process against a real three-primary Redis Cluster and PostgreSQL.
import { strict as assert } from "node:assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "pg";
import { DescribeExecutionCommand, SFNClient, CreateStateMachineCommand } from "@aws-sdk/client-sfn";
import { scheduledWarm, type PrewarmInputs, type WarmerEvent } from "../../model/prewarm-contract";
import { executionLimitSeconds, warmStateMachine } from "../../model/warm-state-machine";
import {
    executionName,
    executionState,
    FIRST_POLL_MS,
    MAX_POLL_MS,
    nextPoll,
    runExecution,
    WarmExecutionError,
} from "../../warmers/prewarm/execution";
import { handler, prewarm } from "../../warmers/prewarm/handler";
import { sleep } from "../../warmers/timeout";
import { MOTO_ACCOUNT, startMoto, type Moto } from "../support/moto";
import { testPostgres, useRedisCluster, type PostgresServer } from "../support/servers";
import { loopbackInputs } from "./support";

const ROWS = 2000;
const PARTITIONS = 4;
const AT_ONCE = 2;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT}:function:warmer`;
/** One per execution the tests start (see `deployed`). */
const REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1"];
const PASSWORD = "execution-test-secret-7f3a";

/** The fake function: every invoke it got, how many ran at once at most, and what it is told to do wrong. */
class FakeLambda {
    readonly events: WarmerEvent[] = [];
    running = 0;
    most = 0;
    /** A partition whose every run fails, or hangs until the test ends. */
    failing?: string;
    hanging?: string;
    private readonly hung: (() => Promise<void>)[] = [];
    private server?: http.Server;

    async start(): Promise<number> {
        this.server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk: Buffer) => (body += chunk.toString()));
            req.on("end", () => void this.invoke(JSON.parse(body) as WarmerEvent & { partition?: string }, res));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return (this.server.address() as AddressInfo).port;
    }

    private async invoke(event: WarmerEvent & { partition?: string }, res: http.ServerResponse): Promise<void> {
        this.events.push(event);
        if (event.partition !== undefined && event.partition === this.hanging) {
            this.hung.push(() => this.run(event, res));
            return;
        }
        await this.run(event, res);
    }

    private async run(event: WarmerEvent & { partition?: string }, res: http.ServerResponse): Promise<void> {
        this.most = Math.max(this.most, ++this.running);
        try {
            if (event.partition !== undefined && event.partition === this.failing)
                throw new Error(`share ${event.partition} lost its connection`);
            // As Lambda runs it: the bundle's handler, given the event.
            res.end(JSON.stringify(await handler(event as never)));
        } catch (err) {
            // Lambda's answer for a function that threw: 200, the error header, the error as the payload.
            res.setHeader("X-Amz-Function-Error", "Unhandled");
            res.end(JSON.stringify({ errorType: "Error", errorMessage: (err as Error).message }));
        } finally {
            this.running--;
        }
    }

    /** The hanging runs go on now, and answer as their warm ends. */
    async release(): Promise<void> {
        await Promise.all(this.hung.splice(0).map((run) => run()));
    }

    reset(): void {
        this.events.length = 0;
        this.most = 0;
        this.failing = this.hanging = undefined;
    }

    async stop(): Promise<void> {
        await this.release();
        this.server?.closeAllConnections();
        await new Promise((resolve) => this.server?.close(resolve));
    }
}

/** The one part of the definition the test changes. */
type Retried = {
    States: { Partitions: { ItemProcessor: { States: { Warm: { Retry: [{ IntervalSeconds: number }] } } } } };
};

const partitionsOf = (events: WarmerEvent[]) =>
    events.flatMap((e) => ((e as { partition?: string }).partition ? [(e as { partition: string }).partition] : []));
const kinds = (events: WarmerEvent[]) => events.map((e) => (e as { kind?: string }).kind ?? "warm");

describe("deploy-time warm on Step Functions (lambda mode, past one run)", function () {
    this.timeout(180_000);

    it("polls with doubling waits, capped, never past the deadline; names one execution per deploy", () => {
        assert.equal(nextPoll(undefined, 60_000), FIRST_POLL_MS);
        assert.equal(nextPoll(FIRST_POLL_MS, 60_000), 2 * FIRST_POLL_MS);
        assert.equal(nextPoll(MAX_POLL_MS, 60_000), MAX_POLL_MS);
        assert.equal(nextPoll(8_000, 700), 700);
        assert.equal(executionName("2026-12-07T01:02:03.456Z"), "warm-2026-12-07T01-02-03-456Z");
        assert.match(executionName("x".repeat(200)), /^warm-x{75}$/);
        assert.deepEqual(executionState({ status: "RUNNING" }), { kind: "running" });
        assert.deepEqual(executionState({ status: "TIMED_OUT", error: "States.Timeout" }), {
            kind: "ended",
            status: "TIMED_OUT",
            error: "States.Timeout",
            cause: "",
        });
        // Each wave at its worst (3 runs, waits of 30 and 60 s), then the verify step at its worst.
        assert.equal(executionLimitSeconds({ partitions: 6, maxConcurrency: 3, itemTimeoutSeconds: 630 }), 4230);
    });

    describe("against moto's Step Functions, a fake function and a real cluster", () => {
        const lambda = new FakeLambda();
        let moto: Moto;
        let pg: PostgresServer;
        let base: PrewarmInputs;
        let inputs: PrewarmInputs;
        let machines = 0;
        let added: Record<string, string> = {};

        const redis = useRedisCluster({ primaries: 3 });
        const masters = async () => {
            await redis.reader.ping(); // the reader learns the slot map on its first command
            return redis.reader.nodes("master");
        };
        const keysInCluster = async () =>
            (await Promise.all((await masters()).map((node) => node.dbsize()))).reduce((a, b) => a + b, 0);
        const flush = async () => void (await Promise.all((await masters()).map((node) => node.flushall())));

        before(async () => {
            const lambdaPort = await lambda.start();
            [moto, pg] = await Promise.all([
                startMoto({
                    env: { MOTO_PORT: String(lambdaPort) },
                    config: { stepfunctions: { execute_state_machine: true } },
                }),
                testPostgres(),
            ]);
            const db = new Client({ host: pg.host, port: pg.port, user: pg.user, database: pg.database });
            await db.connect();
            await db.query(`DROP TABLE IF EXISTS machine_items;
                CREATE TABLE machine_items AS SELECT 'm:' || g AS key, 'v' || g AS value, g AS hits FROM generate_series(1, ${ROWS}) g`);
            await db.end();
            // The provider's SDK clients find the fake function and moto as they find AWS: the standard variables.
            added = { ...moto.env, AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${lambdaPort}` };
            for (const name of Object.keys(added)) assert.equal(process.env[name], undefined, `${name} already set`);
            Object.assign(process.env, added);
            base = {
                ...loopbackInputs(redis.cluster.nodes[0], pg, {
                    replicationGroupId: "rg",
                    user: pg.user,
                    password: PASSWORD, // the loopback PostgreSQL trusts loopback: a secret that must not leak
                    query: "SELECT key, value FROM machine_items ORDER BY hits DESC",
                    topKeys: ROWS,
                }),
                redisCluster: true,
            };
            inputs = {
                ...base,
                mode: "lambda",
                functionName: FUNCTION_ARN,
                region: moto.client.region,
                partitions: PARTITIONS,
                maxConcurrency: AT_ONCE,
            };
        });
        /**
         * The machine as the stack deploys it, its payload the schedule's (no secret); only the retries' first wait is
         * shortened from 30 s to 1 s, so a failing partition's retries fit the test. A new one for each execution,
         * each in a Region of its own: moto deep-copies a machine, and with it its Region's whole backend, at each
         * start, and cannot copy a backend that holds an execution (its thread's lock).
         */
        const deployed = async (): Promise<PrewarmInputs> => {
            const definition = warmStateMachine({
                functionArn: FUNCTION_ARN,
                partitions: PARTITIONS,
                maxConcurrency: AT_ONCE,
                itemTimeoutSeconds: 60,
                timeoutSeconds: 600,
                payload: { ...scheduledWarm(base, {}) },
            }) as Retried;
            definition.States.Partitions.ItemProcessor.States.Warm.Retry[0].IntervalSeconds = 1;
            const region = REGIONS[machines++];
            const client = new SFNClient({ ...moto.client, region });
            const machine = await client.send(
                new CreateStateMachineCommand({
                    name: "warm",
                    definition: JSON.stringify(definition),
                    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/warm-machine`,
                }),
            );
            client.destroy();
            return { ...inputs, region, stateMachineArn: machine.stateMachineArn, trigger: new Date().toISOString() };
        };
        /** An execution as Step Functions describes it, asked in its own Region. */
        const describe = async (executionArn: string) => {
            const client = new SFNClient({ ...moto.client, region: executionArn.split(":")[3] });
            try {
                return await client.send(new DescribeExecutionCommand({ executionArn }));
            } finally {
                client.destroy();
            }
        };
        beforeEach(async () => {
            lambda.reset();
            await flush();
        });
        after(async () => {
            for (const name of Object.keys(added)) delete process.env[name];
            await lambda.stop();
            await moto?.stop();
        });

        it("the setup runs once, then one execution warms every key exactly once, two partitions at once", async () => {
            const outs = await prewarm(await deployed());
            assert.deepEqual([outs.keysWritten, outs.skippedPresent, outs.rowsRead], [ROWS, 0, ROWS]);
            assert.equal(outs.warmth, 1);
            assert.equal(await keysInCluster(), ROWS);
            // The setup first (secrets inline over the invoke), then each partition once, then the verify step.
            const seen = kinds(lambda.events);
            assert.equal(seen[0], "setup");
            assert.equal((lambda.events[0] as PrewarmInputs).password, PASSWORD);
            assert.deepEqual(partitionsOf(lambda.events).sort(), ["1/4", "2/4", "3/4", "4/4"]);
            assert.deepEqual(
                seen.filter((k) => k !== "scheduled"),
                ["setup", "verify"],
            );
            assert.ok(lambda.most <= AT_ONCE, `${lambda.most} partitions ran at once`);
            // Nothing the execution carries holds a secret: its items read them by ARN.
            for (const event of lambda.events.slice(1)) assert.ok(!JSON.stringify(event).includes(PASSWORD));
        });

        it("a partition that keeps failing fails the deploy with the execution's error and cause; a re-run resumes", async () => {
            lambda.failing = "3/4";
            const failed = await prewarm(await deployed()).then(
                () => assert.fail("the warm succeeded"),
                (err: unknown) => err,
            );
            assert.ok(failed instanceof WarmExecutionError, String(failed));
            assert.equal(failed.status, "FAILED");
            assert.equal(failed.code, "WARM_INCOMPLETE");
            assert.match(
                failed.message,
                /execution arn:aws:states:.*:warm-.* FAILED: Error: .*share 3\/4 lost its connection/,
            );
            assert.match(failed.message, /`pulumi up` again warms what is missing/);
            // Its first run and both retries, each once.
            assert.equal(partitionsOf(lambda.events).filter((p) => p === "3/4").length, 3);
            const described = await describe(failed.executionArn);
            assert.equal(described.status, "FAILED");
            // Resumable: the fault gone, the next up warms the missing share and skips what is there.
            const written = await keysInCluster();
            assert.ok(written < ROWS, `${written} keys: the failed share was written anyway`);
            lambda.reset();
            const again = await prewarm(await deployed());
            assert.deepEqual([again.keysWritten, again.skippedPresent], [ROWS - written, written]);
            assert.equal(await keysInCluster(), ROWS);
        });

        it("an execution still running at the deploy's bound is stopped, and the deploy fails saying so", async () => {
            lambda.hanging = "2/4";
            const machine = await deployed();
            const started = Date.now();
            const err = await runExecution(machine, 4000).then(
                () => assert.fail("the warm succeeded"),
                (e: unknown) => e,
            );
            assert.ok(Date.now() - started < 20_000, "waited far past its bound");
            assert.ok(err instanceof WarmExecutionError, String(err));
            assert.match(err.message, /was stopped: the deploy waited 4 s, as long as it can run/);
            // moto ends a stopped execution once its worker has control again, when the hanging run answers, and
            // then says FAILED (States.Runtime) where AWS says ABORTED. Not stopped, it goes on to warm the rest and
            // succeeds.
            await lambda.release();
            let described = await describe(err.executionArn);
            for (let i = 0; described.status === "RUNNING" && i < 50; i++) {
                await sleep(200);
                described = await describe(err.executionArn);
            }
            assert.ok(["ABORTED", "FAILED"].includes(described.status!), described.status);
            // Its input holds the partitions only, and one deploy is one execution name.
            assert.deepEqual(JSON.parse(described.input!), { partitions: ["1/4", "2/4", "3/4", "4/4"] });
            assert.equal(described.name, executionName(machine.trigger));
        });
    });
});
