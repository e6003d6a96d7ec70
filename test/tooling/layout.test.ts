// docs/layout.md's table of who imports whom is held to the code: every relative import of every source file,
// folded to its folder, must be a row's entry, and every entry must be used.
import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";

const ROOT = path.join(__dirname, "..", "..");
const PARTS = ["policies/shared", "policies", "model", "infra", "warmers", "scripts"];

/** The part a repository path belongs to: the longest part it is under. */
function partOf(file: string): string | undefined {
    return PARTS.filter((p) => file === p || file.startsWith(`${p}/`)).sort((a, b) => b.length - a.length)[0];
}

function sources(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
        const rel = `${dir}/${entry.name}`;
        if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(rel);
        return /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [rel] : [];
    });
}

/** What each part imports from the others, read off the code. */
function importsOfTheCode(): Map<string, Set<string>> {
    const graph = new Map(PARTS.filter((p) => p !== "scripts").map((p) => [p, new Set<string>()]));
    for (const file of ["policies", "model", "infra", "warmers"].flatMap(sources)) {
        const from = partOf(file)!;
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");
        for (const [, spec] of text.matchAll(/(?:from|import\(|require\()\s*"(\.{1,2}\/[^"]+)"/g)) {
            const target = path
                .relative(ROOT, path.resolve(ROOT, path.dirname(file), spec))
                .split(path.sep)
                .join("/");
            const to = partOf(target);
            if (to && to !== from) graph.get(from)!.add(to);
        }
    }
    return graph;
}

/** The table in docs/layout.md: `| \`folder/\` | \`a/\`, \`b/\` |`. */
function importsOfTheDoc(): Map<string, Set<string>> {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "layout.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `([\w/]+)\/` +\| (.+) \|$/gm)];
    return new Map(
        rows.map(([, folder, cell]) => [folder, new Set([...cell.matchAll(/`([\w/]+)\/`/g)].map((m) => m[1]))]),
    );
}

describe("the layout (docs/layout.md)", () => {
    it("the table of who imports whom is what the code imports", () => {
        const code = importsOfTheCode();
        const doc = importsOfTheDoc();
        assert.deepEqual(
            Object.fromEntries([...doc].map(([k, v]) => [k, [...v].sort()])),
            Object.fromEntries([...code].map(([k, v]) => [k, [...v].sort()])),
        );
    });

    describe("lint's warmstack/one-way rule", () => {
        const eslint = new ESLint({ cwd: ROOT });
        const planted = async (file: string, source: string) => {
            const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, file) });
            return result.messages.filter((m) => m.ruleId === "warmstack/one-way").map((m) => m.message);
        };

        it("fails warmers/ importing infra/, naming the rule and the import", async () => {
            assert.deepEqual(await planted("warmers/engine/planted.ts", 'import "../../infra/stack";\n'), [
                'warmstack/one-way: warmers/ is run time only and may not import infra/ (Pulumi) (warmers/engine/planted.ts imports "../../infra/stack")',
            ]);
        });

        it("fails the model importing Pulumi, the AWS SDK, pg or ioredis, or a run-time folder", async () => {
            for (const pkg of ["@pulumi/pulumi", "@aws-sdk/client-lambda", "pg", "ioredis"])
                assert.equal((await planted("model/planted.ts", `import "${pkg}";\n`)).length, 1, pkg);
            assert.equal((await planted("model/planted.ts", 'import "../warmers/errors";\n')).length, 1);
            assert.deepEqual(
                await planted("model/planted.ts", 'import "zod";\nimport "../policies/shared/numbers";\n'),
                [],
            );
        });

        it("fails infra/ importing warmers/, and anything outside the pack importing more than its shared folder", async () => {
            assert.equal((await planted("infra/planted.ts", 'import "../warmers/engine/warm";\n')).length, 1);
            assert.equal((await planted("warmers/planted.ts", 'import "../policies/compute";\n')).length, 1);
            assert.deepEqual(await planted("warmers/planted.ts", 'import "../policies/shared/contract";\n'), []);
            assert.equal((await planted("policies/shared/planted.ts", 'import "../compute";\n')).length, 1);
            assert.equal((await planted("policies/planted.ts", 'import "../model/plan";\n')).length, 1);
        });
    });
});
