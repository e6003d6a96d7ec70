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
    /**
     * Batches of at most `batch` records. Sources that check their data before any write (postgres, file) read the
     * first batch before they are returned; the redis source ranks its keys then and reads each batch lazily.
     */
    batches(): AsyncIterable<WarmRecord[]>;
    /**
     * When the values of the batch last yielded were read (ms since the epoch; for a snapshot, when it was taken),
     * so the warm can report how stale the oldest value it wrote was. Absent: the batch was read when it was asked
     * for.
     */
    readAt?(): number;
    /** Releases connections; safe to call at any point, more than once. */
    close(): Promise<void>;
}
