// The source and target URLs: which kind of source a string names, and a Redis URL's parts. A bad one is shown
// redacted: it may carry a password.
import { WarmInputError } from "./errors";
import type { Redactor } from "./redact";
import type { RedisServerSpec, SourceSpec } from "./resolved";

export const REDIS_URL_FORM = "redis://[user:password@]host[:port][/db] or rediss://… (TLS)";
export const SOURCE_FORM = "postgres://…, redis://…, rediss://… or a path to a .jsonl file";

/** The kind of source `raw` names; a postgres source's queries are added by the caller. */
export function sourceKind(raw: string, redactor: Redactor): SourceSpec["kind"] {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
    if (scheme === "postgres" || scheme === "postgresql") {
        if (!URL.canParse(raw)) throw new WarmInputError("source", `${SOURCE_FORM}; given ${show(raw, redactor)}`);
        return "postgres";
    }
    if (scheme === "redis" || scheme === "rediss") return "redis";
    if (scheme === undefined && /\.(jsonl|ndjson)$/i.test(raw)) return "file";
    throw new WarmInputError("source", `${SOURCE_FORM}; given ${show(raw, redactor)}`);
}

export function parseRedisUrl(field: "redis" | "source", raw: string, redactor: Redactor): RedisServerSpec {
    const bad = () => new WarmInputError(field, `${REDIS_URL_FORM}; given ${show(raw, redactor)}`);
    if (!URL.canParse(raw)) throw bad();
    const url = new URL(raw);
    if ((url.protocol !== "redis:" && url.protocol !== "rediss:") || !url.hostname || url.search || url.hash)
        throw bad();
    const db = Number(url.pathname.slice(1)); // no path, or "/" alone: Number("") is 0, the default db
    if (!/^\/?\d*$/.test(url.pathname) || !Number.isSafeInteger(db)) throw bad();
    return {
        // WHATWG URL keeps the brackets of an IPv6 literal; sockets want the bare address.
        host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port ? Number(url.port) : 6379,
        db,
        tls: url.protocol === "rediss:" ? {} : undefined,
        username: url.username ? decodeURIComponent(url.username) : undefined,
        password: url.password ? decodeURIComponent(url.password) : undefined,
    };
}

function show(raw: string, redactor: Redactor): string {
    return JSON.stringify(redactor.text(raw));
}
