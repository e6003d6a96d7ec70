// `warmstack agent --config FILE` as a commander subcommand; the CLI adds it with program.addCommand().
import { Command } from "commander";

/**
 * The action rejects (AgentConfigError, AgentError) when the instance is not warm: run the program with
 * parseAsync() and exit non-zero on rejection.
 */
export function agentCommand(): Command {
    return new Command("agent")
        .description("warm DNS, connection pools and the app, then complete the launch lifecycle hook (CONTINUE, or ABANDON with the reason)")
        .requiredOption("--config <file>", "agent config JSON, as the launch template's user data writes it")
        .action(async (options: { config: string }) => {
            // Loaded on use: `warmstack warm` need not load pg pools and the AWS SDK.
            const { runAgentFromFile } = await import("./agent");
            await runAgentFromFile(options.config);
        });
}
