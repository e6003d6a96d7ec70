// Picks the source the options name and opens it: connected and checked as far as that source can be before its
// batches are read (source.ts says how far each goes).
import type { ResolvedOptions } from "../resolved";
import { openFile } from "./file";
import { openPostgres } from "./postgres";
import { openRedisSource } from "./redis";
import type { Source } from "./source";

export function openSource(options: ResolvedOptions): Promise<Source> {
    const { source } = options;
    switch (source.kind) {
        case "postgres":
            return openPostgres(source.url, source.query, source.valueQuery, options);
        case "redis":
            return openRedisSource(source.server, options);
        case "file":
            return openFile(source.path, options);
    }
}
