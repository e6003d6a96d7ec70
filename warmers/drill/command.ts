// `warmstack drill` as a commander subcommand; the CLI adds it with program.addCommand(drillCommand()), as every command.
import { Command } from "commander";
import { DrillFailedError } from "./errors";
import { DEFAULTS, DEFAULT_TTL_SPIKES, DEFAULT_WARM_SHARE, MAX_TTL_SECONDS, type DrillInput } from "./options";

export function drillCommand(): Command {
    return new Command("drill")
        .description(
            "rehearse the event locally: the same Zipf spike three times: on a cold cache, after a pre-warm whose TTL ran out, and after an event-timed pre-warm; measured and charted",
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
            "--ttl <seconds>",
            `TTL of the pre-warmed keys; the early warm waits it out (default: ${DEFAULT_TTL_SPIKES} × --seconds, at most ${MAX_TTL_SECONDS})`,
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
        .option("--seed <n>", `seed choosing which key sequence every spike replays (default: ${DEFAULTS.seed})`)
        .action(async (flags: DrillInput) => {
            // Loaded on use: the charting library is heavy, and only the drill needs it.
            const [{ runDrill }, { headline }] = await Promise.all([import("./drill"), import("./report")]);
            const run = await runDrill(flags, (line) => process.stderr.write(`${line}\n`));
            process.stdout.write(`${headline(run.result).join("\n")}\nreport: ${run.report}\nchart:  ${run.chart}\n`);
            if (run.problems.length) throw new DrillFailedError(run.problems, run.report);
        });
}
