// The postgres source: the ranking query streamed through a cursor (memory stays flat whatever the row count), in
// a READ ONLY transaction so the warm can never write to the database. The columns are checked on the first read,
// before anything reaches Redis. Its values are those of the transaction's snapshot, as old as the warm is long;
// with a value query (value-query.ts) each batch's values are read fresh just before they are written instead.
import Cursor from "pg-cursor";
import type { FieldDef } from "pg";
import { partitionQuery } from "../partition";
import type { ResolvedOptions } from "../resolved";
import { withTimeout } from "../../timeout";
import { columnsOf, connectPg, rawTypes, typeName, type PgOptions } from "./pg";
import type { Source, WarmRecord } from "./source";
import { openValueQuery } from "./value-query";

type Options = Pick<ResolvedOptions, "top" | "batch" | "partition"> & PgOptions;

export async function openPostgres(
    url: string,
    query: string,
    valueQuery: string | undefined,
    options: Options,
): Promise<Source> {
    const connection = await connectPg(url, options);
    const { client, fail } = connection;
    let cursor: Cursor<unknown[]>;
    const read = async (rows: number) => {
        const reading = new Promise<{ rows: unknown[][]; fields: FieldDef[] }>((resolve, reject) => {
            // A finished cursor answers with no result at all: only the first read needs the fields.
            cursor.read(rows, (err, rows, result) =>
                err ? reject(err) : resolve({ rows, fields: result?.fields ?? [] }),
            );
        });
        return withTimeout(reading, options.queryTimeoutMs, `reading from ${options.sourceLabel}`).catch((err) =>
            fail(err, "query"),
        );
    };

    // Taken before BEGIN: the snapshot is no older than this, so the ages reported are upper bounds.
    const snapshotAt = Date.now();
    let first: { rows: unknown[][]; fields: FieldDef[] };
    let columns: Awaited<ReturnType<typeof columnsOf>>;
    let fresh: Awaited<ReturnType<typeof openValueQuery>> | undefined;
    try {
        const setup = async () => {
            await client.query("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
            await client.query("SET LOCAL bytea_output = 'hex'");
        };
        await withTimeout(
            setup(),
            options.queryTimeoutMs,
            `starting a read-only transaction on ${options.sourceLabel}`,
        ).catch((err) => fail(err, "query"));
        // A partition is cut in the database: only this share's rows cross the wire.
        const text = options.partition ? partitionQuery(query, options.partition, options.top) : query;
        cursor = client.query(new Cursor<unknown[]>(text, [], { rowMode: "array", types: rawTypes }));
        first = await read(chunk(options, 0));
        columns = await columnsOf(first.fields, "query", valueQuery === undefined, async (oid) => {
            await cursor.close(); // the connection answers nothing else while the cursor is open
            return typeName(oid, client, options);
        });
        if (valueQuery !== undefined) fresh = await openValueQuery(url, valueQuery, options);
    } catch (err) {
        await connection.close();
        throw err;
    }

    const toRecords = (rows: unknown[][]): WarmRecord[] =>
        rows.map((row) => {
            const ttl = columns.ttl === undefined ? null : row[columns.ttl];
            return {
                key: row[columns.key] as Buffer | string,
                value: columns.value === undefined ? null : (row[columns.value] as Buffer | string | null),
                ttl: ttl === null ? undefined : Number(ttl),
            };
        });

    return {
        kind: "values",
        readAt: () => fresh?.readAt ?? snapshotAt,
        async *batches() {
            let rows = first.rows;
            let readSoFar = rows.length;
            while (rows.length) {
                // Ask for the next rows before handing these over: the database works while the sink encodes.
                const size = chunk(options, readSoFar);
                const next = size ? read(size) : Promise.resolve({ rows: [] });
                next.catch(() => {}); // awaited below; this only keeps an early exit from leaving it unhandled
                const records = toRecords(rows);
                yield fresh ? await fresh.refresh(records) : records;
                rows = (await next).rows;
                readSoFar += rows.length;
            }
        },
        async close() {
            await Promise.all([connection.close(), fresh?.close()]);
        },
    };
}

/** How many rows to ask for next: a batch, or what is left of `top`. */
function chunk(options: Options, readSoFar: number): number {
    return Math.min(options.batch, (options.top ?? Infinity) - readSoFar);
}
