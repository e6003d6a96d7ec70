// The settings the program fixes rather than plans (each says why where it is set): held here, so a change to
// one is a decision someone makes with its reason in view, not a slip.
import { strict as assert } from "node:assert";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { NOW, primaryOf, ProgramRun, runProgram, stackConfig, T, BUILT_EVENT } from "../support/pulumi";

describe("program under mocks: fixed settings", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(stackConfig(BUILT_EVENT), () => warmstackFromPulumiConfig(NOW), "blackfriday");
    });

    it("drops a dead instance from the load balancer within 30 s and drains it for 30 s", () => {
        const targets = run.one(T.tg).inputs;
        assert.deepEqual(
            { interval: targets.healthCheck.interval, healthy: targets.healthCheck.healthyThreshold },
            { interval: 10, healthy: 2 },
        );
        assert.equal(targets.healthCheck.interval * targets.healthCheck.unhealthyThreshold, 30);
        assert.equal(targets.deregistrationDelay, 30);
    });

    it('generates a 64-character cache auth token of letters and digits (ElastiCache takes 16–128, not / " @)', () => {
        assert.deepEqual(
            run
                .ofType(T.password)
                .map((p) => [p.name, p.inputs.length, p.inputs.special])
                .filter(([n]) => String(n).startsWith("cache")),
            [["cache-auth-token", 64, false]],
        );
    });

    it("keeps one cache snapshot and a week of database backups", () => {
        assert.equal(run.one(T.redis).inputs.snapshotRetentionLimit, 1);
        assert.equal(primaryOf(run).inputs.backupRetentionPeriod, 7);
    });

    it("gives the warmer function the memory the plan's warm estimate assumes", () => {
        assert.equal(run.one(T.lambda).inputs.memorySize, 1024);
    });
});
