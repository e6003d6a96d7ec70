// What every source yields to the sink: batches of records, hottest first.

/** A key or value: a Buffer is sent byte for byte, a string as UTF-8. */
export type Bytes = Buffer | string;

// null key or value: a row with nothing to write, counted as skipped; the sink only sees records with both.
export interface WarmRecord {
    key: Bytes | null;
    /** The value to SET; from a redis source, the DUMP payload to RESTORE. null: nothing to write. */
    value: Bytes | null;
    /** Seconds to live given by the row ("values" sources); absent: the default TTL. */
    ttl?: number;
    /** Milliseconds to live of the copied key ("dumps" sources); 0: it does not expire. */
    pttl?: number;
}

export interface Source {
    /** "values" are SET with a TTL and jitter; "dumps" are RESTOREd with the key's own TTL. */
    readonly kind: "values" | "dumps";
    /** Rows the source will yield, when known before reading (the ranked keys of a redis source). */
    readonly total?: number;
    /** Batches of at most `batch` records; the first one is read before this is returned. */
    batches(): AsyncIterable<WarmRecord[]>;
    /** Releases connections; safe to call at any point, more than once. */
    close(): Promise<void>;
}
