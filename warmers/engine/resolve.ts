// Every option is checked here, up front, before any connection is opened: one WarmInputError naming the field,
// what it allows and what was given. The rest of the engine only sees ResolvedOptions, defaults filled in.
import { decimal, fieldError, wholeNumber } from "../fields";
import { WarmInputError } from "./errors";
import { parsePartition } from "./partition";
import { WARM_DEFAULTS, WARM_LIMITS, type NumberOption, type WarmOptions } from "./options";
import { Redactor, urlSecrets } from "./redact";
import type { ResolvedOptions, SourceSpec } from "./resolved";
import { parseRedisUrl, sourceKind } from "./urls";

const OPTION_NAMES: readonly (keyof WarmOptions)[] = [
    "source",
    "query",
    "valueQuery",
    "redis",
    "cluster",
    "username",
    "password",
    "tls",
    "top",
    "partition",
    "ttl",
    "jitter",
    "batch",
    "concurrency",
    "rate",
    "maxValueBytes",
    "overwrite",
    "acceptEviction",
    "minWarmth",
    "maxRefused",
    "verifySample",
    "dryRun",
    "retries",
    "retryBackoffMs",
    "connectTimeoutMs",
    "commandTimeoutMs",
    "queryTimeoutMs",
    "onProgress",
] satisfies readonly (keyof WarmOptions)[];

/** A numeric option checked against WARM_LIMITS; text (a command line's) must be plain decimal. */
export function checkNumber(field: NumberOption, value: unknown): number {
    const { kind, min, max, above } = WARM_LIMITS[field];
    return kind === "whole"
        ? wholeNumber(field, value, { min, max })
        : decimal(field, value, { min, max, exclusiveMin: above });
}

export function resolveOptions(input: WarmOptions): ResolvedOptions {
    if (typeof input !== "object" || input === null) throw fieldError("options", "an object", input);
    const unknown = Object.keys(input).filter((name) => !(OPTION_NAMES as string[]).includes(name));
    if (unknown.length)
        throw new WarmInputError(unknown[0], `not an option (a typo?); allowed: ${OPTION_NAMES.join(", ")}`);

    const rawSource = requiredText(input, "source");
    const rawRedis = requiredText(input, "redis");
    const redactor = new Redactor([...urlSecrets(rawSource), ...urlSecrets(rawRedis), input.password]);
    const source = sourceOf(rawSource, input, redactor);

    const target = { ...parseRedisUrl("redis", rawRedis, redactor), cluster: flag(input, "cluster") };
    const username = text(input, "username");
    const password = text(input, "password");
    if (username !== undefined) target.username = username;
    if (password !== undefined) target.password = password;
    if (input.tls !== undefined) {
        if (typeof input.tls !== "object" || input.tls === null)
            throw new WarmInputError("tls", "an object of TLS settings; given something else");
        if (!target.tls) throw new WarmInputError("tls", "only for a rediss:// target; the target is redis://");
        target.tls = input.tls;
    }
    if (target.cluster && target.db !== 0)
        throw new WarmInputError("redis", `db 0, the only one of a Redis Cluster; given db ${target.db}`);

    if (source.kind === "redis") {
        // DUMP/RESTORE carries each key's own TTL; a second TTL policy would silently fight it.
        for (const field of ["ttl", "jitter"] as const) {
            if (input[field] !== undefined)
                throw new WarmInputError(field, "not for a redis source, which keeps each key's own TTL; leave it out");
        }
    }
    if (input.onProgress !== undefined && typeof input.onProgress !== "function")
        throw fieldError("onProgress", "a function", typeof input.onProgress);

    const number = (field: NumberOption) => (input[field] === undefined ? undefined : checkNumber(field, input[field]));
    const rate = number("rate");
    const batch = number("batch") ?? WARM_DEFAULTS.batch;
    return {
        source,
        target,
        sourceLabel: redactor.text(rawSource),
        targetLabel: redactor.text(rawRedis),
        top: number("top"),
        partition: input.partition === undefined ? undefined : parsePartition(input.partition),
        ttl: number("ttl"),
        jitter: number("jitter") ?? WARM_DEFAULTS.jitter,
        // With a rate limit, a batch is at most 100 ms of it, so the limiter paces writes instead of bursts.
        batch: rate === undefined ? batch : Math.min(batch, Math.ceil(rate / 10)),
        concurrency: number("concurrency") ?? WARM_DEFAULTS.concurrency,
        rate,
        maxValueBytes: number("maxValueBytes") ?? WARM_DEFAULTS.maxValueBytes,
        overwrite: flag(input, "overwrite"),
        acceptEviction: flag(input, "acceptEviction"),
        minWarmth: number("minWarmth") ?? WARM_DEFAULTS.minWarmth,
        maxRefused: number("maxRefused") ?? WARM_DEFAULTS.maxRefused,
        verifySample: number("verifySample") ?? WARM_DEFAULTS.verifySample,
        dryRun: flag(input, "dryRun"),
        retries: number("retries") ?? WARM_DEFAULTS.retries,
        retryBackoffMs: number("retryBackoffMs") ?? WARM_DEFAULTS.retryBackoffMs,
        connectTimeoutMs: number("connectTimeoutMs") ?? WARM_DEFAULTS.connectTimeoutMs,
        commandTimeoutMs: number("commandTimeoutMs") ?? WARM_DEFAULTS.commandTimeoutMs,
        queryTimeoutMs: number("queryTimeoutMs") ?? WARM_DEFAULTS.queryTimeoutMs,
        onProgress: input.onProgress,
        redactor,
    };
}

function sourceOf(raw: string, input: WarmOptions, redactor: Redactor): SourceSpec {
    const kind = sourceKind(raw, redactor);
    const query = text(input, "query");
    const valueQuery = text(input, "valueQuery");
    if (kind !== "postgres") {
        if (query !== undefined) throw new WarmInputError("query", `only for a postgres source; the source is ${kind}`);
        if (valueQuery !== undefined)
            throw new WarmInputError("valueQuery", `only for a postgres source; the source is ${kind}`);
        return kind === "redis" ? { kind, server: parseRedisUrl("source", raw, redactor) } : { kind, path: raw };
    }
    if (query === undefined || !query.trim())
        throw fieldError("query", "required for a postgres source: SQL returning key and value columns", query);
    if (valueQuery !== undefined && !/\$1\b/.test(valueQuery))
        throw fieldError("valueQuery", "SQL that takes the batch's keys as $1 (… WHERE key = ANY($1))", valueQuery);
    return { kind, url: raw, query, valueQuery };
}

type Field<T> = { [K in keyof WarmOptions]-?: WarmOptions[K] extends T | undefined ? K : never }[keyof WarmOptions];

function text(input: WarmOptions, field: Field<string>): string | undefined {
    const value: unknown = input[field];
    if (value !== undefined && typeof value !== "string") throw fieldError(field, "a string", value);
    return value;
}

function requiredText(input: WarmOptions, field: Field<string>): string {
    const value = text(input, field);
    if (!value) throw fieldError(field, "required: a non-empty string", value);
    return value;
}

function flag(input: WarmOptions, field: "cluster" | "overwrite" | "acceptEviction" | "dryRun"): boolean {
    const value: unknown = input[field];
    if (value !== undefined && typeof value !== "boolean") throw fieldError(field, "true or false", value);
    return value ?? WARM_DEFAULTS[field];
}
