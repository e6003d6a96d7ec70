// The `warmstack` command line. Each subcommand lives in its own module and registers itself on the
// program, so this file only wires and exits.
import { Command, CommanderError } from "commander";
import { version } from "../../package.json";
import { agentCommand } from "../agent/command";
import { Redactor, urlSecrets } from "../engine/redact";
import { registerDrill } from "../drill/command";
import { describe, EXIT, exitCodeOf } from "./outcome";
import { registerWarm } from "./warm";

export function createProgram(): Command {
    // exitOverride is inherited by subcommands: commander throws instead of exiting, so main decides the code.
    const program = new Command("warmstack")
        .description("make the whole chain warm before the traffic comes")
        .version(version)
        .exitOverride()
        // Commander's own usage errors end like every other failure: one line, `warmstack: <reason>`.
        .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "warmstack: ")) });
    registerWarm(program);
    program.addCommand(agentCommand());
    registerDrill(program);
    return program;
}

/** Runs the CLI and resolves with the exit code; never exits the process itself. */
export async function main(argv: readonly string[]): Promise<number> {
    try {
        await createProgram().parseAsync([...argv]);
        return EXIT.ok;
    } catch (err) {
        // Commander has already printed its usage error (or the help / version it was asked for).
        if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.input;
        // Typed errors are redacted already; this also covers a bug's stack that echoes a URL from the command line.
        const redactor = new Redactor(argv.flatMap(urlSecrets));
        process.stderr.write(`warmstack: ${redactor.text(describe(err))}\n`);
        return exitCodeOf(err);
    }
}
