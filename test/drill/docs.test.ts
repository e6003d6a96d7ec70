// The manual's flags table (docs/drill.md) is held to the code: the same flags as the command, the defaults of
// options.ts, and each "allowed" cell in the words the flag's own error uses.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { drillCommand } from "../../warmers/drill/command";
import { WarmInputError } from "../../warmers/engine/errors";
import {
    DEFAULTS,
    DEFAULT_TTL_SPIKES,
    MAX_TTL_SECONDS,
    resolveDrillOptions,
    type DrillInput,
} from "../../warmers/drill/options";

const DOC = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "drill.md"), "utf8");

/** The rows of the table under "## Flags": flag → [default, allowed], backticks dropped. */
function flagsTable(): Map<string, [string, string]> {
    const section = DOC.split(/^## Flags$/m)[1].split(/^## /m)[0];
    const rows = new Map<string, [string, string]>();
    for (const line of section.split("\n")) {
        const cells = line.split("|").map((cell) => cell.trim().replace(/`/g, ""));
        const flag = /^(--[a-z][a-z-]*)/.exec(cells[1] ?? "")?.[1];
        if (flag) rows.set(flag, [cells[2], cells[3]]);
    }
    return rows;
}

/** The "allowed" words of the error a bad value of `field` gives. */
function allowedWords(field: keyof DrillInput, bad: string): string {
    try {
        resolveDrillOptions({ rows: 20, [field]: bad });
    } catch (err) {
        assert.ok(err instanceof WarmInputError);
        return err.problem.split("; given")[0];
    }
    throw new Error(`${field}=${bad} was accepted`);
}

describe("drill: the manual's flags table", () => {
    const table = flagsTable();

    it("lists exactly the command's flags", () => {
        const flags = drillCommand().options.map((option) => option.long);
        assert.deepEqual([...table.keys()].sort(), flags.sort());
    });

    it("gives the defaults of options.ts", () => {
        const number = (flag: string) => Number(table.get(flag)?.[0].replace(/,/g, ""));
        assert.equal(number("--rows"), DEFAULTS.rows);
        assert.equal(number("--rps"), DEFAULTS.rps);
        assert.equal(number("--seconds"), DEFAULTS.seconds);
        assert.equal(number("--skew"), DEFAULTS.skew);
        assert.equal(number("--seed"), DEFAULTS.seed);
        assert.equal(table.get("--out")?.[0], DEFAULTS.out);
        assert.equal(table.get("--ttl")?.[0], `${DEFAULT_TTL_SPIKES} × --seconds, at most ${MAX_TTL_SECONDS}`);
    });

    it("words what each flag allows as its error does", () => {
        const cases: [string, keyof DrillInput, string][] = [
            ["--rows", "rows", "0"],
            ["--rps", "rps", "0"],
            ["--seconds", "seconds", "0"],
            ["--skew", "skew", "0"],
            ["--seed", "seed", "-1"],
            ["--ttl", "ttl", "0"],
            ["--redis", "redis", "redis://10.0.0.1"],
            ["--postgres", "postgres", "postgres://10.0.0.1/x"],
        ];
        for (const [flag, field, bad] of cases) {
            const cell = table.get(flag)?.[1] ?? "";
            const words = allowedWords(field, bad);
            assert.ok(cell.startsWith(words), `${flag}: the manual says "${cell}", the error "${words}"`);
        }
        // --warm-keys' bound is another flag: the manual names it, the error adds its value.
        assert.equal(allowedWords("warmKeys", "0"), "a whole number from 1 to --rows (20)");
        assert.ok(table.get("--warm-keys")?.[1].startsWith("a whole number from 1 to --rows"));
    });
});
