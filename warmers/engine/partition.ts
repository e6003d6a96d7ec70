// A partition of the hot set: `I/N` is the I-th of N disjoint shares that together are the whole hot set, so a
// hot set too large for one run is warmed by N runs (a Step Functions Map, or the deploy's own fan-out). Each
// source splits by something stable of the key alone, so a key repeated in the source stays in one share and is
// deduplicated there: PostgreSQL hashes it in the query (no row of another share crosses the wire), a Redis
// source by its hash slot, a file by the engine's own key hash.
import { WarmInputError } from "./errors";
import { SLOTS } from "./cluster/key-slot";
import { given } from "../../model/errors";
import { hashes } from "./key-set";
import type { Bytes } from "./sources/source";

export interface Partition {
    /** 1-based: which share this run warms. */
    index: number;
    /** How many shares the hot set is split into. */
    count: number;
}

/** At most one share per hash slot, so every share of a Redis source owns at least one slot. */
export const MAX_PARTITIONS = SLOTS;

const FORM = /^([1-9]\d{0,5})\/([1-9]\d{0,5})$/;

/** `"I/N"` checked: whole numbers with 1 ≤ I ≤ N ≤ MAX_PARTITIONS, else one WarmInputError naming `partition`. */
export function parsePartition(value: unknown): Partition {
    const match = typeof value === "string" ? FORM.exec(value) : null;
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || index > count || count > MAX_PARTITIONS)
        throw new WarmInputError(
            "partition",
            `I/N with whole numbers 1 ≤ I ≤ N ≤ ${MAX_PARTITIONS.toLocaleString("en-US")} (2/4: the second of four shares); given ${given(value)}`,
        );
    return { index, count };
}

/** `2/4`, as the report and the messages name it. */
export const partitionLabel = ({ index, count }: Partition): string => `${index}/${count}`;

/** The share (1-based) a hash slot belongs to: contiguous slot ranges, the first share holding slot 0. */
export function shareOfSlot(slot: number, count: number): number {
    return Math.floor((slot * count) / SLOTS) + 1;
}

/** The share (1-based) of a file's key: its first 32-bit hash (key-set.ts) modulo the count. */
export function shareOfKey(key: Bytes, count: number): number {
    return (hashes(key)[0] % count) + 1;
}

/**
 * The user's query narrowed to one share: its first `top` rows (the whole hot set, as an unpartitioned run reads
 * it), then those whose key's `hashtextextended` falls in this share, in the query's order. The key is hashed as
 * text (bytea as its hex text: the source sets `bytea_output = 'hex'`), so the split does not depend on the key's
 * column type beyond that. `top` is a checked whole number and the count and index checked ones: nothing here is
 * text a caller could inject.
 */
export function partitionQuery(query: string, partition: Partition, top: number | undefined): string {
    // A trailing `;` would end the statement inside the parentheses; a trailing `--` comment is ended by the newline.
    const body = query.trim().replace(/;+\s*$/, "");
    const ranked = top === undefined ? body : `SELECT * FROM (\n${body}\n) AS warmstack_ranked LIMIT ${top}`;
    const { index, count } = partition;
    // `%` keeps the dividend's sign: shifted into 0 … count - 1 whatever the hash's sign.
    const share = `((hashtextextended(warmstack_hot.key::text, 0) % ${count}) + ${count}) % ${count}`;
    return `SELECT * FROM (\n${ranked}\n) AS warmstack_hot WHERE ${share} = ${index - 1}`;
}
