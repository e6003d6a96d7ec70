import assert from "node:assert/strict";
import fc from "fast-check";
import { seededRandom } from "../../warmers/drill/random";
import { ZipfSampler, zipfMass } from "../../warmers/drill/zipf";

const size = fc.integer({ min: 1, max: 5_000 });
const skew = fc.double({ min: 0.05, max: 3, noNaN: true });
const seed = fc.integer({ min: 0, max: 2 ** 32 - 1 });

describe("drill: Zipf sampler and mass", () => {
    it("draws ranks within 1..N", () => {
        fc.assert(
            fc.property(size, skew, seed, (n, s, sd) => {
                const sampler = new ZipfSampler(n, s);
                const random = seededRandom(sd);
                for (let i = 0; i < 200; i++) {
                    const rank = sampler.sample(random);
                    assert.ok(Number.isInteger(rank) && rank >= 1 && rank <= n, `rank ${rank} outside 1..${n}`);
                }
            }),
        );
    });

    it("draws rank 1 and the top 10 as often as their mass says, over a big sample", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 10, max: 100_000 }),
                fc.double({ min: 0.5, max: 2, noNaN: true }),
                seed,
                (n, s, sd) => {
                    const draws = 50_000;
                    const sampler = new ZipfSampler(n, s);
                    const random = seededRandom(sd);
                    let first = 0;
                    let top10 = 0;
                    for (let i = 0; i < draws; i++) {
                        const rank = sampler.sample(random);
                        if (rank === 1) first++;
                        if (rank <= 10) top10++;
                    }
                    for (const [k, seen] of [
                        [1, first],
                        [10, top10],
                    ]) {
                        const p = zipfMass(n, s, k);
                        const sd5 = 5 * Math.sqrt((p * (1 - p)) / draws); // five standard deviations: flake-free
                        assert.ok(
                            Math.abs(seen / draws - p) <= sd5 + 1e-9,
                            `top ${k}: ${seen / draws} vs mass ${p} (n ${n}, skew ${s})`,
                        );
                    }
                },
            ),
            { numRuns: 12 },
        );
    });

    it("zipfMass grows with K and is exactly 1 at K = N", () => {
        fc.assert(
            fc.property(
                size,
                skew,
                fc.double({ min: 0, max: 1, noNaN: true }),
                fc.double({ min: 0, max: 1, noNaN: true }),
                (n, s, a, b) => {
                    const [k1, k2] = [a, b].map((f) => 1 + Math.floor(f * (n - 1))).sort((x, y) => x - y);
                    assert.ok(zipfMass(n, s, k1) <= zipfMass(n, s, k2));
                    if (k1 < k2) assert.ok(zipfMass(n, s, k1) < zipfMass(n, s, k2), "each extra key carries some mass");
                    assert.equal(zipfMass(n, s, n), 1);
                },
            ),
        );
    });

    it("zipfMass matches the harmonic sums by hand", () => {
        assert.equal(zipfMass(2, 1, 1), 2 / 3);
        assert.ok(Math.abs(zipfMass(4, 2, 2) - (1 + 1 / 4) / (1 + 1 / 4 + 1 / 9 + 1 / 16)) < 1e-15);
    });

    it("replays the same ranks from the same seed, other ranks from another", () => {
        const draw = (sd: number) => {
            const sampler = new ZipfSampler(1_000, 1);
            const random = seededRandom(sd);
            return Array.from({ length: 100 }, () => sampler.sample(random));
        };
        assert.deepEqual(draw(7), draw(7));
        assert.notDeepEqual(draw(7), draw(8));
    });
});
