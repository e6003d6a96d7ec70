// Lint the TypeScript sources with the recommended rules; tests and mocks use `any` for raw engine shapes.
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");

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
    {
        files: ["test/**/*.ts", "bench/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
    },
);
