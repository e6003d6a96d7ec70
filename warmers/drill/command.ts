// `warmstack drill` as a commander subcommand; the CLI adds it with program.addCommand(drillCommand()), as every command.
import { Command } from "commander";
import { DrillFailedError } from "./errors";
import { DEFAULTS, DEFAULT_WARM_SHARE, type DrillInput } from "./options";

export function drillCommand(): Command {
    return new Command("drill")
        .description(
            "rehearse the event locally: the same Zipf spike on a cold cache and on one the engine pre-warmed, measured and charted",
        )
        .option("--rows <n>", `products in the catalogue (default: ${DEFAULTS.rows})`)
        .option("--rps <n>", `requests per second during each spike (default: ${DEFAULTS.rps})`)
        .option("--seconds <n>", `length of each spike (default: ${DEFAULTS.seconds})`)
        .option("--skew <s>", `Zipf exponent of key popularity, > 0 (default: ${DEFAULTS.skew})`)
        .option(
            "--warm-keys <n>",
            `hottest keys to pre-warm, at most --rows (default: ${DEFAULT_WARM_SHARE * 100}% of --rows)`,
        )
        .option(
            "--redis <url>",
            "use this Redis on loopback instead of starting one (only the drill's keys are touched)",
        )
        .option(
            "--postgres <url>",
            "use this PostgreSQL on loopback instead of starting one (the drill creates its own table)",
        )
        .option("--out <dir>", `where the report and chart go (default: ${DEFAULTS.out})`)
        .option("--seed <n>", `seed of the key sequence both spikes replay (default: ${DEFAULTS.seed})`)
        .action(async (flags: DrillInput) => {
            // Loaded on use: the charting library is heavy, and only the drill needs it.
            const [{ runDrill }, { headline }] = await Promise.all([import("./drill"), import("./report")]);
            const run = await runDrill(flags, (line) => process.stderr.write(`${line}\n`));
            process.stdout.write(`${headline(run.result).join("\n")}\nreport: ${run.report}\nchart:  ${run.chart}\n`);
            if (run.problems.length) throw new DrillFailedError(run.problems, run.report);
        });
}
