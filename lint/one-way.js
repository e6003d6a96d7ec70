// warmstack/one-way: the folders' arrows point one way (docs/layout.md). Each rule names a folder, what it may
// not import, and why; a wrong-way import fails `npm run lint` with the rule's message.
"use strict";
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const PACKAGES_OUTSIDE_THE_MODEL = ["@pulumi/", "@aws-sdk/", "pg", "pg-cursor", "ioredis"];

/** Where an import points: a repository folder path (posix, from the root) or a package name. */
function targetOf(file, specifier) {
    if (!specifier.startsWith(".")) return { package: specifier };
    const absolute = path.resolve(path.dirname(file), specifier);
    return { path: path.relative(ROOT, absolute).split(path.sep).join("/") };
}

const under = (folder) => (p) => p === folder || p.startsWith(`${folder}/`);
const isPackage = (names) => (name) =>
    names.some((n) => (n.endsWith("/") ? name.startsWith(n) : name === n || name.startsWith(`${n}/`)));
const inPackOutsideShared = (p) => under("policies")(p) && !under("policies/shared")(p);

/** [the importing files, the forbidden target, the message]. */
const RULES = [
    [
        under("warmers"),
        (t) => t.path && under("infra")(t.path),
        "warmers/ is run time only and may not import infra/ (Pulumi)",
    ],
    [
        under("infra"),
        (t) => t.path && under("warmers")(t.path),
        "infra/ may not import warmers/: it bundles a run-time entry by its path (infra/bundles.ts)",
    ],
    [
        under("model"),
        (t) => t.path && !under("model")(t.path) && !under("policies/shared")(t.path),
        "model/ is pure: it imports only model/ and policies/shared/",
    ],
    [
        under("model"),
        (t) => t.package && isPackage(PACKAGES_OUTSIDE_THE_MODEL)(t.package),
        "model/ is pure: no Pulumi, no AWS SDK, no pg, no ioredis",
    ],
    [
        under("policies/shared"),
        (t) => t.path && !under("policies/shared")(t.path),
        "policies/shared/ is the contract others import: it imports nothing outside itself",
    ],
    [
        inPackOutsideShared,
        (t) => t.path && !under("policies")(t.path),
        "the policy pack is published alone: it imports nothing outside policies/",
    ],
    [
        (p) => !under("policies")(p) && !under("test")(p),
        (t) => t.path && inPackOutsideShared(t.path),
        "outside the pack, only policies/shared/ may be imported",
    ],
];

module.exports = {
    RULES,
    rules: {
        "one-way": {
            meta: { type: "problem", docs: { description: "the folders' imports point one way" }, schema: [] },
            create(context) {
                const file = context.filename;
                const from = path.relative(ROOT, file).split(path.sep).join("/");
                const applicable = RULES.filter(([importer]) => importer(from));
                if (applicable.length === 0) return {};
                const check = (node, source) => {
                    if (!source || typeof source.value !== "string") return;
                    const target = targetOf(file, source.value);
                    for (const [, forbidden, message] of applicable)
                        if (forbidden(target))
                            context.report({
                                node,
                                message: `warmstack/one-way: ${message} (${from} imports "${source.value}")`,
                            });
                };
                return {
                    ImportDeclaration: (node) => check(node, node.source),
                    ExportNamedDeclaration: (node) => check(node, node.source),
                    ExportAllDeclaration: (node) => check(node, node.source),
                    ImportExpression: (node) => check(node, node.source),
                    CallExpression: (node) => {
                        if (node.callee.type === "Identifier" && node.callee.name === "require")
                            check(node, node.arguments[0]);
                    },
                };
            },
        },
    },
};
