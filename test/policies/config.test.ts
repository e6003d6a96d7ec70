// The pack's settings (policies/config.ts): the schema's defaults overlaid by the stack's policy config.
import { strict as assert } from "node:assert";
import { cacheHaConfig, prewarmConfig, rampConfig, settings } from "../../policies/config";

describe("settings", () => {
    const configured = (config: object) => ({ getConfig: <T extends object>() => config as T });
    it("settings holds the schema's defaults overlaid by the config, and no key for a property with neither", () => {
        assert.deepEqual(settings(configured({}), cacheHaConfig), { minNodes: 2 });
        assert.deepEqual(settings(configured({ minNodes: 3 }), cacheHaConfig), { minNodes: 3 });
        assert.deepEqual(settings(configured({}), prewarmConfig), {});
        assert.deepEqual(settings(configured({ rampLeadMinutes: 30 }), rampConfig), { rampLeadMinutes: 30 });
    });
});
