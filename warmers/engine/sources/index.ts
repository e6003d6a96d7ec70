// Picks the source the options name and opens it: connected, validated and its first batch read.
import type { ResolvedOptions } from "../options";
import { openFile } from "./file";
import { openPostgres } from "./postgres";
import { openRedisSource } from "./redis";
import type { Source } from "./source";

export function openSource(options: ResolvedOptions): Promise<Source> {
    const { source } = options;
    switch (source.kind) {
        case "postgres":
            return openPostgres(source.url, source.query, options);
        case "redis":
            return openRedisSource(source.server, options);
        case "file":
            return openFile(source.path, options);
    }
}
