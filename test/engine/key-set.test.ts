// The set of keys a warm has seen (duplicates counted apart): it answers as a Set of the keys would, through
// every growth of its table, for text and byte keys alike.
import assert from "node:assert/strict";
import fc from "fast-check";
import { hashes, KeySet } from "../../warmers/engine/key-set";

describe("KeySet", () => {
    it("adds a key once, as a Set does", () => {
        fc.assert(
            fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3000 }), (keys) => {
                const set = new KeySet();
                const reference = new Set<string>();
                for (const key of keys) {
                    assert.equal(set.add(key), !reference.has(key), JSON.stringify(key));
                    reference.add(key);
                }
                assert.equal(set.size, reference.size);
            }),
            { numRuns: 50 },
        );
    });

    it("holds a hundred thousand distinct keys without a false duplicate, bytes and text alike", () => {
        const set = new KeySet();
        for (let i = 0; i < 100_000; i++) assert.ok(set.add(`product:${i}`), `product:${i}`);
        for (let i = 0; i < 1000; i++) assert.ok(set.add(Buffer.from([i & 0xff, i >> 8, 0, 0xff])));
        assert.equal(set.add("product:99999"), false);
        assert.equal(set.add(Buffer.from([7, 0, 0, 0xff])), false);
        assert.equal(set.size, 101_000);
    });

    it("hashes the same bytes the same way, and never to the empty slot marker", () => {
        fc.assert(
            fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
                const [a, b] = hashes(Buffer.from(bytes));
                assert.deepEqual(hashes(Buffer.from(bytes)), [a, b]);
                assert.notEqual(a, 0);
            }),
        );
    });
});
