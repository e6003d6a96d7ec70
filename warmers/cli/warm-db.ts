// `warmstack warm-db <postgres-url>… --relation NAME… [--primary URL] [--json]`: the replica warm against any
// PostgreSQL — one URL per replica — reporting the blocks loaded per server and relation.
import { Command, Option } from "commander";
import { given } from "../../model/errors";
import { wholeNumber } from "../fields";
import { REPLICA_WARM_DEFAULTS, ReplicaWarmError, ReplicaWarmReport, warmReplicas } from "../replica/warm";

const SCHEMES = ["postgres:", "postgresql:"];
const BLOCK_BYTES = 8192;

interface WarmDbFlags {
    relation: string[];
    primary?: string;
    json?: boolean;
    connectTimeout: number;
    relationTimeout: number;
}

/** A server URL from the command line; a bad one is named by its position, never echoed (it may hold a password). */
function serverUrl(value: string, i: number, name = `<postgres-url> ${i + 1}`): string {
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (!parsed || !SCHEMES.includes(parsed.protocol)) {
        const shown = parsed ? `${parsed.protocol}//${parsed.host}` : "(not a URL)";
        throw new ReplicaWarmError(
            "WARM_INPUT",
            `${name}: a postgres://… or postgresql://… URL; given ${given(shown)}`,
        );
    }
    return value;
}

function milliseconds(flag: string) {
    return (text: string) => wholeNumber(flag, text, { min: 1 });
}

/** The report a person reads: one line per server and relation, then the total. */
export function formatReplicaReport(report: ReplicaWarmReport): string {
    const rows = Object.entries(report.blocksLoaded).flatMap(([server, relations]) =>
        Object.entries(relations).map(([relation, blocks]) => [server, relation, blocks] as const),
    );
    const width = (i: 0 | 1) => Math.max(...rows.map((r) => r[i].length));
    const mib = (blocks: number) => `${((blocks * BLOCK_BYTES) / 2 ** 20).toFixed(1)} MiB`;
    return [
        ...rows.map(([server, relation, blocks]) => {
            const resident = report.resident[server];
            const after = resident ? `  ${resident[relation]} resident after` : "";
            return `${server.padEnd(width(0))}  ${relation.padEnd(width(1))}  ${String(blocks).padStart(9)} blocks  ${mib(blocks)}${after}`;
        }),
        `${report.totalBlocks} blocks (${mib(report.totalBlocks)}) loaded on ${Object.keys(report.blocksLoaded).length} server(s) in ${report.durationMs} ms`,
        ...Object.entries(report.resident)
            .filter(([, resident]) => resident === null)
            .map(
                ([server]) =>
                    `${server}: what stayed resident is not known: the pg_buffercache extension is not installed`,
            ),
    ].join("\n");
}

export function warmDbCommand(): Command {
    return new Command("warm-db")
        .description(
            "load tables and indexes into each PostgreSQL replica's buffer cache (pg_prewarm), so the first queries read no disk",
        )
        .argument("<postgres-url...>", "one URL per replica; sessions are read-only")
        .requiredOption("--relation <name...>", "table or index to load, as schema.name (repeat, or list several)")
        .option(
            "--primary <postgres-url>",
            "create the pg_prewarm extension here first (replicas are read-only and replay it)",
        )
        .option("--json", "print the report as one JSON object")
        .addOption(
            new Option("--connect-timeout <ms>", "each connection and short statement")
                .default(REPLICA_WARM_DEFAULTS.connectTimeoutMs)
                .argParser(milliseconds("connectTimeout")),
        )
        .addOption(
            new Option("--relation-timeout <ms>", "each relation's load on each server")
                .default(REPLICA_WARM_DEFAULTS.relationTimeoutMs)
                .argParser(milliseconds("relationTimeout")),
        )
        .action(async (urls: string[], flags: WarmDbFlags) => {
            const replicas = urls.map((url, i) => serverUrl(url, i));
            const primary = flags.primary === undefined ? undefined : serverUrl(flags.primary, 0, "--primary");
            const report = await warmReplicas({
                replicas,
                primary,
                relations: flags.relation,
                connectTimeoutMs: flags.connectTimeout,
                relationTimeoutMs: flags.relationTimeout,
            });
            process.stdout.write(`${flags.json ? JSON.stringify(report) : formatReplicaReport(report)}\n`);
        });
}
