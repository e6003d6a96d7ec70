// The helpers the pack shares with the program: float noise dropped before rounding, instants to the second.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { atExpression, WARM_SCHEDULE } from "../../policies/shared/contract";
import { isoSeconds, settle } from "../../policies/shared/numbers";

describe("policies/numbers", () => {
    it("settle drops the noise a product picks up, so rounding lands on the exact value", () => {
        assert.equal(1000 * (1 - 0.9), 99.99999999999997);
        assert.equal(Math.floor(settle(1000 * (1 - 0.9))), 100);
        assert.equal(Math.ceil(settle(100 * 0.07)), 7);
        assert.equal(Math.ceil(settle(2.0000001)), 3, "a real excess is kept");
    });

    it("settle moves no value by more than its rounding step", () => {
        fc.assert(
            fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
                assert.ok(Math.abs(settle(x) - x) <= 5e-10, `${x} → ${settle(x)}`);
            }),
        );
    });

    it("isoSeconds writes UTC to the second and drops the milliseconds", () => {
        assert.equal(isoSeconds(Date.parse("2027-11-26T05:00:00.999+05:30")), "2027-11-25T23:30:00Z");
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 4102444800000 }), (ms) => {
                const text = isoSeconds(ms);
                assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
                assert.equal(Date.parse(text), ms - (ms % 1000));
            }),
        );
    });

    it("atExpression writes the one-time schedule expression the pack parses back", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 4102444800000 }), (ms) => {
                const match = WARM_SCHEDULE.expression.exec(atExpression(ms));
                assert.ok(match);
                assert.equal(Date.parse(`${match[1]}Z`), ms - (ms % 1000));
            }),
        );
    });
});
