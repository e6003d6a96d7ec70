// Zipf's law over ranks 1..N: P(rank i) ∝ i^-skew. Catalogue traffic looks like this (a few products get
// most reads), and it is what makes a pre-warm of the top K keys pay: they carry zipfMass(N, skew, K) of it.

/** Unnormalised cumulative weights: sums[i] = Σ_{j ≤ i+1} j^-skew. One place for both sampler and mass. */
function cumulativeWeights(n: number, skew: number): Float64Array {
    const sums = new Float64Array(n);
    let total = 0;
    for (let rank = 1; rank <= n; rank++) {
        total += rank ** -skew;
        sums[rank - 1] = total;
    }
    return sums;
}

/** Σ_{i≤K} i^-s / Σ_{i≤N} i^-s: the share of requests the K hottest keys receive. */
export function zipfMass(n: number, skew: number, topK: number): number {
    const sums = cumulativeWeights(n, skew);
    return sums[Math.min(topK, n) - 1] / sums[n - 1];
}

/** Draws ranks by inverting the precomputed CDF with a binary search: O(log N) per draw. */
export class ZipfSampler {
    private readonly cdf: Float64Array;

    constructor(
        readonly n: number,
        readonly skew: number,
    ) {
        if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be an integer ≥ 1, got ${n}`);
        if (!(skew > 0)) throw new RangeError(`skew must be > 0, got ${skew}`);
        this.cdf = cumulativeWeights(n, skew);
        const total = this.cdf[n - 1];
        for (let i = 0; i < n; i++) this.cdf[i] /= total;
        this.cdf[n - 1] = 1; // rounding must not leave a gap above the last rank
    }

    /** A rank in 1..n; `random` returns uniforms in [0, 1). */
    sample(random: () => number): number {
        const u = random();
        let lo = 0;
        let hi = this.n - 1;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (this.cdf[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        return lo + 1;
    }
}
