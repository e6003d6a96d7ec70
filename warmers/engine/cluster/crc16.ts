// CRC-16/XMODEM (poly 0x1021, init 0, no reflection): the checksum Redis Cluster hashes keys with.

const TABLE = new Uint16Array(256);
for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    TABLE[byte] = crc & 0xffff;
}

/** The CRC of `bytes[start, end)`. */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
    let crc = 0;
    for (let i = start; i < end; i++) crc = ((crc << 8) ^ TABLE[((crc >> 8) ^ bytes[i]) & 0xff]) & 0xffff;
    return crc;
}

/** The CRC of the UTF-16 units `text[start, end)`, each one byte (ASCII text: the same as of its UTF-8 bytes). */
export function crc16Text(text: string, start: number, end: number): number {
    let crc = 0;
    for (let i = start; i < end; i++) crc = ((crc << 8) ^ TABLE[((crc >> 8) ^ text.charCodeAt(i)) & 0xff]) & 0xffff;
    return crc;
}
