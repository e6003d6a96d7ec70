// One suite for every part; test/support's root hooks stop the private servers after the run.
module.exports = {
  require: ["ts-node/register/transpile-only", "test/support/hooks.ts"],
  extension: ["ts"],
  spec: ["test/**/*.test.ts"],
  recursive: true,
  timeout: 60000,
  reporter: "spec",
};
