// The partitioned warm's state machine: its definition valid Amazon States Language (asl-validator), accepted and
// started by moto's Step Functions, and deployed under mocks for a 50M-key hot set — started by the event's
// schedule, its roles naming one resource each, its failures alarmed on the stack's topic, its payload secret-free.
import { strict as assert } from "node:assert";
import {
    executionInput,
    executionLimitSeconds,
    partitionItems,
    warmStateMachine,
} from "../../model/warm-state-machine";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { startMoto, MOTO_ACCOUNT, MOTO_REGION, type Moto } from "../support/moto";
import {
    editedConfig,
    NOW,
    runProgram,
    statementsOf,
    T,
    type ProgramRun,
    BUILT_EVENT,
    planOf,
} from "../support/pulumi";

// asl-validator ships no types: a definition in, its verdict and errors out.
const aslValidator = require("asl-validator") as (definition: unknown) => { isValid: boolean; errors: unknown[] };

const FUNCTION_ARN = `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT}:function:warmer`;
const ARGS = {
    functionArn: FUNCTION_ARN,
    partitions: 6,
    maxConcurrency: 3,
    itemTimeoutSeconds: 630,
    timeoutSeconds: 1800,
    payload: { kind: "scheduled", replicationGroupId: "rg", topKeys: 50_000_000, minWarmth: 0.95 },
};

const valid = (definition: unknown) => {
    const { isValid, errors } = aslValidator(structuredClone(definition));
    return { isValid, errors };
};

/** One Step Functions call to moto (JSON 1.0, as the SDK sends it; moto does not check the signature). */
async function sfn(moto: Moto, action: string, body: object): Promise<any> {
    const answer = await fetch(moto.url, {
        method: "POST",
        headers: {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": `AWSStepFunctions.${action}`,
            Authorization: `AWS4-HMAC-SHA256 Credential=testing/20261206/${MOTO_REGION}/states/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
    });
    const text = await answer.text();
    assert.ok(answer.ok, `${action}: ${answer.status} ${text}`);
    return JSON.parse(text);
}

describe("partitioned warm: the state machine", function () {
    this.timeout(120_000);

    it("is valid ASL: a Map over the partitions, each item retried with backoff and timed, then verify, then success", () => {
        const definition = warmStateMachine(ARGS) as any;
        assert.deepEqual(valid(definition), { isValid: true, errors: [] });
        const map = definition.States.Partitions;
        assert.equal(map.Type, "Map");
        assert.equal(map.MaxConcurrency, 3);
        assert.equal(map.Next, "Verify");
        const item = map.ItemProcessor.States.Warm;
        assert.equal(item.Parameters.FunctionName, FUNCTION_ARN);
        assert.equal(item.TimeoutSeconds, 630);
        assert.deepEqual(item.Retry, [
            { ErrorEquals: ["States.ALL"], IntervalSeconds: 30, BackoffRate: 2, MaxAttempts: 2 },
        ]);
        assert.equal(item.Parameters.Payload["partition.$"], "$.partition");
        assert.equal(item.Parameters.Payload.replicationGroupId, "rg");
        assert.equal(definition.States.Verify.Parameters.Payload.kind, "verify");
        assert.equal(definition.States.Verify.Next, "Warmed");
        assert.equal(definition.States.Warmed.Type, "Succeed");
        assert.equal(definition.TimeoutSeconds, 1800);
        assert.deepEqual(executionInput(3), { partitions: ["1/3", "2/3", "3/3"] });
        assert.deepEqual(partitionItems(1), ["1/1"]);
    });

    it("the validator bites: a Map without its processor, or a Next to nowhere, is refused", () => {
        const broken = warmStateMachine(ARGS) as any;
        delete broken.States.Partitions.ItemProcessor;
        assert.equal(valid(broken).isValid, false);
        const dangling = warmStateMachine(ARGS) as any;
        dangling.States.Partitions.Next = "Nowhere";
        assert.equal(valid(dangling).isValid, false);
    });

    describe("in moto's Step Functions", () => {
        let moto: Moto;
        before(async () => (moto = await startMoto()));
        after(() => moto?.stop());

        it("is created as deployed and starts with the schedule's input", async () => {
            const definition = JSON.stringify(warmStateMachine(ARGS));
            const created = await sfn(moto, "CreateStateMachine", {
                name: "warm",
                definition,
                roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/warm-machine`,
            });
            assert.match(created.stateMachineArn, /^arn:aws:states:us-east-1:123456789012:stateMachine:warm$/);
            const described = await sfn(moto, "DescribeStateMachine", { stateMachineArn: created.stateMachineArn });
            assert.deepEqual(JSON.parse(described.definition), JSON.parse(definition));
            const started = await sfn(moto, "StartExecution", {
                stateMachineArn: created.stateMachineArn,
                input: JSON.stringify(executionInput(6)),
            });
            const execution = await sfn(moto, "DescribeExecution", { executionArn: started.executionArn });
            assert.deepEqual(JSON.parse(execution.input), { partitions: partitionItems(6) });
        });
    });

    describe("deployed for a 50M-key hot set (program under mocks)", () => {
        let run: ProgramRun;
        const config = editedConfig(BUILT_EVENT, {
            cache: (cache) => ({ ...cache, prewarm: { ...cache.prewarm, topKeys: 50_000_000, avgEntryBytes: 600 } }),
        });
        const expected = planOf(config);
        before(async () => (run = await runProgram(config, () => warmstackFromPulumiConfig(NOW), "blackfriday")));

        it("plans partitions, and the machine maps them as wide as the plan allows", () => {
            assert.equal(expected.dataPrewarm.partitions, 6);
            const machine = run.one("aws:sfn/stateMachine:StateMachine");
            const definition = JSON.parse(machine.inputs.definition);
            assert.deepEqual(valid(definition), { isValid: true, errors: [] });
            assert.equal(definition.States.Partitions.MaxConcurrency, expected.dataPrewarm.fanOut!.maxConcurrency);
            const item = definition.States.Partitions.ItemProcessor.States.Warm;
            assert.equal(item.Parameters.FunctionName, run.one(T.lambda).state.arn);
            assert.equal(item.TimeoutSeconds, expected.dataPrewarm.functionTimeoutSeconds);
            // Warm or failed, it ends before the start.
            const window = (Date.parse(expected.event!.start) - Date.parse(expected.dataPrewarm.scheduleAt!)) / 1000;
            assert.equal(definition.TimeoutSeconds, window);
        });

        it("the event's schedule starts it, and may start only it; it may invoke only the warmer", () => {
            const machine = run.one("aws:sfn/stateMachine:StateMachine");
            const schedule = run.one(T.warmSchedule);
            assert.equal(schedule.inputs.target.arn, machine.state.arn);
            assert.deepEqual(JSON.parse(schedule.inputs.target.input), executionInput(6));
            assert.deepEqual(statementsOf(run, "data-scheduler"), [
                { Effect: "Allow", Action: "states:StartExecution", Resource: machine.state.arn },
            ]);
            assert.deepEqual(statementsOf(run, "data-machine-role"), [
                { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: run.one(T.lambda).state.arn },
            ]);
            assert.equal(machine.inputs.roleArn, run.one(T.role, "data-machine-role").state.arn);
        });

        it("a failed, timed-out or aborted execution alarms on the stack's topic; the function's own alarm is gone", () => {
            const machine = run.one("aws:sfn/stateMachine:StateMachine");
            const alarms = run.ofType(T.alarm).filter((a) => a.inputs.namespace === "AWS/States");
            assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), [
                "ExecutionsAborted",
                "ExecutionsFailed",
                "ExecutionsTimedOut",
            ]);
            const topic = run.one(T.topic).state.arn;
            for (const alarm of alarms) {
                assert.deepEqual(alarm.inputs.dimensions, { StateMachineArn: machine.state.arn });
                assert.deepEqual(alarm.inputs.alarmActions, [topic]);
            }
            assert.equal(run.ofType(T.alarm).filter((a) => a.inputs.namespace === "AWS/Lambda").length, 0);
            assert.equal(run.ofType(T.invokeConfig).length, 0);
        });

        it("the items carry no secret, and the deploy-time warm (lambda mode) is an execution of it", () => {
            const text = run.one("aws:sfn/stateMachine:StateMachine").inputs.definition as string;
            for (const secret of run.ofType(T.password).map((p) => p.state.result as string))
                assert.ok(!text.includes(secret), "a secret in the state machine");
            assert.ok(!/"(password|authToken|adminPassword|agentPassword)"/.test(text));
            const prewarm = run.one(T.prewarm);
            assert.equal(prewarm.inputs.partitions, 6);
            assert.equal(prewarm.inputs.maxConcurrency, expected.dataPrewarm.fanOut!.maxConcurrency);
            assert.equal(prewarm.inputs.mode, "lambda");
            assert.equal(prewarm.inputs.stateMachineArn, run.one("aws:sfn/stateMachine:StateMachine").state.arn);
        });
    });

    describe("a 50M-key hot set without an event (program under mocks)", () => {
        const hot = (mode: string) =>
            editedConfig("baseline", {
                cache: (cache) => ({
                    ...cache,
                    prewarm: { ...cache.prewarm, topKeys: 50_000_000, avgEntryBytes: 600, mode },
                }),
            });

        it("lambda mode: the deploy's machine, held to the execution's own worst case, with no schedule or alarm", async () => {
            const config = hot("lambda");
            const expected = planOf(config);
            assert.ok(expected.dataPrewarm.partitions > 1 && !expected.event);
            const run = await runProgram(config, () => warmstackFromPulumiConfig(NOW), "baseline");
            const machine = run.one("aws:sfn/stateMachine:StateMachine");
            const definition = JSON.parse(machine.inputs.definition);
            assert.deepEqual(valid(definition), { isValid: true, errors: [] });
            assert.equal(
                definition.TimeoutSeconds,
                executionLimitSeconds({
                    partitions: expected.dataPrewarm.partitions,
                    maxConcurrency: expected.dataPrewarm.fanOut!.maxConcurrency,
                    itemTimeoutSeconds: expected.dataPrewarm.functionTimeoutSeconds,
                }),
            );
            assert.equal(run.one(T.prewarm).inputs.stateMachineArn, machine.state.arn);
            assert.equal(run.ofType(T.warmSchedule).length, 0);
            assert.equal(run.ofType(T.alarm).filter((a) => a.inputs.namespace === "AWS/States").length, 0);
        });

        it("direct mode: no function, so no machine; the deploy runs the partitions itself", async () => {
            const run = await runProgram(hot("direct"), () => warmstackFromPulumiConfig(NOW), "baseline");
            assert.equal(run.ofType("aws:sfn/stateMachine:StateMachine").length, 0);
            const prewarm = run.one(T.prewarm);
            assert.equal(prewarm.inputs.mode, "direct");
            assert.ok(prewarm.inputs.partitions > 1);
            assert.equal(prewarm.inputs.stateMachineArn, undefined);
        });
    });
});
