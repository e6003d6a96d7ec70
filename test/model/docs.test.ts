// docs/configuration.md is the reference of every warmstack:* key: held here to the schema (every key, every
// default) and to the plan's constants, so the manual cannot drift from the code again.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { MAX_NODES, MAX_SHARDS, RESERVED_MEMORY } from "../../model/cache-sizing";
import { FRAGMENTATION_ALLOWANCE, REDIS_KEY_OVERHEAD_BYTES } from "../../model/redis-memory";
import { configSchema, parseConfig, unwrapped } from "../../model/config";
import { ALWAYS_WARM_FRACTION_OF_MAX } from "../../model/cost";
import {
    DEFAULT_LEAD_MINUTES,
    WARM_KEYS_PER_SECOND,
    WARM_START_SECONDS,
    WARMER_MEMORY_MB,
} from "../../model/data-warm";
import { NODE_MEMORY_AS_OF } from "../../policies/shared/node-memory";
import {
    CACHE_NODE_HOURLY,
    EBS_GP3_GB_MONTH,
    INSTANCE_HOURLY,
    INSTANCE_MEMORY_GIB,
    PRICES_AS_OF,
    PROVISIONED_CONCURRENCY_GB_SECOND,
    REPLICA_HOURLY,
} from "../../model/prices";
import { UNRESERVED_CONCURRENCY } from "../../model/plan/functions";
import { DEPLOY_ALLOWANCE_MINUTES, REPLICA_CREATE_MINUTES } from "../../model/timeline";
import { REPO } from "../support/pulumi";
import { validRaw } from "./fixtures";

const DOC = fs.readFileSync(path.join(REPO, "docs", "configuration.md"), "utf8");

/** The reference table's rows: each key it names (`a.b`, top-level sections without the namespace) → default cell. */
function documentedDefaults(): Map<string, string> {
    const lines = DOC.split("\n");
    const header = lines.findIndex((l) => l.startsWith("| key | default |"));
    assert.ok(header >= 0, "the reference table");
    const rows = new Map<string, string>();
    for (const line of lines.slice(header + 2)) {
        if (!line.startsWith("|")) break;
        const [keys, def] = line
            .split("|")
            .slice(1, 3)
            .map((cell) => cell.trim());
        for (const [, key] of keys.matchAll(/`(?:warmstack:)?([^`]+)`/g)) rows.set(key, def);
    }
    return rows;
}

/** Every key the schema accepts: the top-level sections and every leaf below them. */
function schemaKeys(schema: z.ZodType = configSchema, prefix: string[] = []): string[][] {
    const inner = unwrapped(schema);
    if (!(inner instanceof z.ZodObject)) return [prefix];
    const below = Object.entries(inner.shape).flatMap(([k, s]) => schemaKeys(s as z.ZodType, [...prefix, k]));
    return prefix.length === 1 ? [prefix, ...below] : below;
}

const at = (root: unknown, keyPath: string[]): unknown =>
    keyPath.reduce<unknown>(
        (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
        root,
    );

/** The least config that names every section whose keys have no defaults. */
function minimal(): Record<string, any> {
    return {
        ...validRaw(),
        event: { name: "e", start: "2027-01-01T00:00:00Z", end: "2027-01-02T00:00:00Z" },
        network: {
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            privateSubnetIds: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
        },
    };
}

function required(keyPath: string[]): boolean {
    const raw = minimal();
    const parent = at(raw, keyPath.slice(0, -1)) as Record<string, unknown>;
    if (parent?.[keyPath.at(-1)!] === undefined) return false;
    delete parent[keyPath.at(-1)!];
    try {
        parseConfig(raw);
        return false;
    } catch {
        return true;
    }
}

describe("docs/configuration.md", () => {
    const documented = documentedDefaults();
    const keys = schemaKeys(); // at load time: one test per key
    let parsed: ReturnType<typeof parseConfig>;
    // Before each test, not once at load time or in before(): a mutation run (docs/mutation.md) only sees code
    // that runs inside a test or its beforeEach.
    beforeEach(() => {
        parsed = parseConfig(minimal());
    });

    it("names every key of the schema, and no key the schema does not have", () => {
        const names = keys.map((k) => k.join("."));
        assert.deepEqual(
            names.filter((k) => !documented.has(k)),
            [],
            "keys missing from the reference",
        );
        assert.deepEqual(
            [...documented.keys()].filter((k) => !names.includes(k)),
            [],
            "keys in the reference the schema does not have",
        );
    });

    for (const keyPath of keys) {
        const key = keyPath.join(".");
        it(`gives ${key} the schema's default`, () => {
            const cell = documented.get(key);
            assert.ok(cell !== undefined, `${key} is not in the reference`);
            const given = at(minimal(), keyPath) !== undefined;
            const value = at(parsed, keyPath);
            // A top-level section (an object) has no default of its own; a top-level list or number may.
            const section = keyPath.length === 1 && typeof value === "object" && !Array.isArray(value);
            if (section || given || value === undefined) {
                // No default: required, or optional and absent.
                assert.equal(cell, required(keyPath) ? "—" : "absent", key);
                return;
            }
            const text = cell.replace(/^`(.*)`$/, "$1");
            if (typeof value === "string") assert.equal(text, value, key);
            else assert.deepEqual(JSON.parse(text), value, key);
        });
    }

    it("states the plan's constants as the code has them", () => {
        const mentions = [
            `(avgEntryBytes + ${REDIS_KEY_OVERHEAD_BYTES}) × ${FRAGMENTATION_ALLOWANCE}`,
            `node memory × (1 − ${RESERVED_MEMORY})`,
            `at most ${MAX_SHARDS} shards and ${MAX_NODES} nodes`,
            `⌈${WARM_START_SECONDS} + topKeys / ${WARM_KEYS_PER_SECOND.toLocaleString("en-US")}⌉`,
            `min(max(${DEFAULT_LEAD_MINUTES}, shortest), longest)`,
            `the warmer function has ${WARMER_MEMORY_MB} MB`,
            `min(data warm, ramp) − max(${DEPLOY_ALLOWANCE_MINUTES} minutes, ${REPLICA_CREATE_MINUTES} + ⌈(bootSeconds + agent deadline) / 60⌉ minutes)`,
            `⌈${ALWAYS_WARM_FRACTION_OF_MAX} × *P*⌉`,
            `as of ${NODE_MEMORY_AS_OF}`,
            `us-east-1 on-demand, ${PRICES_AS_OF}`,
            `gp3 ${EBS_GP3_GB_MONTH} a GB-month`,
            `x86 us-east-1 ${PROVISIONED_CONCURRENCY_GB_SECOND.toFixed(10)} from`,
            `Σ *N* ≤ accountConcurrency − ${UNRESERVED_CONCURRENCY}`,
        ];
        for (const text of mentions) assert.ok(DOC.includes(text), `docs/configuration.md should say: ${text}`);
        const priced = { ...INSTANCE_HOURLY, ...REPLICA_HOURLY, ...CACHE_NODE_HOURLY };
        for (const [type, price] of Object.entries(priced)) {
            assert.match(
                DOC,
                new RegExp(`\`${type.replace(/\./g, "\\.")}\` ${String(price).replace(".", "\\.")}`),
                type,
            );
        }
        for (const [type, gib] of Object.entries(INSTANCE_MEMORY_GIB))
            assert.ok(INSTANCE_HOURLY[type], `${type} (${gib} GiB)`);
    });
});
