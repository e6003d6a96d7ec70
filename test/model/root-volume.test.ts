// The root volume: the image at least, and a Hibernated pool's RAM beside it, from AWS's facts at preview or the
// config and the table offline — and the refusal of a pool AWS says cannot hibernate.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { planRootVolume } from "../../model/root-volume";
import { POOL_STATES } from "../../policies/shared/contract";
import { configWith, runs } from "./fixtures";

const config = (state: string, rootVolumeGb = 30, extra: (r: Record<string, any>) => void = () => undefined) =>
    configWith((r) => {
        r.compute.rootVolumeGb = rootVolumeGb;
        r.compute.warmPool = { state };
        extra(r);
    });

describe("root volume", () => {
    it("holds max(rootVolumeGb, the image) plus ⌈RAM⌉ when Hibernated, and never less (property)", () => {
        fc.assert(
            fc.property(
                fc.constantFrom(...POOL_STATES),
                fc.integer({ min: 8, max: 2000 }),
                fc.integer({ min: 1, max: 2000 }),
                fc.integer({ min: 512, max: 1_048_576 }),
                (state, rootVolumeGb, imageGiB, memoryMiB) => {
                    const facts = { memoryMiB, hibernationSupported: true, imageGiB };
                    const p = planRootVolume(config(state, rootVolumeGb), facts);
                    assert.ok(p.planned);
                    const base = Math.max(rootVolumeGb, imageGiB);
                    const ram = Math.ceil(memoryMiB / 1024);
                    assert.equal(p.value.gb, state === "Hibernated" ? base + ram : base);
                    assert.equal(p.value.memorySource, "aws");
                },
            ),
            { numRuns: runs(500) },
        );
    });

    it("refuses Hibernated on a type AWS says cannot hibernate, and only Hibernated", () => {
        const facts = { memoryMiB: 4096, hibernationSupported: false, imageGiB: 8 };
        const p = planRootVolume(config("Hibernated"), facts);
        assert.ok(!p.planned);
        assert.equal(p.problems[0].key, "warmstack:compute.warmPool.state");
        assert.match(p.problems[0].allowed, /c7i\.large cannot hibernate/);
        for (const state of ["Stopped", "Running"]) assert.ok(planRootVolume(config(state), facts).planned);
    });

    it("offline: cost.instanceMemoryGiB, else the table, else unknown (and the volume as given)", () => {
        const given = planRootVolume(config("Hibernated", 30, (r) => (r.cost = { instanceMemoryGiB: 5.5 })));
        assert.deepEqual(given, {
            planned: true,
            value: { gb: 36, memoryGiB: 5.5, memorySource: "cost.instanceMemoryGiB" },
        });
        const table = planRootVolume(config("Hibernated"));
        assert.deepEqual(table, { planned: true, value: { gb: 34, memoryGiB: 4, memorySource: "table" } });
        const unknown = planRootVolume(config("Hibernated", 30, (r) => (r.compute.instanceType = "m7i.large")));
        assert.deepEqual(unknown, { planned: true, value: { gb: 30, memorySource: "unknown" } });
    });
});
