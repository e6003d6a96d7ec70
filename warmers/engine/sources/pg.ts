// What the postgres source and the value query share: a connection with every timeout set, errors sorted into
// the query's fault (WarmInputError naming the option) or the server's (WarmConnectionError), rows decoded
// without pg's per-type parsing, and the result's columns checked by name and type.
import { Client, type CustomTypesConfig, type FieldDef } from "pg";
import { WarmConnectionError, WarmInputError } from "../errors";
import type { ResolvedOptions } from "../resolved";
import { withTimeout } from "../../timeout";
import { pgSslUrl } from "./pg-ssl";

export type PgOptions = Pick<ResolvedOptions, "connectTimeoutMs" | "queryTimeoutMs" | "redactor" | "sourceLabel">;

const BYTEA = 17;
// SQLSTATE classes about the connection, not the query: 08 connection, 28 auth, 3D no such database,
// 53 out of resources, 57 operator intervention (shutdown, cancel).
const CONNECTION_STATES = /^(08|28|3D|53|57)/;
// Of those, the ones a re-run cannot fix: the login refused (28: a wrong password, no pg_hba.conf entry) or the
// database missing (3D000). They are the URL's fault, not the server's.
const LOGIN_STATES = /^(28|3D)/;

/** Words for a login PostgreSQL refused for good (a wrong password, a missing database); undefined for others. */
export function refusedLogin(err: unknown): string | undefined {
    const sqlState = (err as { code?: unknown }).code;
    if (typeof sqlState !== "string" || !LOGIN_STATES.test(sqlState)) return undefined;
    return sqlState.startsWith("3D")
        ? "check the database name in the URL"
        : "check the user and password in the URL (and that pg_hba.conf lets this user in)";
}
// int2, int4, int8, float4, float8, numeric: anything that reads as a number of seconds.
const NUMERIC_TYPES = new Set([21, 23, 20, 700, 701, 1700]);

// Rows arrive as arrays of text; bytea is decoded from hex to exact bytes, everything else stays the
// text PostgreSQL sent (UTF-8), which skips pg's per-type parsing on the hot path.
const keepText = (value: string) => value;
const decodeBytea = (value: string) => Buffer.from(value.slice(2), "hex"); // bytea_output = hex: "\x…"
export const rawTypes = {
    getTypeParser: (oid: number) => (oid === BYTEA ? decodeBytea : keepText),
} as unknown as CustomTypesConfig;

export interface PgConnection {
    client: Client;
    /** Throws the typed error for `err`; an SQL error is blamed on `field`. */
    fail(err: unknown, field: "query" | "valueQuery"): never;
    close(): Promise<void>;
}

export async function connectPg(url: string, options: PgOptions): Promise<PgConnection> {
    const ssl = pgSslUrl(url);
    if (!ssl.ok) throw new WarmInputError("source", ssl.problem);
    const client = new Client({
        connectionString: ssl.url,
        connectionTimeoutMillis: options.connectTimeoutMs,
        application_name: "warmstack",
    });
    client.on("error", () => {}); // a lost connection surfaces through the pending read
    let closing: Promise<void> | undefined;
    const close = () =>
        (closing ??= withTimeout(client.end(), options.connectTimeoutMs, "closing the database connection").catch(
            () => {
                client.connection.stream.destroy(); // a server that stopped answering: drop the socket
            },
        ));
    const fail = (err: unknown, field: "query" | "valueQuery"): never => {
        const message = options.redactor.text((err as Error).message);
        const sqlState = (err as { code?: unknown }).code;
        // An SQLSTATE outside the connection classes is the server judging the query (syntax, a missing
        // table, a write in the read-only transaction); anything else is the connection or the server.
        if (typeof sqlState === "string" && /^[0-9A-Z]{5}$/.test(sqlState) && !CONNECTION_STATES.test(sqlState)) {
            throw new WarmInputError(field, message);
        }
        const login = refusedLogin(err);
        if (login)
            throw new WarmInputError(
                "source",
                `database ${options.sourceLabel} refused the login: ${message}; ${login}`,
            );
        throw new WarmConnectionError("source", `database ${options.sourceLabel}: ${message}`, { cause: err });
    };
    try {
        await client.connect();
    } catch (err) {
        await close();
        fail(err, "query");
    }
    return { client, fail, close };
}

export interface Columns {
    key: number;
    /** Absent only where the value comes from elsewhere (a ranking query beside a value query). */
    value?: number;
    ttl?: number;
}

/**
 * Finds `key`, `value` (unless not `needValue`) and an optional numeric `ttl`; a `ttl` of another type is named
 * by `nameType` (typeName below, once the connection is free to ask).
 */
export async function columnsOf(
    fields: FieldDef[],
    field: "query" | "valueQuery",
    needValue: boolean,
    nameType: (oid: number) => Promise<string>,
): Promise<Columns> {
    const names = fields.map((f) => f.name);
    const at = (name: string) => (names.includes(name) ? names.indexOf(name) : undefined);
    const key = at("key");
    const value = at("value");
    const ttl = at("ttl");
    if (key === undefined || (needValue && value === undefined)) {
        const got = names.length ? names.map((name) => `"${name}"`).join(", ") : "no columns";
        const wanted = needValue ? `"key" and "value" (and optionally "ttl")` : `"key" (and optionally "ttl")`;
        throw new WarmInputError(field, `must return columns ${wanted}; it returns ${got}`);
    }
    if (ttl !== undefined && !NUMERIC_TYPES.has(fields[ttl].dataTypeID)) {
        const type = await nameType(fields[ttl].dataTypeID);
        throw new WarmInputError(
            field,
            `column "ttl" must be a number of seconds (integer, bigint, numeric…); it is ${type}` +
                (type === "interval" ? ": use EXTRACT(EPOCH FROM …)" : ""),
        );
    }
    return { key, value, ttl };
}

/** The SQL name of a type (`text`, `timestamp with time zone`), asked of the server that sent it. */
export async function typeName(oid: number, client: Client, options: PgOptions): Promise<string> {
    try {
        const asking = client.query<{ name: string }>("SELECT format_type($1::oid, NULL) AS name", [oid]);
        return (await withTimeout(asking, options.queryTimeoutMs, "naming a column type")).rows[0].name;
    } catch {
        return `the type with oid ${oid}`; // the name is a nicety; the error it decorates is what matters
    }
}
