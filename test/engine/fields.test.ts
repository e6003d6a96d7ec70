// The shared field checks: strict number syntax (a person's `0x10` or `1e3` is not the integer it parses to),
// ranges at their edges, and the one wording `field: allowed; given value`.
import assert from "node:assert/strict";
import fc from "fast-check";
import { EXIT, exitCodeFor, exitCodeOf, WarmstackError } from "../../model/errors";
import { decimal, fieldError, fraction, text, url, wholeNumber } from "../../warmers/fields";
import { WarmInputError } from "../../warmers/engine/errors";

const rejects = (fn: () => unknown, message: string) =>
    assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof WarmInputError);
        assert.equal(err.message, message);
        return true;
    });

describe("fields: the shared validators", () => {
    it("reads whole numbers from numbers and decimal text only", () => {
        assert.equal(wholeNumber("top", "16", { min: 1 }), 16);
        assert.equal(wholeNumber("top", 16, { min: 1 }), 16);
        rejects(() => wholeNumber("top", "0x10", { min: 1 }), 'top: a whole number ≥ 1; given "0x10"');
        rejects(() => wholeNumber("ttl", "1e3", { min: 1 }), 'ttl: a whole number ≥ 1; given "1e3"');
        rejects(() => wholeNumber("ttl", " 5", { min: 1 }), 'ttl: a whole number ≥ 1; given " 5"');
        rejects(() => wholeNumber("ttl", 2.5, { min: 1 }), "ttl: a whole number ≥ 1; given 2.5");
        rejects(() => wholeNumber("ttl", undefined, { min: 1 }), "ttl: a whole number ≥ 1; given nothing");
    });

    it("holds every range at both edges", () => {
        fc.assert(
            fc.property(fc.integer({ min: -1000, max: 1000 }), fc.nat(1000), (min, width) => {
                const max = min + width;
                const range = { min, max };
                assert.equal(wholeNumber("n", min, range), min);
                assert.equal(wholeNumber("n", String(max), range), max);
                assert.throws(() => wholeNumber("n", min - 1, range), WarmInputError);
                assert.throws(() => wholeNumber("n", max + 1, range), WarmInputError);
                assert.equal(decimal("x", min, range), min);
                assert.equal(decimal("x", max, range), max);
                assert.throws(() => decimal("x", min - 0.001, range), WarmInputError);
                assert.throws(() => decimal("x", max + 0.001, range), WarmInputError);
            }),
        );
        assert.throws(() => decimal("rate", 0, { min: 0, exclusiveMin: true }), /rate: a number > 0; given 0/);
        assert.equal(decimal("rate", "0.5", { min: 0, exclusiveMin: true }), 0.5);
        rejects(() => decimal("rate", "1e3", { min: 0 }), 'rate: a number ≥ 0; given "1e3"');
    });

    it("fractions from 0 to max, inclusive", () => {
        assert.equal(fraction("jitter", "0.25"), 0.25);
        assert.equal(fraction("jitter", 0), 0);
        assert.equal(fraction("jitter", 1), 1);
        rejects(() => fraction("jitter", 1.01), "jitter: a fraction from 0 to 1; given 1.01");
        rejects(() => fraction("jitter", 0.999_5, 0.999), "jitter: a fraction from 0 to 0.999; given 0.9995");
        rejects(() => fraction("jitter", "-0.1"), 'jitter: a fraction from 0 to 1; given "-0.1"');
    });

    it("a URL is checked by scheme and never echoed whole", () => {
        assert.equal(url("redis", "redis://h:1", ["redis:", "rediss:"]).port, "1");
        rejects(
            () => url("redis", "http://u:hunter22@h:1", ["redis:", "rediss:"]),
            'redis: a redis://… or rediss://… URL; given "http://h:1"',
        );
        rejects(() => url("redis", "nope", ["redis:"]), 'redis: a redis://… URL; given "(not a URL)"');
        rejects(() => text("query", "  "), 'query: a non-empty string; given "  "');
        assert.equal(fieldError("a", "b", 1).message, "a: b; given 1");
    });

    it("maps every code to its exit, and anything untyped to unexpected", () => {
        class Cold extends WarmstackError {
            readonly code = "WARM_COLD";
        }
        const err = new Cold("cold");
        assert.equal(err.name, "Cold");
        assert.equal(exitCodeOf(err), EXIT.cold);
        assert.equal(exitCodeFor("WARM_INPUT"), EXIT.input);
        assert.equal(exitCodeFor("toString"), EXIT.unexpected);
        assert.equal(exitCodeOf(new Error("bug")), EXIT.unexpected);
    });
});
