// `warmstack agent --config FILE [--watch]` as a commander subcommand; the CLI adds it with program.addCommand().
import { Command } from "commander";

/**
 * Without --watch, the action rejects (AgentConfigError, AgentError) when the instance is not warm: run the
 * program with parseAsync() and exit non-zero on rejection. With --watch it rejects only on a bad config file,
 * and resolves on SIGTERM.
 */
export function agentCommand(): Command {
    return new Command("agent")
        .description(
            "warm DNS, connection pools and the app, then complete the launch lifecycle hook (CONTINUE, or ABANDON with the reason)",
        )
        .requiredOption("--config <file>", "agent config JSON, as the launch template's user data writes it")
        .option(
            "--watch",
            "keep running: poll the target lifecycle state and warm once per warm pool transition, until SIGTERM",
        )
        .action(async (options: { config: string; watch?: boolean }) => {
            // Loaded on use: `warmstack warm` need not load pg pools and the AWS SDK.
            if (!options.watch) {
                const { runAgentFromFile } = await import("./agent");
                await runAgentFromFile(options.config);
                return;
            }
            const { watchLifecycleFromFile } = await import("./watch");
            const stop = new AbortController();
            const onSigterm = () => stop.abort();
            process.once("SIGTERM", onSigterm);
            try {
                await watchLifecycleFromFile(options.config, { signal: stop.signal });
            } finally {
                process.off("SIGTERM", onSigterm);
            }
        });
}
