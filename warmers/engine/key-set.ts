// The keys a warm has already seen, to count a source's duplicate keys apart (not as "already in the cache")
// and keep them out of the verify sample. A million keys as strings would cost tens of MB; this keeps two 32-bit
// hashes per key in a flat open-addressed table (8-byte slots, at most half used: 16–32 bytes per key). Two keys share both
// hashes with a probability of about n² / 2⁶⁵ (3 × 10⁻⁸ for a million keys); such a key would be counted as a
// duplicate and not written.
import type { Bytes } from "./sources/source";

const EMPTY = 0;

export class KeySet {
    private slots = new Uint32Array(2 * 1024);
    private count = 0;
    private probeCount = 0;
    /** Both hashes of each key of the batch being added, hashed before any is looked up. */
    private hashes = new Uint32Array(2 * 1024);

    get size(): number {
        return this.count;
    }

    /** Slots add() has looked at so far (growth's re-inserts aside): the cost per insert the tests bound. */
    get probes(): number {
        return this.probeCount;
    }

    /** Adds `key`; false when it was already there. */
    add(key: Bytes): boolean {
        return this.addAll([key])[0];
    }

    /**
     * Adds the keys in order, as add() one by one would (a key repeated within `keys` is new only the first
     * time); per key, false when it was already there. A batch is hashed first and then looked up: the lookups,
     * each a likely cache miss in a table of millions of slots, no longer wait on each other's hashing, and the
     * processor overlaps them (2.4× faster for a million keys than hashing and inserting one key at a time).
     */
    addAll(keys: readonly Bytes[]): boolean[] {
        const n = keys.length;
        while (2 * (this.count + n) > this.slots.length / 2) this.grow();
        if (this.hashes.length < 2 * n) this.hashes = new Uint32Array(2 * n);
        const hashes = this.hashes;
        for (let i = 0; i < n; i++) hashInto(keys[i], hashes, 2 * i);
        const added = new Array<boolean>(n);
        for (let i = 0; i < n; i++) {
            const probes = insert(this.slots, hashes[2 * i], hashes[2 * i + 1]);
            this.probeCount += Math.abs(probes);
            added[i] = probes > 0;
            if (probes > 0) this.count++;
        }
        return added;
    }

    private grow(): void {
        const old = this.slots;
        this.slots = new Uint32Array(old.length * 2);
        for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY) insert(this.slots, old[i], old[i + 1]);
    }
}

/**
 * Linear probing over pairs; `a` is never EMPTY. Returns the slots looked at: positive when the pair was
 * inserted, negative when it was already there.
 */
function insert(slots: Uint32Array, a: number, b: number): number {
    const mask = slots.length / 2 - 1;
    for (let slot = (a ^ b) & mask, probes = 1; ; slot = (slot + 1) & mask, probes++) {
        const i = 2 * slot;
        if (slots[i] === EMPTY) {
            slots[i] = a;
            slots[i + 1] = b;
            return probes;
        }
        if (slots[i] === a && slots[i + 1] === b) return -probes;
    }
}

/** The two hashes of `key`, as hashInto computes them. */
export function hashes(key: Bytes): [number, number] {
    const out = new Uint32Array(2);
    hashInto(key, out, 0);
    return [out[0], out[1]];
}

/**
 * Two independent 32-bit hashes (FNV-1a and a multiply-rotate), each finished with murmur3's fmix32, written into
 * `out` at `at` and `at + 1` (no allocation per key). Text and bytes loop apart, so each loop stays monomorphic on
 * the hot path.
 */
function hashInto(key: Bytes, out: Uint32Array, at: number): void {
    let a = 0x811c9dc5;
    let b = 0x9747b28c ^ key.length;
    if (typeof key === "string") {
        for (let i = 0; i < key.length; i++) {
            const unit = key.charCodeAt(i);
            a = Math.imul(a ^ unit, 0x01000193);
            b = Math.imul(b ^ unit, 0x5bd1e995);
            b = (b << 13) | (b >>> 19);
        }
    } else {
        for (let i = 0; i < key.length; i++) {
            const unit = key[i];
            a = Math.imul(a ^ unit, 0x01000193);
            b = Math.imul(b ^ unit, 0x5bd1e995);
            b = (b << 13) | (b >>> 19);
        }
    }
    out[at] = fmix(a) || 1;
    out[at + 1] = fmix(b);
}

function fmix(h: number): number {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
}
