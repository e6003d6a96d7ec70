// Which of Redis Cluster's 16384 hash slots a key belongs to: CRC16 of the key, or of its hash tag — the bytes
// between the first `{` and the first `}` after it, when there are any — so `{user:1}:cart` and `{user:1}:profile`
// share a slot.
import type { Bytes } from "../sources/source";
import { crc16, crc16Text } from "./crc16";

export const SLOTS = 16384;

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

export function keySlot(key: Bytes): number {
    if (typeof key === "string") {
        const slot = asciiSlot(key);
        if (slot >= 0) return slot;
        key = Buffer.from(key, "utf8");
    }
    let start = 0;
    let end = key.length;
    const open = key.indexOf(OPEN);
    if (open >= 0) {
        const close = key.indexOf(CLOSE, open + 1);
        if (close > open + 1) [start, end] = [open + 1, close];
    }
    return crc16(key, start, end) & (SLOTS - 1);
}

// Most keys are ASCII: their UTF-16 units are their UTF-8 bytes, read straight from the string (no bytes made per
// key: the warm computes a slot for every key it writes to a cluster).
const ASCII_MAX = 0x7f;

/** The slot of an ASCII key, read from its UTF-16 units; -1 when the key has a unit past ASCII. */
function asciiSlot(key: string): number {
    let open = -1;
    let close = -1;
    for (let i = 0; i < key.length; i++) {
        const unit = key.charCodeAt(i);
        if (unit > ASCII_MAX) return -1;
        if (unit === OPEN && open < 0) open = i;
        else if (unit === CLOSE && open >= 0 && close < 0) close = i;
    }
    const tagged = close > open + 1;
    return crc16Text(key, tagged ? open + 1 : 0, tagged ? close : key.length) & (SLOTS - 1);
}
