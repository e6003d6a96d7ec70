// prewarm-fits-one-run: a warm past one run of its function must be partitioned into runs that each fit — in
// process, and over the analyzer protocol from the pack started as the Pulumi CLI starts it.
import { strict as assert } from "node:assert";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { POLICY } from "../../policies/names";
import { prewarmFitsOneRun } from "../../policies/prewarm-runs";
import * as analyzer from "./analyzer";
import type { EngineResource } from "./harness";
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

describe("prewarm-fits-one-run: what a CachePrewarm leaves out", () => {
    const cache = replicationGroup();

    it("judges no warm without topKeys, and reads an absent timeout as the contract's 600 s", async () => {
        await passes(prewarmFitsOneRun, [cache, prewarm(cache, [], { topKeys: undefined })]);
        const open = { timeoutSeconds: undefined };
        await passes(prewarmFitsOneRun, [cache, prewarm(cache, [], { ...open, topKeys: 11_400_000 })]);
        const v = await verdicts(prewarmFitsOneRun, [cache, prewarm(cache, [], { ...open, topKeys: 11_400_001 })]);
        assert.match(v.messages, /\(timeoutSeconds 600 s\): it needs at least 2 partitions\./);
    });

    it("asks a timeout no longer than the run's start for a longer timeout, not for partitions", async () => {
        const v = await verdicts(prewarmFitsOneRun, [cache, prewarm(cache, [], { topKeys: 1, timeoutSeconds: 30 })]);
        assert.match(v.messages, /\(timeoutSeconds 30 s\): it needs a timeout above the run's 30 s start\.$/);
    });
});

describe("prewarm-fits-one-run over the analyzer protocol", function () {
    this.timeout(analyzer.START_TIMEOUT_MS + 30_000);
    const cache = replicationGroup();
    let pack: ReturnType<typeof analyzer.connect>;

    /** This policy's verdicts from AnalyzeStack, as the CLI asks for them at the end of a preview. */
    const stackVerdicts = async (resources: EngineResource[]) =>
        analyzer
            .verdicts(await pack.unary<proto.AnalyzeResponse>("analyzeStack", analyzer.stackRequest(resources)))
            .filter((v) => v.policy === POLICY.prewarmFitsOneRun);

    before(async () => {
        const started = analyzer.startPack();
        pack = analyzer.connect(await started.port, started.child);
        const info = await pack.unary<proto.AnalyzerInfo>("getAnalyzerInfo", new Empty());
        // The pack's own levels: no config file.
        await pack.unary("configure", analyzer.reconciled(info, {}));
    });
    after(() => pack?.stop());

    it("blocks, mandatory, one run past its timeout naming the estimate, the timeout and the partitions", async () => {
        const [found, ...more] = await stackVerdicts([cache, prewarm(cache, [], { topKeys: 50_000_000 })]);
        assert.deepEqual(more, []);
        assert.deepEqual([found.level, found.resource], ["mandatory", "cache-prewarm"]);
        assert.match(
            found.message,
            /the warm of 50000000 keys needs about 2530 s at 20000 keys\/s .*timeoutSeconds 600 s\): it needs at least 5 partitions\./,
        );
    });

    it("passes a warm partitioned into runs that each fit, and blocks one split too few", async () => {
        assert.deepEqual(await stackVerdicts([cache, prewarm(cache, [], { topKeys: 50_000_000, partitions: 6 })]), []);
        const few = await stackVerdicts([cache, prewarm(cache, [], { topKeys: 50_000_000, partitions: 4 })]);
        assert.deepEqual(
            few.map((v) => v.level),
            ["mandatory"],
        );
        assert.match(few[0].message, /\(655 s per run in 4 partition\(s\)\).*at least 5 partitions\./);
    });
});
