// `warmstack warm`: the engine's options as flags, a progress bar on a TTY, and a summary (one JSON object
// with --json) on stdout.
import { Command, InvalidArgumentError } from "commander";
import { ColdCacheError, WarmIncompleteError } from "../engine/errors";
import type { WarmOptions } from "../engine/options";
import type { WarmReport } from "../engine/report";
import { warm } from "../engine/warm";
import { describe } from "./outcome";
import { ProgressBar } from "./progress";

type WarmFlags = Omit<WarmOptions, "onProgress"> & { json?: boolean };

export function registerWarm(program: Command): void {
    program
        .command("warm")
        .description("stream the hot keys from a source into Redis, then verify the cache is warm")
        .requiredOption("--source <url|file>", "postgres://…, redis[s]://… (copy its hottest keys) or FILE.jsonl")
        .requiredOption(
            "--redis <url>",
            "the Redis to warm: redis://[user:password@]host[:port][/db] or rediss://… (TLS)",
        )
        .option("--query <sql>", "postgres source: SQL returning key, value [, ttl] columns, hottest rows first")
        .option("--top <n>", "read at most N rows (redis source: copy the N hottest keys)", number)
        .option("--cluster", "the target is a Redis Cluster (--redis names any node)")
        .option("--ttl <seconds>", "TTL for rows without a ttl column (default: no expiry)", number)
        .option("--jitter <fraction>", "spread each TTL uniformly by ± this fraction (default: 0.1)", number)
        .option("--batch <n>", "keys per pipelined batch (default: 1000)", number)
        .option("--concurrency <n>", "batches in flight at once (default: 3)", number)
        .option("--rate <ops>", "at most this many writes per second (default: unlimited)", number)
        .option("--max-value-bytes <n>", "skip and count larger values (default: 1048576)", number)
        .option("--overwrite", "replace keys that already exist (default: SET NX, live data wins)")
        .option(
            "--min-warmth <fraction>",
            "fail unless this fraction of the sampled hot keys is present (default: 0.95)",
            number,
        )
        .option("--dry-run", "read the source and report, write nothing")
        .option("--json", "print one JSON summary on stdout")
        .action(runWarm);
}

async function runWarm({ json, ...options }: WarmFlags): Promise<void> {
    const bar = !json && process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
    try {
        const report = await warm({ ...options, onProgress: bar && ((progress) => bar.update(progress)) });
        bar?.stop();
        process.stdout.write(json ? `${JSON.stringify(report)}\n` : summary(report));
    } catch (err) {
        bar?.stop();
        if (json) process.stdout.write(`${JSON.stringify(failure(err))}\n`);
        throw err;
    }
}

function number(value: string): number {
    const parsed = Number(value);
    if (!value.trim() || !Number.isFinite(parsed)) throw new InvalidArgumentError("expected a number.");
    return parsed;
}

function summary(report: WarmReport): string {
    const { present, null: none, tooLarge } = report.skipped;
    const seconds = (report.durationMs / 1000).toFixed(1);
    const head = report.dryRun
        ? `dry run: read ${report.rowsRead} rows from ${report.source} in ${seconds} s, wrote nothing`
        : `warmed ${report.keysWritten} keys from ${report.source} into ${report.redis} in ${seconds} s (${report.keysPerSecond} keys/s)`;
    const errors = report.errors ? `; ${report.errors} errors, first: ${report.firstError}` : "";
    return [
        head,
        `read ${report.rowsRead} rows; skipped ${present} already present, ${none} null, ${tooLarge} too large${errors}`,
        `warmth ${report.warmth.toFixed(3)} (${report.verified.present} of ${report.verified.sampled} sampled hot keys present)`,
        "",
    ].join("\n");
}

/** The --json line for a failed warm: the reason, plus how far it got when it got anywhere. */
function failure(err: unknown): object {
    const error = { name: (err as Error).name, code: (err as { code?: string }).code, message: describe(err) };
    if (err instanceof WarmIncompleteError) return { error, progress: err.progress };
    if (err instanceof ColdCacheError) return { error, report: err.report };
    return { error };
}
