// The `warmstack` program: every subcommand registered one way, loaded only when named, and every usage
// error — commander's own included — ending as `warmstack: <reason>` with exit code 2.
import assert from "node:assert/strict";
import { commandsNamed, COMMANDS, createProgram } from "../../warmers/cli";
import { describe as describeError, EXIT, exitCodeOf } from "../../warmers/cli/outcome";
import { WarmConnectionError, WarmInputError } from "../../warmers/engine/errors";
import { EXIT_BY_CODE } from "../../model/errors";
import { runCli } from "./run";

describe("warmstack (program)", function () {
    this.timeout(60_000);

    it("loads only the subcommand the command line names", async () => {
        assert.deepEqual(commandsNamed(["agent", "--config", "x.json"]), ["agent"]);
        assert.deepEqual(commandsNamed(["help", "drill"]), ["drill"]);
        assert.deepEqual(commandsNamed(["--help"]), Object.keys(COMMANDS));
        assert.deepEqual(commandsNamed(["nonsense"]), Object.keys(COMMANDS));
        const program = await createProgram(["drill", "--rows", "10"]);
        assert.deepEqual(
            program.commands.map((c) => c.name()),
            ["drill"],
        );
    });

    it("registers every subcommand under its own name", async () => {
        const program = await createProgram([]);
        assert.deepEqual(
            program.commands.map((c) => c.name()),
            Object.keys(COMMANDS),
        );
    });

    it("`warmstack agent` without --config says warmstack: … and exits 2, like every other command", async () => {
        const run = await runCli(["agent"]);
        assert.equal(run.code, EXIT.input);
        assert.equal(run.stderr, "warmstack: required option '--config <file>' not specified\n");
        assert.equal(run.stdout, "");
    });

    for (const [args, reason] of [
        [["warm", "--redis", "redis://127.0.0.1:1"], "required option '--source <url|file>' not specified"],
        [["drill", "--no-such-flag"], "unknown option '--no-such-flag'"],
        [["agent", "--config", "a.json", "extra"], "too many arguments for 'agent'. Expected 0 arguments but got 1."],
        [["nonsense"], "unknown command 'nonsense'"],
    ] as const) {
        it(`${args.join(" ")}: one line, warmstack: ${reason}, exit 2`, async () => {
            const run = await runCli(args);
            assert.equal(run.code, EXIT.input);
            assert.equal(run.stderr, `warmstack: ${reason}\n`);
        });
    }

    it("--help lists every subcommand and exits 0; `help NAME` shows that command's flags", async () => {
        const help = await runCli(["--help"]);
        assert.equal(help.code, 0);
        for (const name of Object.keys(COMMANDS)) assert.match(help.stdout, new RegExp(`^  ${name}\\b`, "m"));
        const agent = await runCli(["help", "agent"]);
        assert.equal(agent.code, 0);
        assert.match(agent.stdout, /--config <file>/);
    });

    it("ends with the exit code of the one list of codes, and names a bad option by its flag", () => {
        const input = new WarmInputError("maxValueBytes", "a whole number ≥ 1; given 0");
        assert.equal(exitCodeOf(input), EXIT_BY_CODE.WARM_INPUT);
        assert.equal(describeError(input), "--max-value-bytes: a whole number ≥ 1; given 0");
        assert.equal(exitCodeOf(new WarmConnectionError("redis", "no answer")), EXIT_BY_CODE.WARM_CONNECTION);
        assert.equal(exitCodeOf(new Error("a bug")), EXIT.unexpected);
        assert.match(describeError(new Error("a bug")), /^unexpected error: Error: a bug\n {4}at /);
    });
});
