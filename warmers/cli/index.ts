// The `warmstack` command line. Each subcommand lives in its own module, which exports `<name>Command()`;
// this file loads only the one the command line names, adds it, runs it and turns the outcome into an exit code.
import { Command, CommanderError } from "commander";
import { version } from "../../package.json";
import { Redactor, urlSecrets } from "../engine/redact";
import { describe, EXIT, exitCodeOf } from "./outcome";

/** Every subcommand, loaded on use: `warmstack warm` never evaluates the agent's AWS SDK or the drill's charts. */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
    warm: async () => (await import("./warm")).warmCommand(),
    "warm-db": async () => (await import("./warm-db")).warmDbCommand(),
    plan: async () => (await import("./plan")).planCommand(),
    check: async () => (await import("./check")).checkCommand(),
    agent: async () => (await import("../agent/command")).agentCommand(),
    drill: async () => (await import("../drill/command")).drillCommand(),
};

/** The subcommands to load for this command line: the one it names (`help NAME` too), or all of them for the help. */
export function commandsNamed(args: readonly string[]): string[] {
    const words = args.filter((arg) => !arg.startsWith("-"));
    const named = words[0] === "help" ? words[1] : words[0];
    return named !== undefined && named in COMMANDS ? [named] : Object.keys(COMMANDS);
}

/** The program for `args` (the words after `warmstack`), with the subcommands they need. */
export async function createProgram(args: readonly string[]): Promise<Command> {
    // exitOverride: commander throws instead of exiting, so main decides the code.
    const program = new Command("warmstack")
        .description("make the whole chain warm before the traffic comes")
        .version(version)
        .exitOverride()
        // Commander's own usage errors end like every other failure: one line, `warmstack: <reason>`.
        .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "warmstack: ")) });
    for (const command of await Promise.all(commandsNamed(args).map((name) => COMMANDS[name]()))) {
        // addCommand (unlike .command()) copies nothing: the subcommand must end the same way as the program.
        program.addCommand(command.copyInheritedSettings(program));
    }
    return program;
}

/** Runs the CLI on `process.argv`-shaped `argv` and resolves with the exit code; never exits the process itself. */
export async function main(argv: readonly string[]): Promise<number> {
    try {
        const program = await createProgram(argv.slice(2));
        await program.parseAsync([...argv]);
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
