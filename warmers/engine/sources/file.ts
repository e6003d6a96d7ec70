// The file source: JSON lines `{"key": "…", "value": "…", "ttl": 60}`, read as a stream. A bad line fails the
// warm naming its line number; lines in the first batch are all checked before anything is written.
import fs from "node:fs";
import readline from "node:readline";
import { WarmInputError } from "../errors";
import { shareOfKey } from "../partition";
import type { ResolvedOptions } from "../resolved";
import type { Source, WarmRecord } from "./source";

type Options = Pick<ResolvedOptions, "top" | "batch" | "partition">;

export async function openFile(path: string, options: Options): Promise<Source> {
    let modified: number;
    try {
        await fs.promises.access(path, fs.constants.R_OK);
        // The values are as old as the file: its last write is when they were read from wherever they live.
        modified = (await fs.promises.stat(path)).mtimeMs;
    } catch (err) {
        throw new WarmInputError(
            "source",
            `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
    }
    const stream = fs.createReadStream(path);
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
    let lineNumber = 0;
    // Every share reads (and checks) the first `top` records, the whole hot set, and keeps its own keys.
    let hotRows = 0;
    const { partition } = options;
    const top = options.top ?? Infinity;

    const readBatch = async (): Promise<WarmRecord[]> => {
        const records: WarmRecord[] = [];
        while (records.length < options.batch && hotRows < top) {
            const line = await lines.next();
            if (line.done) break;
            lineNumber++;
            if (!line.value.trim()) continue;
            const record = parseLine(line.value, `${path} line ${lineNumber}`);
            hotRows++;
            if (!partition || shareOfKey(record.key as string, partition.count) === partition.index)
                records.push(record);
        }
        return records;
    };

    const close = async () => {
        stream.destroy();
    };
    let first: WarmRecord[];
    try {
        first = await readBatch();
    } catch (err) {
        await close();
        throw err;
    }
    return {
        kind: "values",
        readAt: () => modified,
        async *batches() {
            for (let batch = first; batch.length; batch = await readBatch()) yield batch;
        },
        close,
    };
}

function parseLine(line: string, where: string): WarmRecord {
    let row: unknown;
    try {
        row = JSON.parse(line);
    } catch (err) {
        throw new WarmInputError("source", `${where}: not JSON (${(err as Error).message})`);
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
        throw new WarmInputError("source", `${where}: expected an object {"key", "value", "ttl"?}`);
    }
    const { key, value, ttl } = row as Record<string, unknown>;
    if (typeof key !== "string" || !key)
        throw new WarmInputError("source", `${where}: "key" must be a non-empty string`);
    if (ttl !== undefined && ttl !== null && (typeof ttl !== "number" || !Number.isFinite(ttl))) {
        throw new WarmInputError("source", `${where}: "ttl" must be a number of seconds`);
    }
    return {
        key,
        // Strings are stored as they are; other JSON values (objects, numbers) as their JSON text.
        value: value === undefined || value === null ? null : typeof value === "string" ? value : JSON.stringify(value),
        ttl: typeof ttl === "number" ? ttl : undefined,
    };
}
