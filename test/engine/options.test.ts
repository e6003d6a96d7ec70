// One home for each default: the `@defaultValue` of every option in warmers/engine/options.ts is the value
// WARM_DEFAULTS holds, and every default there is documented; resolution applies exactly those defaults.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { WARM_DEFAULTS, WARM_LIMITS } from "../../warmers/engine/options";
import { resolveOptions } from "../../warmers/engine/resolve";

const SOURCE = fs.readFileSync(path.join(__dirname, "..", "..", "warmers", "engine", "options.ts"), "utf8");

describe("warm options: one home for every default", () => {
    it("documents each default with @defaultValue, equal to WARM_DEFAULTS", () => {
        const documented = Object.fromEntries(
            [...SOURCE.matchAll(/@defaultValue (\S+)\s*\*\/\s*(\w+)\?:/g)].map(([, value, name]) => [name, value]),
        );
        assert.deepEqual(
            documented,
            Object.fromEntries(Object.entries(WARM_DEFAULTS).map(([name, value]) => [name, String(value)])),
        );
    });

    it("resolution fills in exactly WARM_DEFAULTS", () => {
        const resolved = resolveOptions({ source: "hot.jsonl", redis: "redis://127.0.0.1:6379" });
        const applied = Object.fromEntries(
            Object.keys(WARM_DEFAULTS).map((name) =>
                name === "cluster" ? [name, resolved.target.cluster] : [name, resolved[name as keyof typeof resolved]],
            ),
        );
        assert.deepEqual(applied, WARM_DEFAULTS);
    });

    it("every default lies within its own limits", () => {
        for (const [name, value] of Object.entries(WARM_DEFAULTS)) {
            const limit = WARM_LIMITS[name as keyof typeof WARM_LIMITS];
            if (!limit || typeof value !== "number") continue;
            assert.ok(value >= limit.min && (limit.max === undefined || value <= limit.max), name);
            if (limit.kind === "whole") assert.ok(Number.isInteger(value), name);
        }
    });
});

describe("warm options: where resolution rounds", () => {
    const resolve = (rate: number, batch?: number) =>
        resolveOptions({ source: "hot.jsonl", redis: "redis://127.0.0.1:6379", rate, batch }).batch;

    it("caps a batch at 100 ms of the rate, rounding up so a slow rate still sends one key", () => {
        assert.equal(resolve(5), 1); // 0.5 keys per 100 ms: one, never zero
        assert.equal(resolve(10), 1);
        assert.equal(resolve(10_001, 5000), 1001);
        assert.equal(resolve(20_000), 1000); // the default batch is smaller
        assert.equal(resolve(20_000, 3000), 2000);
    });
});
