// Fresh values for a ranking query's keys: each batch's keys are passed as $1 to the value query on a second
// connection, outside the ranking's snapshot (READ COMMITTED, read-only), just before the batch is written. The
// window in which the application can change a row and invalidate its key while the warm still writes the old
// value shrinks from the whole warm to one batch's read-and-write (docs/warm.md).
import type { FieldDef } from "pg";
import { withTimeout } from "../../timeout";
import { columnsOf, connectPg, rawTypes, typeName, type Columns, type PgOptions } from "./pg";
import type { Bytes, WarmRecord } from "./source";

export interface ValueQuery {
    /** The records with their values (and `ttl`, when the value query returns one) read now; a key the query no
     * longer returns gets a null value (nothing to write). */
    refresh(records: WarmRecord[]): Promise<WarmRecord[]>;
    /** When the last batch's values were read (ms since the epoch). */
    readonly readAt?: number;
    close(): Promise<void>;
}

export async function openValueQuery(url: string, sql: string, options: PgOptions): Promise<ValueQuery> {
    const connection = await connectPg(url, options);
    const { client, fail } = connection;
    try {
        const setup = async () => {
            await client.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
            await client.query("SET bytea_output = 'hex'");
        };
        await withTimeout(setup(), options.queryTimeoutMs, `setting up ${options.sourceLabel}`).catch((err) =>
            fail(err, "valueQuery"),
        );
    } catch (err) {
        await connection.close();
        throw err;
    }
    let columns: Columns | undefined;
    let lastReadAt: number | undefined;
    return {
        get readAt() {
            return lastReadAt;
        },
        async refresh(records) {
            const keys = records.flatMap((record) => (record.key === null ? [] : [record.key]));
            const readAt = Date.now();
            const asking = client.query<unknown[]>({ text: sql, values: [keys], rowMode: "array", types: rawTypes });
            const result = (await withTimeout(
                asking,
                options.queryTimeoutMs,
                `reading values from ${options.sourceLabel}`,
            ).catch((err) => fail(err, "valueQuery"))) as { rows: unknown[][]; fields: FieldDef[] };
            columns ??= await columnsOf(result.fields, "valueQuery", true, (oid) => typeName(oid, client, options));
            const found = new Map<string, unknown[]>();
            for (const row of result.rows) found.set(identity(row[columns.key] as Bytes), row);
            lastReadAt = readAt;
            const { value, ttl } = columns as Required<Columns>;
            return records.map((record) => {
                const row = record.key === null ? undefined : found.get(identity(record.key));
                const freshTtl = columns?.ttl === undefined || row === undefined ? null : row[ttl];
                return {
                    key: record.key,
                    value: row === undefined ? null : (row[value] as Bytes | null),
                    ttl: freshTtl === null || freshTtl === undefined ? record.ttl : Number(freshTtl),
                };
            });
        },
        close: connection.close,
    };
}

/** A key as a map key: text as it is, bytes as their latin1 text (one char per byte). */
function identity(key: Bytes): string {
    return typeof key === "string" ? key : key.toString("latin1");
}
