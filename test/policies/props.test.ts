// The property readers every policy stands on, called directly: what counts as a number, a string, a set value,
// a tag or a reference, and that only a preview's unknown is forgiven — any other error still surfaces.
import { strict as assert } from "node:assert";
import { PolicyResource, unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import {
    eachKnown,
    isRecord,
    isSet,
    known,
    listOf,
    numberOf,
    referencedBy,
    stringOf,
    tagsOf,
    Unknowns,
} from "../../policies/props";

/** Props the way the policy server hands them over: reading an unknown value throws UnknownValueError. */
const wrapped = (props: Record<string, unknown>) => unknownCheckingProxy(props) as Record<string, unknown>;

/** Props whose `broken` property throws a plain error: a bug in the pack or the SDK, not a preview's unknown. */
const throwing = () =>
    Object.defineProperty({}, "broken", {
        enumerable: true,
        get() {
            throw new Error("boom");
        },
    }) as Record<string, unknown>;

/** The fields of a PolicyResource that the helpers read. */
const policyResource = (
    name: string,
    props: Record<string, unknown>,
    propertyDependencies: Record<string, PolicyResource[]> = {},
): PolicyResource =>
    ({
        type: "test:index:Thing",
        name,
        urn: `urn:pulumi:test::warmstack::test:index:Thing::${name}`,
        props,
        propertyDependencies,
        dependencies: [],
    }) as unknown as PolicyResource;

describe("policies/props", () => {
    describe("shapes", () => {
        it("isRecord takes plain objects only: not null, not a list", () => {
            assert.equal(isRecord({ a: 1 }), true);
            assert.equal(isRecord(null), false);
            assert.equal(isRecord([]), false);
            assert.equal(isRecord("text"), false);
        });

        it("listOf passes a list through and turns anything else into an empty list", () => {
            assert.deepEqual(listOf([1, 2]), [1, 2]);
            assert.deepEqual(listOf(undefined), []);
            assert.deepEqual(listOf("a,b"), []);
            assert.deepEqual(listOf({ 0: "a", length: 1 }), []);
        });
    });

    describe("numberOf: numbers as numbers or as the strings of tags and parameters", () => {
        it("reads numbers and numeric strings", () => {
            assert.equal(numberOf(20), 20);
            assert.equal(numberOf("1800"), 1800);
            assert.equal(numberOf(" 42 "), 42);
            assert.equal(numberOf("0.1"), 0.1);
        });

        it("takes an empty or blank string as no number, not as 0", () => {
            assert.equal(numberOf(""), undefined);
            assert.equal(numberOf("   "), undefined);
        });

        it("refuses what is not a finite number: formulas, NaN, infinities, other types", () => {
            assert.equal(numberOf("{DBInstanceClassMemory/9531392}"), undefined);
            assert.equal(numberOf(Number.NaN), undefined);
            assert.equal(numberOf(Infinity), undefined);
            assert.equal(numberOf("Infinity"), undefined);
            assert.equal(numberOf(true), undefined);
            assert.equal(numberOf(null), undefined);
        });
    });

    it("stringOf keeps strings and drops every other type", () => {
        assert.equal(stringOf("db-params"), "db-params");
        assert.equal(stringOf(""), "");
        assert.equal(stringOf(5), undefined);
        assert.equal(stringOf({ value: "x" }), undefined);
    });

    describe("known: a value to match against, undefined while unknown", () => {
        it("reads a key of a record, and nothing from what is not a record", () => {
            assert.equal(known({ name: "app-group" }, "name"), "app-group");
            assert.equal(known(undefined, "name"), undefined);
            assert.equal(known(null, "name"), undefined);
            assert.equal(known("text", "length"), undefined);
            assert.equal(known(["a"], "0"), undefined);
        });

        it("returns undefined for a value unknown at preview", () => {
            assert.equal(known(wrapped({ name: unknownValue }), "name"), undefined);
        });

        it("lets any other error through", () => {
            assert.throws(() => known(throwing(), "broken"), /boom/);
        });
    });

    describe("isSet: whether a key holds a value", () => {
        it("counts a value, a non-empty list and a record as set", () => {
            assert.equal(isSet({ k: "token" }, "k"), true);
            assert.equal(isSet({ k: 0 }, "k"), true);
            assert.equal(isSet({ k: false }, "k"), true);
            assert.equal(isSet({ k: ["sg-1"] }, "k"), true);
            assert.equal(isSet({ k: { length: 0 } }, "k"), true);
        });

        it("counts missing, null, an empty string and an empty list as unset", () => {
            assert.equal(isSet({}, "k"), false);
            assert.equal(isSet({ k: undefined }, "k"), false);
            assert.equal(isSet({ k: null }, "k"), false);
            assert.equal(isSet({ k: "" }, "k"), false);
            assert.equal(isSet({ k: [] }, "k"), false);
        });

        it("counts a value only known after apply as set, and lets any other error through", () => {
            assert.equal(isSet(wrapped({ authToken: unknownValue }), "authToken"), true);
            assert.throws(() => isSet(throwing(), "broken"), /boom/);
        });
    });

    describe("tagsOf: an Auto Scaling group's list of { key, value }", () => {
        it("maps each tag's key to its value, a missing or non-string value to an empty string", () => {
            const tags = tagsOf({
                tags: [
                    { key: "warmstack:pool-writer", value: "10", propagateAtLaunch: false },
                    { key: "warmstack:cold-ok" },
                    { key: "warmstack:replicas", value: 2 },
                ],
            });
            assert.deepEqual(
                [...tags],
                [
                    ["warmstack:pool-writer", "10"],
                    ["warmstack:cold-ok", ""],
                    ["warmstack:replicas", ""],
                ],
            );
        });

        it("skips entries that are not tags: no record, or a key that is not a string", () => {
            const tags = tagsOf({ tags: [null, "warmstack:event", { key: 7, value: "x" }, { value: "y" }] });
            assert.deepEqual([...tags], []);
        });

        it("reads no tags from a map or from nothing", () => {
            assert.equal(tagsOf({ tags: { "warmstack:event": "blackfriday" } }).size, 0);
            assert.equal(tagsOf({}).size, 0);
        });
    });

    describe("referencedBy: the candidates a property refers to", () => {
        const group = policyResource("app-group", { name: "app-group" });
        const other = policyResource("batch", { name: "batch" });
        const nameless = policyResource("nameless", {});

        it("follows the property's dependencies even while its value is unknown", () => {
            const hook = policyResource("hook", wrapped({ autoscalingGroupName: unknownValue }), {
                autoscalingGroupName: [group],
            });
            assert.deepEqual(referencedBy(hook, "autoscalingGroupName", [group, other, nameless], ["name"]), [group]);
        });

        it("matches a literal value against the candidates' keys", () => {
            const hook = policyResource("hook", { autoscalingGroupName: "batch" });
            assert.deepEqual(referencedBy(hook, "autoscalingGroupName", [group, other, nameless], ["name"]), [other]);
        });

        it("matches nothing when the property is unset or unknown and has no dependency", () => {
            const unset = policyResource("hook", {});
            const unknown = policyResource("hook", wrapped({ autoscalingGroupName: unknownValue }));
            for (const hook of [unset, unknown]) {
                assert.deepEqual(referencedBy(hook, "autoscalingGroupName", [group, other, nameless], ["name"]), []);
            }
        });
    });

    describe("Unknowns: one unknown does not hide what the other resources prove", () => {
        const a = policyResource("cache-redis", {});
        const b = policyResource("db-params", {});

        it("stops only the check that met the unknown, and rethrows the first with the resource's name", () => {
            const unknowns = new Unknowns();
            assert.equal(
                unknowns.check(a, () => wrapped({ parameters: unknownValue }).parameters),
                undefined,
            );
            assert.equal(
                unknowns.check(b, () => "checked"),
                "checked",
                "a known check still returns its value",
            );
            unknowns.check(b, () => wrapped({ family: unknownValue }).family);
            assert.throws(
                () => unknowns.settle(),
                (err: unknown) =>
                    err instanceof UnknownValueError &&
                    /value at \.cache-redis\.parameters can't be known/.test((err as Error).message),
            );
        });

        it("lets any other error through at once", () => {
            const unknowns = new Unknowns();
            assert.throws(
                () =>
                    unknowns.check(a, () => {
                        throw new Error("boom");
                    }),
                /^Error: boom$/,
            );
            assert.doesNotThrow(() => unknowns.settle());
        });

        it("eachKnown runs every check before it rethrows the first unknown", () => {
            const seen: string[] = [];
            assert.throws(
                () =>
                    eachKnown([a, b], (r) => {
                        seen.push(r.name);
                        if (r === a) void wrapped({ x: unknownValue }).x;
                    }),
                UnknownValueError,
            );
            assert.deepEqual(seen, ["cache-redis", "db-params"]);
        });
    });
});
