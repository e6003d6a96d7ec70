// `warmstack warm`: the engine's options as flags, a progress bar on a TTY, and a summary (one JSON object with
// --json) on stdout. Every default shown comes from WARM_DEFAULTS and every number is checked by the engine's own
// rule (WARM_LIMITS) as it is parsed, so `--top 0x10` fails before anything connects; docs/warm.md's flags table
// is WARM_FLAGS rendered (a test holds them equal).
import { Command, Option } from "commander";
import { ColdCacheError, WarmIncompleteError } from "../engine/errors";
import { describeNode, WarmEvictionError } from "../engine/memory-check";
import { WARM_DEFAULTS, WARM_LIMITS, type NumberOption, type WarmOptions } from "../engine/options";
import type { WarmReport } from "../engine/report";
import { parsePartition } from "../engine/partition";
import { checkNumber } from "../engine/resolve";
import { describe } from "./outcome";
import { printable } from "./printable";
import { ProgressBar } from "./progress";

type WarmFlags = Omit<WarmOptions, "onProgress"> & { json?: boolean };

export interface WarmFlag {
    /** As commander takes it: `--top <n>`. */
    flags: string;
    /** What the default column of the manual and the help say; from WARM_DEFAULTS where it has one. */
    default: string;
    help: string;
}

type OptionName = Exclude<keyof WarmOptions, "onProgress" | "username" | "password" | "tls">;

/** The default's words: WARM_DEFAULTS' value, or `fallback` for an option without one. */
function shown(name: OptionName, fallback: string): string {
    const value = (WARM_DEFAULTS as Partial<Record<OptionName, unknown>>)[name];
    if (value === undefined) return fallback;
    return typeof value === "boolean" ? (value ? "on" : "off") : String(value);
}

const flag = (name: OptionName, flags: string, fallback: string, help: string): WarmFlag & { name: OptionName } => ({
    name,
    flags,
    default: shown(name, fallback),
    help,
});

/** Every flag of `warmstack warm`, in the order of the help and the manual. */
export const WARM_FLAGS: readonly (WarmFlag & { name?: OptionName })[] = [
    flag(
        "source",
        "--source <url|file>",
        "required",
        "`postgres://…` (a query), `redis[s]://…` (copy its hottest keys) or a `.jsonl` file",
    ),
    flag(
        "redis",
        "--redis <url>",
        "required",
        "the Redis to warm: `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS",
    ),
    flag(
        "query",
        "--query <sql>",
        "required for postgres",
        "postgres: SQL returning `key`, `value` [, `ttl`] columns, hottest rows first",
    ),
    flag(
        "valueQuery",
        "--value-query <sql>",
        "none",
        "postgres: read each batch's values fresh just before writing, keys as `$1` (`… WHERE key = ANY($1)`); `--query` then only ranks the keys",
    ),
    flag("top", "--top <n>", "all", "read at most N rows (redis source: copy the N hottest keys)"),
    flag(
        "partition",
        "--partition <I/N>",
        "the whole hot set",
        "warm only the I-th of N disjoint shares of the hot set, split by a stable hash of the key (1 ≤ I ≤ N)",
    ),
    flag("cluster", "--cluster", "", "the target is a Redis Cluster (`--redis` names any node)"),
    flag("ttl", "--ttl <seconds>", "none", "TTL for rows without a `ttl` column; without it such keys do not expire"),
    flag(
        "jitter",
        "--jitter <fraction>",
        "",
        "spread each TTL uniformly over the whole seconds within ± this fraction",
    ),
    flag("batch", "--batch <n>", "", "keys per pipelined batch"),
    flag("concurrency", "--concurrency <n>", "", "batches in flight at once"),
    flag("rate", "--rate <ops>", "unlimited", "at most this many writes per second, on average"),
    flag("maxValueBytes", "--max-value-bytes <n>", "", "skip and count larger values (or DUMP payloads)"),
    flag("overwrite", "--overwrite", "", "replace keys that already exist (otherwise `SET … NX`: live data wins)"),
    flag(
        "acceptEviction",
        "--accept-eviction",
        "",
        "write even when the hot set does not fit the free memory of a primary that evicts: live keys will be evicted (otherwise refused before the first write)",
    ),
    flag("minWarmth", "--min-warmth <fraction>", "", "fail unless this fraction of the sampled hot keys is present"),
    flag("maxRefused", "--max-refused <n>", "", "fail when Redis refuses more writes than this (OOM…)"),
    flag(
        "verifySample",
        "--verify-sample <n>",
        "",
        "keys drawn uniformly from the whole hot set and checked afterwards",
    ),
    flag("retries", "--retries <n>", "", "retries of a batch after a transient Redis error, with exponential backoff"),
    flag("retryBackoffMs", "--retry-backoff-ms <ms>", "", "the first backoff; it doubles on every retry"),
    flag(
        "connectTimeoutMs",
        "--connect-timeout-ms <ms>",
        "",
        "to connect to any server, and again for its first check",
    ),
    flag("commandTimeoutMs", "--command-timeout-ms <ms>", "", "for any one Redis command or batch to answer"),
    flag("queryTimeoutMs", "--query-timeout-ms <ms>", "", "for any one database read"),
    flag("dryRun", "--dry-run", "", "read the source and report its sizes and the memory it needs; write nothing"),
    {
        flags: "--json",
        default: "off",
        help: "print one JSON object on stdout: the report, or `{error, progress?, report?}`",
    },
];

/** The flags table of docs/warm.md, rendered from WARM_FLAGS. */
export function warmFlagsTable(): string {
    const cell = (text: string) => text.replace(/\|/g, "\\|");
    return [
        "| flag | default | meaning |",
        "| --- | --- | --- |",
        ...WARM_FLAGS.map((f) => `| \`${cell(f.flags)}\` | ${cell(f.default)} | ${cell(f.help)} |`),
    ].join("\n");
}

export function warmCommand(): Command {
    const command = new Command("warm").description(
        "stream the hot keys from a source into Redis, then verify the cache is warm",
    );
    for (const spec of WARM_FLAGS) {
        const option = new Option(spec.flags, `${spec.help.replace(/`/g, "")} (default: ${spec.default})`);
        if (spec.name === "source" || spec.name === "redis") option.makeOptionMandatory();
        // Checked as it is parsed, like the numbers: a bad share fails before anything connects.
        if (spec.name === "partition") option.argParser((text: string) => (parsePartition(text), text));
        if (spec.name !== undefined && spec.name in WARM_LIMITS) {
            const name = spec.name as NumberOption;
            option.argParser((text: string) => checkNumber(name, text));
        }
        command.addOption(option);
    }
    return command.action(runWarm);
}

async function runWarm({ json, ...options }: WarmFlags): Promise<void> {
    // Loaded here, not at the top: `warmstack --help` and every other command start without pg and ioredis.
    const { warm } = await import("../engine/warm");
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

const MIB = 1024 * 1024;

/** The report as lines for a person; every text that comes from the data or a server is made printable. */
function summary(report: WarmReport): string {
    const { present, duplicate, null: none, tooLarge } = report.skipped;
    const source = printable(report.source);
    const seconds = (report.durationMs / 1000).toFixed(1);
    const { entries } = report;
    const share = report.partition ? ` (partition ${report.partition})` : "";
    const head = report.dryRun
        ? `dry run: read ${report.rowsRead} rows${share} from ${source} in ${seconds} s, wrote nothing`
        : `warmed ${report.keysWritten} keys${share} from ${source} into ${printable(report.redis)} in ${seconds} s (${report.keysPerSecond} keys/s)`;
    const errors = report.errors
        ? `; Redis refused ${report.errors}, first: ${printable(report.firstError ?? "")}`
        : "";
    const largest = entries.largest ? `, largest ${entries.largest.bytes} B (${printable(entries.largest.key)})` : "";
    const lines = [
        head,
        `read ${report.rowsRead} rows; skipped ${present} already present, ${duplicate} duplicate keys, ${none} null, ${tooLarge} too large${errors}`,
        `hot set: ${entries.count} entries, mean ${entries.meanBytes} B (key + value)${largest}; ` +
            `about ${(entries.redisBytes / MIB).toFixed(1)} MiB in Redis`,
    ];
    if (report.memory) {
        const { memory } = report;
        const verdict = memory.evicts
            ? report.dryRun
                ? "a warm would be refused (--accept-eviction writes anyway)"
                : "written anyway (--accept-eviction): live keys were evicted"
            : "fits";
        lines.push(`memory: ${verdict}`, ...memory.nodes.map((node) => `  ${describeNode(node, memory.headroom)}`));
    }
    if (report.oldestValueAgeMs !== undefined)
        lines.push(
            `oldest value written was read ${(report.oldestValueAgeMs / 1000).toFixed(1)} s before Redis had it`,
        );
    lines.push(
        `warmth ${report.warmth.toFixed(3)} (${report.verified.present} of ${report.verified.sampled} sampled hot keys present)`,
        "",
    );
    return lines.join("\n");
}

/** The --json line for a failed warm: the reason, plus how far it got when it got anywhere. */
function failure(err: unknown): object {
    const error = { name: (err as Error).name, code: (err as { code?: string }).code, message: describe(err) };
    if (err instanceof WarmIncompleteError) return { error, progress: err.progress };
    if (err instanceof ColdCacheError) return { error, report: err.report };
    if (err instanceof WarmEvictionError) return { error, memory: err.check };
    return { error };
}
