// warmstack:functions under mocks: each alias gets an Application Auto Scaling target on its provisioned
// concurrency and the plan's two scheduled actions; every refusal fails the preview before any resource.
import { strict as assert } from "node:assert";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import {
    editedConfig,
    NOW,
    ProgramRun,
    refusedAtPreview,
    runProgram,
    stackConfig,
    T,
    BUILT_EVENT,
    planOf,
} from "../support/pulumi";

const FUNCTIONS = [
    { name: "checkout", alias: "live", peakRps: 900, durationMs: 180, memoryMb: 1024 },
    { name: "search", alias: "7", peakRps: 2500, durationMs: 40, baseline: 10 },
];
const withFunctions = (functions: unknown[], extra: Record<string, string> = {}) => ({
    ...editedConfig(BUILT_EVENT, { functions: () => functions }),
    ...extra,
});

describe("program under mocks: warmstack:functions", () => {
    let run: ProgramRun;
    const config = withFunctions(FUNCTIONS);
    const expected = planOf(config).functions;
    before(async () => {
        run = await runProgram(config, () => warmstackFromPulumiConfig(NOW), "blackfriday");
    });

    it("registers one scalable target per alias on its provisioned concurrency, at the baseline now", () => {
        const targets = run.ofType(T.scalableTarget).map((t) => t.inputs);
        assert.deepEqual(
            targets.map(({ serviceNamespace, scalableDimension, resourceId, minCapacity, maxCapacity }) => ({
                serviceNamespace,
                scalableDimension,
                resourceId,
                minCapacity,
                maxCapacity,
            })),
            [
                {
                    serviceNamespace: "lambda",
                    scalableDimension: "lambda:function:ProvisionedConcurrency",
                    resourceId: "function:checkout:live",
                    minCapacity: 0,
                    maxCapacity: 0,
                },
                {
                    serviceNamespace: "lambda",
                    scalableDimension: "lambda:function:ProvisionedConcurrency",
                    resourceId: "function:search:7",
                    minCapacity: 10,
                    maxCapacity: 10,
                },
            ],
        );
    });

    it("raises each to N at start − rampLeadMinutes and lowers it to the baseline after end + cooldown", () => {
        const actions = run.ofType(T.scalingSchedule).map((a) => a.inputs);
        // blackfriday: start 05:00Z less 45 min; end 2027-11-30T05:00Z plus 60 min.
        // checkout ⌈900 × 0.18 × 1.25⌉ = 203; search ⌈2500 × 0.04 × 1.25⌉ = 125.
        assert.deepEqual(
            actions.map((a) => [a.resourceId, a.name, a.schedule, a.timezone, a.scalableTargetAction]),
            [
                [
                    "function:checkout:live",
                    "blackfriday-ramp-up",
                    "at(2027-11-26T04:15:00)",
                    "UTC",
                    { minCapacity: 203, maxCapacity: 203 },
                ],
                [
                    "function:checkout:live",
                    "blackfriday-ramp-down",
                    "at(2027-11-30T06:00:00)",
                    "UTC",
                    { minCapacity: 0, maxCapacity: 0 },
                ],
                [
                    "function:search:7",
                    "blackfriday-ramp-up",
                    "at(2027-11-26T04:15:00)",
                    "UTC",
                    { minCapacity: 125, maxCapacity: 125 },
                ],
                [
                    "function:search:7",
                    "blackfriday-ramp-down",
                    "at(2027-11-30T06:00:00)",
                    "UTC",
                    { minCapacity: 10, maxCapacity: 10 },
                ],
            ],
        );
        for (const a of actions) {
            assert.equal(a.serviceNamespace, "lambda");
            assert.equal(a.scalableDimension, "lambda:function:ProvisionedConcurrency");
        }
        assert.deepEqual(
            expected.functions.map((f) => f.provisioned),
            [203, 125],
        );
    });

    it("outputs each alias's target", () => {
        assert.deepEqual(Object.keys(run.outputs.functionTargets), ["function:checkout:live", "function:search:7"]);
    });

    it("registers nothing for functions on a stack without them", async () => {
        const plain = await runProgram(stackConfig(BUILT_EVENT), () => warmstackFromPulumiConfig(NOW));
        assert.equal(plain.ofType(T.scalableTarget).length, 0);
        assert.equal(plain.ofType(T.scalingSchedule).length, 0);
        assert.equal(plain.outputs.functionTargets, undefined);
    });
});

describe("program under mocks: warmstack:functions refused at preview", () => {
    it("$LATEST, naming functions[i].alias", async () => {
        const message = await refusedAtPreview(withFunctions([FUNCTIONS[0], { ...FUNCTIONS[1], alias: "$LATEST" }]));
        assert.match(message, /\(1 problem\)/);
        assert.match(message, /warmstack:functions\[1\]\.alias: an alias or a published version of search/);
    });

    it("a sum that leaves less than the unreserved 100, naming the function and the numbers", async () => {
        const message = await refusedAtPreview(withFunctions(FUNCTIONS, { "warmstack:accountConcurrency": "400" }));
        assert.match(message, /warmstack:functions\[1\]: .*with search:7 the functions need 328 of the 300/);
        assert.match(message, /given "search:7 needs 125"/);
    });

    it("the same alias twice", async () => {
        const message = await refusedAtPreview(withFunctions([FUNCTIONS[0], FUNCTIONS[0]]));
        assert.match(message, /warmstack:functions\[1\]: a function and alias not listed before/);
    });

    it("a bad field, naming it", async () => {
        const message = await refusedAtPreview(withFunctions([{ ...FUNCTIONS[0], durationMs: "fast" }]));
        assert.match(message, /warmstack:functions\[0\]\.durationMs: a number > 0/);
    });
});
