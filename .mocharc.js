// Shared settings; the spec is given by `npm test` (every test/**/*.test.ts) or on the command line, so
// `npx mocha test/engine` runs just that part. test/support's root hooks stop the private servers.
module.exports = {
    require: ["ts-node/register/transpile-only", "test/support/hooks.ts"],
    extension: ["ts"],
    timeout: 60000,
    reporter: "spec",
};
