// The postgres source: a query streamed through a cursor (memory stays flat whatever the row count), in a
// READ ONLY transaction so the warm can never write to the database. The columns are checked on the first
// read, before anything reaches Redis.
import { Client, type CustomTypesConfig, type FieldDef } from "pg";
import Cursor from "pg-cursor";
import { WarmConnectionError, WarmInputError } from "../errors";
import type { ResolvedOptions } from "../options";
import { withTimeout } from "../../timeout";
import type { Source, WarmRecord } from "./source";

type Options = Pick<
    ResolvedOptions,
    "top" | "batch" | "connectTimeoutMs" | "queryTimeoutMs" | "redactor" | "sourceLabel"
>;

const BYTEA = 17;
// SQLSTATE classes about the connection, not the query: 08 connection, 28 auth, 3D no such database,
// 53 out of resources, 57 operator intervention (shutdown, cancel).
const CONNECTION_STATES = /^(08|28|3D|53|57)/;
// int2, int4, int8, float4, float8, numeric: anything that reads as a number of seconds.
const NUMERIC_TYPES = new Set([21, 23, 20, 700, 701, 1700]);

// Rows arrive as arrays of text; bytea is decoded from hex to exact bytes, everything else stays the
// text PostgreSQL sent (UTF-8), which skips pg's per-type parsing on the hot path.
const keepText = (value: string) => value;
const decodeBytea = (value: string) => Buffer.from(value.slice(2), "hex"); // bytea_output = hex: "\x…"
const types = {
    getTypeParser: (oid: number) => (oid === BYTEA ? decodeBytea : keepText),
} as unknown as CustomTypesConfig;

export async function openPostgres(url: string, query: string, options: Options): Promise<Source> {
    const client = new Client({
        connectionString: url,
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

    const fail = (err: unknown): never => {
        const message = options.redactor.text((err as Error).message);
        const sqlState = (err as { code?: unknown }).code;
        // An SQLSTATE outside the connection classes is the server judging the query (syntax, a missing
        // table, a write in the read-only transaction); anything else is the connection or the server.
        if (typeof sqlState === "string" && /^[0-9A-Z]{5}$/.test(sqlState) && !CONNECTION_STATES.test(sqlState)) {
            throw new WarmInputError("query", message);
        }
        throw new WarmConnectionError("source", `database ${options.sourceLabel}: ${message}`, { cause: err });
    };

    try {
        await client.connect();
    } catch (err) {
        await close();
        fail(err);
    }

    let cursor: Cursor<unknown[]>;
    const read = async (rows: number) => {
        const reading = new Promise<{ rows: unknown[][]; fields: FieldDef[] }>((resolve, reject) => {
            // A finished cursor answers with no result at all: only the first read needs the fields.
            cursor.read(rows, (err, rows, result) =>
                err ? reject(err) : resolve({ rows, fields: result?.fields ?? [] }),
            );
        });
        return withTimeout(reading, options.queryTimeoutMs, `reading from ${options.sourceLabel}`).catch(fail);
    };

    let first: { rows: unknown[][]; fields: FieldDef[] };
    let columns: ReturnType<typeof columnsOf>;
    try {
        const setup = async () => {
            await client.query("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
            await client.query("SET LOCAL bytea_output = 'hex'");
        };
        await withTimeout(
            setup(),
            options.queryTimeoutMs,
            `starting a read-only transaction on ${options.sourceLabel}`,
        ).catch(fail);
        cursor = client.query(new Cursor<unknown[]>(query, [], { rowMode: "array", types }));
        first = await read(chunk(options, 0));
        columns = columnsOf(first.fields);
    } catch (err) {
        await close();
        throw err;
    }

    const toRecords = (rows: unknown[][]): WarmRecord[] =>
        rows.map((row) => {
            const ttl = columns.ttl === undefined ? null : row[columns.ttl];
            return {
                key: row[columns.key] as Buffer | string,
                value: row[columns.value] as Buffer | string | null,
                ttl: ttl === null ? undefined : Number(ttl),
            };
        });

    return {
        kind: "values",
        async *batches() {
            let rows = first.rows;
            let readSoFar = rows.length;
            while (rows.length) {
                // Ask for the next rows before handing these over: the database works while the sink encodes.
                const size = chunk(options, readSoFar);
                const next = size ? read(size) : Promise.resolve({ rows: [] });
                next.catch(() => {}); // awaited below; this only keeps an early exit from leaving it unhandled
                yield toRecords(rows);
                rows = (await next).rows;
                readSoFar += rows.length;
            }
        },
        close,
    };
}

/** How many rows to ask for next: a batch, or what is left of `top`. */
function chunk(options: Options, readSoFar: number): number {
    return Math.min(options.batch, (options.top ?? Infinity) - readSoFar);
}

function columnsOf(fields: FieldDef[]): { key: number; value: number; ttl?: number } {
    const names = fields.map((field) => field.name);
    const key = names.indexOf("key");
    const value = names.indexOf("value");
    const ttl = names.indexOf("ttl");
    if (key < 0 || value < 0) {
        const got = names.length ? names.map((name) => `"${name}"`).join(", ") : "no columns";
        throw new WarmInputError(
            "query",
            `must return columns "key" and "value" (and optionally "ttl"); it returns ${got}`,
        );
    }
    if (ttl >= 0 && !NUMERIC_TYPES.has(fields[ttl].dataTypeID)) {
        throw new WarmInputError(
            "query",
            `column "ttl" must be a number of seconds; its type has oid ${fields[ttl].dataTypeID}`,
        );
    }
    return { key, value, ttl: ttl < 0 ? undefined : ttl };
}
