// The replica warm: `pg_prewarm` of the configured tables and indexes on every read replica, so the event's first
// queries find their blocks in shared buffers. A new replica opens with an empty buffer cache (and on RDS its
// blocks come from S3 on first touch); autoprewarm only restores what the same server dumped before a restart.
// The extension is created on the primary first (replicas are read-only and replay it); each replica session is
// read-only; every connection and statement has its own timeout.
import { Client } from "pg";
import { WarmstackError } from "../../model/errors";
import { Redactor, urlSecrets } from "../engine/redact";
import { refusedLogin } from "../engine/sources/pg";
import { pgSslUrl } from "../engine/sources/pg-ssl";
import { withTimeout } from "../timeout";

/** Blocks `pg_prewarm` loaded: server (host:port) → relation → blocks. */
import type { BlocksLoaded } from "../../model/prewarm-contract";

export const REPLICA_WARM_DEFAULTS = {
    /** Connect, and each short statement (checks, CREATE EXTENSION). */
    connectTimeoutMs: 10_000,
    /** Each relation's `pg_prewarm`: reads the whole relation, so far longer than a connect. */
    relationTimeoutMs: 300_000,
    /** How long a replica may take to replay the primary's CREATE EXTENSION. */
    replayWaitMs: 10_000,
} as const;

export interface ReplicaWarmOptions {
    /** One PostgreSQL URL per replica (or any server whose buffers should be warm). */
    replicas: readonly string[];
    /** Tables and indexes, as `schema.name` or a name on the search path. */
    relations: readonly string[];
    /** The primary, where `CREATE EXTENSION IF NOT EXISTS pg_prewarm` runs first. Absent: the replicas must have it. */
    primary?: string;
    /** @defaultValue {@link REPLICA_WARM_DEFAULTS}.connectTimeoutMs */
    connectTimeoutMs?: number;
    /** @defaultValue {@link REPLICA_WARM_DEFAULTS}.relationTimeoutMs */
    relationTimeoutMs?: number;
    /** @defaultValue {@link REPLICA_WARM_DEFAULTS}.replayWaitMs */
    replayWaitMs?: number;
    /** Where progress lines go; silent when omitted. */
    log?: (line: string) => void;
}

export interface ReplicaWarmReport {
    blocksLoaded: BlocksLoaded;
    /**
     * Blocks of each relation in shared buffers once every load has finished (pg_buffercache), per server; null
     * for a server without the pg_buffercache extension, where it cannot be seen.
     */
    resident: Record<string, Record<string, number> | null>;
    totalBlocks: number;
    durationMs: number;
}

/**
 * A replica warm that could not run: `WARM_INPUT` for a relation or extension that is not there (a re-run will
 * not help), `WARM_CONNECTION` for a server that did not answer in time. The message names the server.
 */
export class ReplicaWarmError extends WarmstackError {
    constructor(
        readonly code: "WARM_INPUT" | "WARM_CONNECTION",
        message: string,
        options?: { cause?: unknown },
    ) {
        super(message, options);
    }
}

/** `host:port`: how a server is named in reports and errors, never with its credentials. */
export function serverName(url: string): string {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}`;
}

interface Session {
    name: string;
    /** `what` names the statement in errors: "pg_prewarm of catalog.products". */
    query<R extends Record<string, unknown>>(what: string, text: string, values: unknown[], ms: number): Promise<R[]>;
    close(): Promise<void>;
}

async function open(url: string, readOnly: boolean, o: Resolved, redactor: Redactor): Promise<Session> {
    const name = serverName(url);
    const timeoutMs = o.connectTimeoutMs;
    const ssl = pgSslUrl(url);
    if (!ssl.ok) throw new ReplicaWarmError("WARM_INPUT", `${name}: ${ssl.problem}`);
    const client = new Client({
        connectionString: ssl.url,
        application_name: "warmstack-replica-warm",
        // Backstops that free the socket and stop the server's work; withTimeout below is what reports.
        connectionTimeoutMillis: timeoutMs + 1000,
        statement_timeout: o.relationTimeoutMs + 1000,
        ...(readOnly && { options: "-c default_transaction_read_only=on" }),
    });
    client.on("error", () => undefined); // a lost connection surfaces through the query that needed it
    const fail = (what: string, err: unknown, code: ReplicaWarmError["code"] = "WARM_CONNECTION") =>
        new ReplicaWarmError(code, `${name}: ${what}: ${redactor.text((err as Error).message)}`, { cause: err });
    try {
        await withTimeout(client.connect(), timeoutMs, `connect to ${name}`);
    } catch (err) {
        void client.end().catch(() => undefined);
        // A wrong password or a missing database: the URL's fault, which a re-run cannot fix.
        const login = refusedLogin(err);
        if (login) throw fail(`refused the login (${login})`, err, "WARM_INPUT");
        throw fail("cannot connect", err);
    }
    return {
        name,
        async query<R extends Record<string, unknown>>(what: string, text: string, values: unknown[], ms: number) {
            try {
                return (await withTimeout(client.query<R>(text, values), ms, "the statement")).rows;
            } catch (err) {
                // A statement that timed out still runs on the server: drop the connection so it is cancelled.
                void client.end().catch(() => undefined);
                throw fail(what, err);
            }
        },
        close: () => withTimeout(client.end(), timeoutMs, `close ${name}`).catch(() => undefined),
    };
}

const HAS_PREWARM = "SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'";

/** The extension on the primary: created if missing, by a role allowed to (the master user on RDS). */
async function ensureExtension(url: string, o: Resolved, redactor: Redactor): Promise<void> {
    const timeoutMs = o.connectTimeoutMs;
    const session = await open(url, false, o, redactor);
    try {
        await session
            .query("create", "CREATE EXTENSION IF NOT EXISTS pg_prewarm", [], timeoutMs)
            .catch((err: Error) => {
                throw new ReplicaWarmError(
                    "WARM_INPUT",
                    `${session.name}: cannot create the pg_prewarm extension (it needs a role allowed to create ` +
                        `extensions, and pg_prewarm among the server's available extensions): ${(err.cause as Error).message}`,
                    { cause: err },
                );
            });
    } finally {
        await session.close();
    }
}

/** Checks the extension and every relation on one server before anything loads; one error names all that miss. */
async function check(session: Session, relations: readonly string[], o: Resolved): Promise<void> {
    const until = Date.now() + (o.primary ? o.replayWaitMs : 0);
    while ((await session.query("extension check", HAS_PREWARM, [], o.connectTimeoutMs)).length === 0) {
        if (Date.now() >= until) {
            throw new ReplicaWarmError(
                "WARM_INPUT",
                `${session.name}: the pg_prewarm extension is not installed: run CREATE EXTENSION pg_prewarm on the ` +
                    "primary (replicas replay it), or give the primary so the warm creates it",
            );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const badNames = relations.filter((name) => !RELATION_NAME.test(name));
    const rows = await session.query<RelationRow>(
        "relation check",
        RELATION_CHECK,
        [relations.filter((name) => RELATION_NAME.test(name))],
        o.connectTimeoutMs,
    );
    const problems = [
        ...badNames.map((name) => `${JSON.stringify(name)} is not a relation name`),
        ...rows.flatMap((row) => relationProblem(row) ?? []),
    ];
    if (problems.length > 0) {
        throw new ReplicaWarmError(
            "WARM_INPUT",
            `${session.name}: ${problems.join("; ")} (give tables, materialized views or indexes as schema.name, as \\d lists them)`,
        );
    }
    // Loaded one after another into shared_buffers: more than it holds, and the last ones evict the first. The
    // sizes wait on the same locks as pg_prewarm (ACCESS SHARE), so they get a relation's timeout.
    const [{ bytes: size }] = await session.query<{ bytes: string }>(
        "size check",
        "SELECT coalesce(sum(pg_relation_size(to_regclass(name))), 0)::bigint AS bytes FROM unnest($1::text[]) AS name",
        [relations],
        o.relationTimeoutMs,
    );
    const total = Number(size);
    const [{ bytes: buffers }] = await session.query<{ bytes: string }>(
        "shared_buffers check",
        "SELECT setting::bigint * current_setting('block_size')::bigint AS bytes FROM pg_settings WHERE name = 'shared_buffers'",
        [],
        o.connectTimeoutMs,
    );
    if (total > Number(buffers)) {
        throw new ReplicaWarmError(
            "WARM_INPUT",
            `${session.name}: the relations take ${mib(total)}, more than shared_buffers (${mib(Number(buffers))}): ` +
                "the last loaded would evict the first; warm fewer relations (the hottest) or raise shared_buffers",
        );
    }
}

// A name to_regclass reads without an error: one to three dot-separated identifiers, each plain or double-quoted.
const IDENT = String.raw`(?:[\p{L}_][\p{L}\p{N}_$]*|"(?:[^"]|"")+")`;
const RELATION_NAME = new RegExp(`^${IDENT}(?:\\.${IDENT}){0,2}$`, "u");

interface RelationRow extends Record<string, unknown> {
    name: string;
    kind: string | null;
    parts: string | null;
}

// Each name, in order: its kind and a partitioned one's partitions (from the catalog: no lock on the relation).
const RELATION_CHECK = `
    SELECT n.name, c.relkind::text AS kind,
           (SELECT string_agg(i.inhrelid::regclass::text, ', ' ORDER BY i.inhrelid::regclass::text)
              FROM pg_inherits i WHERE i.inhparent = c.oid) AS parts
      FROM unnest($1::text[]) WITH ORDINALITY AS n(name, at)
      LEFT JOIN pg_class c ON c.oid = to_regclass(n.name)
     ORDER BY n.at`;

/** What pg_prewarm cannot load about one relation, or undefined: tables, indexes, materialized views, TOAST. */
function relationProblem({ name, kind, parts }: RelationRow): string | undefined {
    const quoted = JSON.stringify(name);
    if (kind === null) return `no relation named ${quoted}`;
    if (kind === "p" || kind === "I") {
        const what = kind === "p" ? "a partitioned table" : "a partitioned index";
        return `${quoted} is ${what}, with no blocks of its own: give its partitions${parts ? ` (${parts})` : ""}`;
    }
    if (kind === "v") return `${quoted} is a view, with no blocks: give the tables and indexes it reads`;
    if (kind === "f") return `${quoted} is a foreign table, with no blocks on this server`;
    if (kind === "c") return `${quoted} is a composite type, not a relation with blocks`;
    return undefined;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

type Resolved = Required<Omit<ReplicaWarmOptions, "primary" | "log">> & Pick<ReplicaWarmOptions, "primary" | "log">;

async function warmOne(session: Session, o: Resolved): Promise<Record<string, number>> {
    const loaded: Record<string, number> = {};
    // One relation after another: pg_prewarm reads sequentially, and parallel reads of one server compete.
    for (const relation of o.relations) {
        const [row] = await session.query<{ blocks: string }>(
            `pg_prewarm of ${relation}`,
            "SELECT pg_prewarm($1::regclass, 'buffer') AS blocks",
            [relation],
            o.relationTimeoutMs,
        );
        loaded[relation] = Number(row.blocks);
        o.log?.(`${session.name}: ${relation}: ${loaded[relation]} blocks loaded`);
    }
    return loaded;
}

const HAS_BUFFERCACHE = "SELECT 1 FROM pg_extension WHERE extname = 'pg_buffercache'";
const RESIDENT = `
    SELECT count(*) AS blocks FROM pg_buffercache
     WHERE relfilenode = pg_relation_filenode($1::regclass) AND relforknumber = 0
       AND reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** What is still in shared buffers after the loads, per relation; null without pg_buffercache. */
async function residentOn(session: Session, o: Resolved): Promise<Record<string, number> | null> {
    if ((await session.query("pg_buffercache check", HAS_BUFFERCACHE, [], o.connectTimeoutMs)).length === 0)
        return null;
    const resident: Record<string, number> = {};
    for (const relation of o.relations) {
        const [row] = await session.query<{ blocks: string }>(
            `resident blocks of ${relation}`,
            RESIDENT,
            [relation],
            o.connectTimeoutMs,
        );
        resident[relation] = Number(row.blocks);
    }
    return resident;
}

/**
 * Loads every relation into every replica's shared buffers and reports the blocks loaded per server and relation.
 * Nothing loads until every server has answered and has the extension and every relation; the replicas then
 * warm in parallel. Rejects with one {@link ReplicaWarmError} naming each server that failed.
 */
export async function warmReplicas(options: ReplicaWarmOptions): Promise<ReplicaWarmReport> {
    const o: Resolved = { ...REPLICA_WARM_DEFAULTS, ...options };
    const started = performance.now();
    if (o.relations.length === 0 || o.replicas.length === 0)
        return { blocksLoaded: {}, resident: {}, totalBlocks: 0, durationMs: 0 };
    const redactor = new Redactor([o.primary, ...o.replicas].flatMap((url) => (url ? urlSecrets(url) : [])));
    if (o.primary) await ensureExtension(o.primary, o, redactor);

    const opened = await Promise.allSettled(o.replicas.map((url) => open(url, true, o, redactor)));
    const sessions = opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    try {
        throwAll(opened);
        throwAll(await Promise.allSettled(sessions.map((s) => check(s, o.relations, o))));
        const loaded = await Promise.allSettled(sessions.map((s) => warmOne(s, o)));
        throwAll(loaded);
        const resident = await Promise.allSettled(sessions.map((s) => residentOn(s, o)));
        throwAll(resident);
        const blocksLoaded = Object.fromEntries(
            sessions.map((s, i) => [s.name, (loaded[i] as PromiseFulfilledResult<Record<string, number>>).value]),
        );
        const totalBlocks = Object.values(blocksLoaded)
            .flatMap((r) => Object.values(r))
            .reduce((a, b) => a + b, 0);
        return {
            blocksLoaded,
            resident: Object.fromEntries(
                sessions.map((s, i) => [
                    s.name,
                    (resident[i] as PromiseFulfilledResult<Record<string, number> | null>).value,
                ]),
            ),
            totalBlocks,
            durationMs: Math.round(performance.now() - started),
        };
    } finally {
        await Promise.all(sessions.map((s) => s.close()));
    }
}

/** One error for every server that failed: the first one's code, every message. */
function throwAll(results: PromiseSettledResult<unknown>[]): void {
    const failed = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
    if (failed.length === 0) return;
    if (failed.length === 1) throw failed[0];
    const code = failed.every((f) => f instanceof ReplicaWarmError && f.code === "WARM_INPUT")
        ? "WARM_INPUT"
        : "WARM_CONNECTION";
    throw new ReplicaWarmError(code, failed.map((f) => f.message).join("; "), { cause: failed[0] });
}
