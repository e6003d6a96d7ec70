// The areas `npm run mutate:area` runs (scripts/mutate-area.js) cover exactly the modules `npm run mutate` does,
// and every module and test they name exists: a renamed file would otherwise drop out of the measurement unseen.
import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";

const { AREAS, configFor } = require("../../scripts/mutate-area.js") as {
    AREAS: Record<string, { mutate: string[]; spec: string[] }>;
    configFor: (area: string) => Record<string, any>;
};
const root = path.join(__dirname, "..", "..");
const main = JSON.parse(fs.readFileSync(path.join(root, "stryker.config.json"), "utf8"));
/** The files a pattern names: a path, or a folder's files by name with `*` (the only wildcard the lists use). */
function globSync(pattern: string, { ignore = [] as string[] } = {}): string[] {
    const dir = path.dirname(pattern);
    const name = new RegExp(`^${path.basename(pattern).replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`);
    const found = fs.existsSync(path.join(root, dir)) ? fs.readdirSync(path.join(root, dir)) : [];
    return found
        .filter((file) => name.test(file))
        .map((file) => path.posix.join(dir, file))
        .filter((file) => !ignore.includes(file));
}
const files = (patterns: string[]) => {
    const ignore = patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
    return patterns
        .filter((p) => !p.startsWith("!"))
        .flatMap((p) => globSync(p, { ignore }))
        .sort();
};

describe("mutation areas (npm run mutate:area)", () => {
    it("together mutate exactly the modules of stryker.config.json, each once", () => {
        const byArea = Object.values(AREAS).flatMap((area) => files(area.mutate));
        assert.deepEqual(byArea.slice().sort(), files(main.mutate));
        assert.equal(new Set(byArea).size, byArea.length, "a module in two areas");
    });

    for (const [name, area] of Object.entries(AREAS)) {
        it(`${name}: every module and every test pattern names a file that exists`, () => {
            for (const pattern of [...area.mutate, ...area.spec].filter((p) => !p.startsWith("!")))
                assert.ok(globSync(pattern).length > 0, pattern);
        });
    }

    it("an area's run keeps the main settings and writes its report and sandbox under its own name", () => {
        const config = configFor("engine");
        assert.equal(config.coverageAnalysis, main.coverageAnalysis);
        assert.equal(config.ignoreStatic, true);
        assert.deepEqual(config.mochaOptions.require, main.mochaOptions.require);
        assert.deepEqual(config.mochaOptions.spec, AREAS.engine.spec);
        assert.equal(config.jsonReporter.fileName, "reports/mutation/engine/mutation.json");
        assert.equal(config.incrementalFile, "reports/mutation/engine/incremental.json");
        assert.equal(config.tempDirName, ".stryker-tmp/engine");
    });
});
