// prewarm-fits-one-run: a warm past one run of its function must be partitioned into runs that each fit.
import { strict as assert } from "node:assert";
import { prewarmFitsOneRun } from "../../policies/prewarm-runs";
import { prewarm, replicationGroup } from "./fixtures";
import { passes, verdicts } from "./verdicts";

describe("prewarm-fits-one-run", () => {
    const cache = replicationGroup();

    it("passes a warm that fits its timeout, to the second, and a partitioned one whose runs each fit", async () => {
        // 30 s + 11,400,000 / 20,000 = 600 s: exactly the timeout.
        await passes(prewarmFitsOneRun, [cache, prewarm(cache, [], { topKeys: 11_400_000, timeoutSeconds: 600 })]);
        await passes(prewarmFitsOneRun, [cache, prewarm(cache, [], { topKeys: 50_000_000, partitions: 6 })]);
    });

    it("blocks one run past its timeout, naming the estimate, the timeout and the partitions needed", async () => {
        const v = await verdicts(prewarmFitsOneRun, [cache, prewarm(cache, [], { topKeys: 50_000_000 })]);
        assert.deepEqual(v.found, ["prewarm-fits-one-run mandatory cache-prewarm"]);
        assert.match(
            v.messages,
            /cache-prewarm: the warm of 50000000 keys needs about 2530 s at 20000 keys\/s \(2530 s per run in 1 partition\(s\)\), beyond one run of its function \(timeoutSeconds 600 s\): it needs at least 5 partitions\./,
        );
        const few = await verdicts(prewarmFitsOneRun, [
            cache,
            prewarm(cache, [], { topKeys: 50_000_000, partitions: 4 }),
        ]);
        // 12,500,000 keys per run: 655 s, still past 600 s.
        assert.match(few.messages, /\(655 s per run in 4 partition\(s\)\).*at least 5 partitions\./);
        assert.equal(
            (await verdicts(prewarmFitsOneRun, [cache, prewarm(cache, [], { topKeys: 11_400_001 })])).found.length,
            1,
        );
    });
});
