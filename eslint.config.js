// Lint the TypeScript sources with the recommended rules; tests and mocks use `any` for raw engine shapes.
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");
const oneWay = require("./lint/one-way");

module.exports = tseslint.config(
    {
        ignores: [
            "node_modules/**",
            "policies/node_modules/**",
            "bin-build/**",
            "dist/**",
            "drill-report/**",
            "**/*.js",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    // The folders' arrows (docs/layout.md): a wrong-way import fails lint, naming the rule.
    { files: ["**/*.ts"], plugins: { warmstack: oneWay }, rules: { "warmstack/one-way": "error" } },
    {
        files: ["test/**/*.ts", "bench/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
    },
);
