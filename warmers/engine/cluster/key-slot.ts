// Which of Redis Cluster's 16384 hash slots a key belongs to: CRC16 of the key, or of its hash tag — the bytes
// between the first `{` and the first `}` after it, when there are any — so `{user:1}:cart` and `{user:1}:profile`
// share a slot.
import type { Bytes } from "../sources/source";
import { crc16 } from "./crc16";

export const SLOTS = 16384;

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

export function keySlot(key: Bytes): number {
    const bytes = typeof key === "string" ? asciiBytes(key) : key;
    let start = 0;
    let end = bytes.length;
    const open = bytes.indexOf(OPEN);
    if (open >= 0) {
        const close = bytes.indexOf(CLOSE, open + 1);
        if (close > open + 1) [start, end] = [open + 1, close];
    }
    return crc16(bytes, start, end) & (SLOTS - 1);
}

// Most keys are ASCII: their UTF-16 units are their UTF-8 bytes, and one reused buffer spares an allocation per key.
let scratch = new Uint8Array(256);

function asciiBytes(key: string): Uint8Array {
    if (key.length > scratch.length) scratch = new Uint8Array(key.length * 2);
    for (let i = 0; i < key.length; i++) {
        const unit = key.charCodeAt(i);
        if (unit > 0x7f) return Buffer.from(key, "utf8");
        scratch[i] = unit;
    }
    return scratch.subarray(0, key.length);
}
