// `warmstack warm` end to end: the real bin/warmstack spawned as operators run it, its JSON summary parsed,
// its exit codes and one-line reasons checked.
//
// Credentials in URLs never reach an output: a password in a PostgreSQL or Redis URL — in the userinfo or in
// the query string (`?password=…`, which pg reads like the userinfo's) — is masked in the error line, the text
// summary and the JSON report of `warmstack warm`, and in `warmstack warm-db`'s errors.
//
// The text summary of `warmstack warm` prints data (the largest key) that a person reads in a terminal: control
// bytes are shown as escapes, so a key cannot clear the screen or forge a line of the report.
//
// sslmode in a PostgreSQL URL: pg's 9-line warning about prefer/require/verify-ca is not printed (they are passed
// on as the verify-full they mean to pg), an unknown mode is one input error listing what each mode allows.
import Redis from "ioredis";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { printable } from "../../warmers/cli/printable";
import { WARM_FLAGS, warmCommand, warmFlagsTable } from "../../warmers/cli/warm";
import { WARM_DEFAULTS } from "../../warmers/engine/options";
import { pgSslUrl, SSL_MODES } from "../../warmers/engine/sources/pg-ssl";
import { emptyTarget, itemsTable, postgresUrl } from "../engine/fixtures";
import { closedPort, startRedis, testRedis } from "../support/servers";
import { runCli } from "./run";

const BIN = path.join(__dirname, "..", "..", "bin", "warmstack");

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

function warmstack(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
        execFile(BIN, args, { timeout: 55_000 }, (err, stdout, stderr) => {
            resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
        });
    });
}

const SECRET = "Sekr1t-pass";

describe("warmstack warm (CLI)", function () {
    this.timeout(60_000); // each case spawns the CLI; a busy machine takes seconds per spawn
    let target: { url: string; redis: Redis };
    let dir: string;

    before(async () => {
        await itemsTable("warm_cli_items", 2000);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-cli-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    beforeEach(async () => (target = await emptyTarget()));
    afterEach(() => target.redis.disconnect());

    it("warms from postgres and prints one JSON summary", async () => {
        const run = await warmstack(
            "warm",
            "--source",
            await postgresUrl(),
            "--query",
            "SELECT key, value FROM warm_cli_items ORDER BY hits DESC",
            "--top",
            "1500",
            "--redis",
            target.url,
            "--ttl",
            "300",
            "--jitter",
            "0.2",
            "--batch",
            "400",
            "--concurrency",
            "2",
            "--rate",
            "100000",
            "--max-value-bytes",
            "4096",
            "--min-warmth",
            "0.99",
            "--json",
        );
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, "");
        const lines = run.stdout.trim().split("\n");
        assert.equal(lines.length, 1);
        const summary = JSON.parse(lines[0]);
        assert.equal(summary.rowsRead, 1500);
        assert.equal(summary.keysWritten, 1500);
        assert.equal(summary.warmth, 1);
        assert.equal(await target.redis.dbsize(), 1500);
        assert.ok((await target.redis.ttl("key:1999")) >= 239);
    });

    it("a file warm without --json prints a readable summary; --dry-run writes nothing", async () => {
        const file = path.join(dir, "items.jsonl");
        fs.writeFileSync(file, '{"key": "a", "value": "1"}\n{"key": "b", "value": "2"}\n');
        const dry = await warmstack("warm", "--source", file, "--redis", target.url, "--dry-run");
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stdout, /^dry run: read 2 rows from .*items\.jsonl in [\d.]+ s, wrote nothing\n/);
        // The hot set's sizes: "a"+"1" and "b"+"2" are 2 bytes each.
        assert.match(
            dry.stdout,
            /\nhot set: 2 entries, mean 2 B \(key \+ value\), largest 2 B \(a\); about 0\.0 MiB in Redis\n/,
        );
        assert.equal(await target.redis.dbsize(), 0);

        const run = await warmstack("warm", "--source", file, "--redis", target.url, "--ttl", "60");
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^warmed 2 keys from .*items\.jsonl into redis:\/\/127\.0\.0\.1:\d+\/3 in [\d.]+ s/);
        assert.match(run.stdout, /\nwarmth 1\.000 \(2 of 2 sampled hot keys present\)\n$/);
        assert.equal(await target.redis.get("b"), "2");
    });

    it("bad input exits 2 with one line naming the flag, before writing", async () => {
        const run = await warmstack(
            "warm",
            "--source",
            await postgresUrl(),
            "--query",
            "SELECT 1",
            "--redis",
            target.url,
            "--ttl",
            "-5",
        );
        assert.equal(run.code, 2);
        assert.equal(run.stdout, "");
        assert.equal(run.stderr, 'warmstack: --ttl: a whole number ≥ 1; given "-5"\n');

        const missing = await warmstack("warm", "--redis", target.url);
        assert.equal(missing.code, 2);
        assert.equal(missing.stderr, "warmstack: required option '--source <url|file>' not specified\n");
        assert.equal(await target.redis.dbsize(), 0);
    });

    it("--partition warms one share and names it; anything but I/N exits 2 in one line, before connecting", async () => {
        const file = path.join(dir, "shares.jsonl");
        fs.writeFileSync(file, Array.from({ length: 40 }, (_, i) => `{"key": "s${i}", "value": "${i}"}\n`).join(""));
        const run = await warmstack("warm", "--source", file, "--redis", target.url, "--partition", "2/3");
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^warmed (\d+) keys \(partition 2\/3\) from /);
        const written = Number(/^warmed (\d+)/.exec(run.stdout)![1]);
        assert.ok(written > 0 && written < 40);
        assert.equal(await target.redis.dbsize(), written);

        for (const bad of ["3/2", "0/1", "2", "1/0"]) {
            const refused = await warmstack(
                "warm",
                "--source",
                file,
                "--redis",
                "redis://127.0.0.1:1",
                "--partition",
                bad,
            );
            assert.equal(refused.code, 2);
            assert.equal(refused.stdout, "");
            assert.equal(
                refused.stderr,
                `warmstack: --partition: I/N with whole numbers 1 ≤ I ≤ N ≤ 16,384 (2/4: the second of four shares); given "${bad}"\n`,
            );
        }
    });

    it("refuses numbers in other notations (0x10, 1e3) and shows usage text unmasked", async () => {
        // Numbers a person did not type as such are refused as they are parsed, before anything connects.
        for (const [flag, value] of [
            ["--top", "0x10"],
            ["--ttl", "1e3"],
            ["--batch", "1_000"],
        ]) {
            const odd = await warmstack("warm", "--source", "x.jsonl", "--redis", target.url, flag, value);
            assert.equal(odd.code, 2, odd.stderr);
            assert.equal(
                odd.stderr,
                `warmstack: ${flag}: a whole number ${flag === "--batch" ? "from 1 to 100,000" : "≥ 1"}; given "${value}"\n`,
            );
        }

        // Usage text is shown as written: "password" in the URL form is not a password to mask.
        const url = await warmstack("warm", "--source", "x.jsonl", "--redis", "http://cache:6379");
        assert.equal(url.code, 2);
        assert.equal(
            url.stderr,
            'warmstack: --redis: redis://[user:password@]host[:port][/db] or rediss://… (TLS); given "http://cache:6379"\n',
        );
    });

    it("an unreachable Redis exits 3; with --json the summary carries the error", async () => {
        const port = await closedPort();
        const run = await warmstack(
            "warm",
            "--source",
            path.join(dir, "items.jsonl"),
            "--redis",
            `redis://:pw-s3cret@127.0.0.1:${port}`,
            "--json",
        );
        assert.equal(run.code, 3);
        assert.equal(
            run.stderr,
            `warmstack: cannot reach Redis redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
        );
        assert.equal(JSON.parse(run.stdout).error.code, "WARM_CONNECTION");
        assert.doesNotMatch(run.stdout + run.stderr, /pw-s3cret/);
    });

    it("a warm that breaks after writing exits 4 saying how far it got", async () => {
        const file = path.join(dir, "broken.jsonl");
        const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ key: `k:${i}`, value: String(i) }));
        lines[24] = "not json";
        fs.writeFileSync(file, lines.join("\n"));
        const run = await warmstack("warm", "--source", file, "--redis", target.url, "--batch", "10", "--json");
        assert.equal(run.code, 4);
        assert.match(
            run.stderr,
            /^warmstack: warm incomplete after reading 20 rows and writing 20 keys: source: .*broken\.jsonl line 25: not JSON .*; fix source and re-run \(keys already written are skipped\)$/m,
        );
        assert.equal(run.stderr.trim().split("\n").length, 1);
        assert.deepEqual(JSON.parse(run.stdout).progress.keysWritten, 20);
    });

    it("--help shows every default from WARM_DEFAULTS, and docs/warm.md's flags table is the CLI's", async () => {
        const help = await warmstack("warm", "--help");
        assert.equal(help.code, 0, help.stderr);
        const text = help.stdout.replace(/\s+/g, " ");
        for (const spec of WARM_FLAGS) {
            assert.ok(text.includes(spec.flags), `--help lacks ${spec.flags}`);
            assert.ok(text.includes(`(default: ${spec.default})`), `--help lacks the default of ${spec.flags}`);
        }
        for (const [name, value] of Object.entries(WARM_DEFAULTS)) {
            const spec = WARM_FLAGS.find((f) => f.name === name);
            assert.ok(spec, `no flag for the default ${name}`);
            assert.equal(spec.default, typeof value === "boolean" ? (value ? "on" : "off") : String(value));
        }
        const manual = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "warm.md"), "utf8");
        assert.ok(
            manual.includes(`${warmFlagsTable()}\n`),
            `docs/warm.md's flags table differs from the CLI's; it should read:\n${warmFlagsTable()}`,
        );
        const flagsInManual = [...manual.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]);
        const cliFlags = warmCommand().options.map((o) => o.long);
        assert.deepEqual(flagsInManual, cliFlags);
    });

    it("a read-only replica as --redis exits 3 saying so, with no re-run advice", async () => {
        const primary = await testRedis();
        const replica = await startRedis({ args: ["--replicaof", "127.0.0.1", String(primary.port)] });
        try {
            const run = await warmstack("warm", "--source", path.join(dir, "items.jsonl"), "--redis", replica.url);
            assert.equal(run.code, 3);
            assert.match(
                run.stderr,
                /^warmstack: Redis redis:\/\/127\.0\.0\.1:\d+ is a read-only replica of 127\.0\.0\.1:\d+;/,
            );
            assert.match(run.stderr, /a re-run against this node cannot help\n$/);
        } finally {
            await replica.stop();
        }
    });

    it("builds its command without loading the engine's drivers (pg, ioredis): they load when a warm runs", async () => {
        const probe = [
            `require(${JSON.stringify(require.resolve("../../warmers/cli/warm"))}).warmCommand();`,
            "const loaded = Object.keys(require.cache).filter((file) => /node_modules[\\\\/](pg|ioredis)[\\\\/]/.test(file));",
            "process.stdout.write(JSON.stringify(loaded));",
        ].join("\n");
        const stdout = await new Promise<string>((resolve, reject) =>
            execFile(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", "-e", probe],
                { timeout: 55_000 },
                (err, out) => (err ? reject(err) : resolve(out)),
            ),
        );
        assert.deepEqual(JSON.parse(stdout), []);
    });
});

describe("warmstack warm: credentials in URLs are masked everywhere", function () {
    this.timeout(60_000);
    let target: { url: string; redis: Redis };
    let dir: string;

    before(async () => {
        await itemsTable("warm_secret_items", 50);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-secrets-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    beforeEach(async () => (target = await emptyTarget()));
    afterEach(() => target.redis.disconnect());

    /** The test PostgreSQL trusts loopback, so a password in the URL is carried and ignored. */
    async function withQueryPassword(database?: string): Promise<string> {
        const url = new URL(await postgresUrl());
        if (database) url.pathname = `/${database}`;
        url.search = `?sslmode=disable&password=${SECRET}`;
        return url.toString();
    }

    const query = ["--query", "SELECT key, value FROM warm_secret_items"];

    it("masks ?password= in the text summary and the JSON report's source", async () => {
        const source = await withQueryPassword();
        const text = await runCli(["warm", "--source", source, ...query, "--redis", target.url, "--ttl", "60"]);
        assert.equal(text.code, 0, text.stderr);
        assert.match(text.stdout, /^warmed 50 keys from postgres:\/\/.*\?sslmode=disable&password=\*\*\* into /);
        const json = await runCli(["warm", "--source", source, ...query, "--redis", target.url, "--json"]);
        assert.equal(json.code, 0, json.stderr);
        assert.match(JSON.parse(json.stdout).source, /&password=\*\*\*$/);
        assert.doesNotMatch(text.stdout + text.stderr + json.stdout + json.stderr, new RegExp(SECRET));
    });

    it("masks ?password= in the error line and the JSON error", async () => {
        const source = await withQueryPassword("no_such_db");
        const run = await runCli(["warm", "--source", source, ...query, "--redis", target.url, "--json"]);
        assert.notEqual(run.code, 0);
        assert.match(run.stderr, /^warmstack: .*no_such_db.*password=\*\*\*/);
        assert.match(JSON.parse(run.stdout).error.message, /password=\*\*\*/);
        assert.doesNotMatch(run.stdout + run.stderr, new RegExp(SECRET));
    });

    it("masks a Redis URL's credentials, in the userinfo or the query string", async () => {
        const file = path.join(dir, "one.jsonl");
        fs.writeFileSync(file, '{"key": "a", "value": "1"}\n');
        const inQuery = await runCli(["warm", "--source", file, "--redis", `${target.url}?password=${SECRET}`]);
        assert.equal(inQuery.code, 2);
        assert.match(inQuery.stderr, /given "redis:\/\/127\.0\.0\.1:\d+\/3\?password=\*\*\*"\n$/);
        const inUser = await runCli(["warm", "--source", file, "--redis", `redis://u:${SECRET}@[::1`]);
        assert.equal(inUser.code, 2);
        assert.doesNotMatch(inQuery.stderr + inUser.stderr, new RegExp(SECRET));
    });

    it("masks ?password= in warm-db's errors", async () => {
        const run = await runCli(["warm-db", await withQueryPassword("no_such_db"), "--relation", "x"]);
        assert.notEqual(run.code, 0);
        assert.match(run.stderr, /no_such_db/);
        assert.doesNotMatch(run.stdout + run.stderr, new RegExp(SECRET));
    });
});

describe("warmstack warm: keys with control bytes in the text summary", function () {
    this.timeout(60_000);

    it("escapes them in the largest key, and writes the key itself byte for byte", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-text-"));
        const target = await emptyTarget();
        try {
            const forged = "\u001b[2J\rwarmth 1.000 (1000 of 1000 sampled hot keys present)\n\u009b31m\u202e";
            const file = path.join(dir, "odd.jsonl");
            fs.writeFileSync(
                file,
                [
                    { key: "plain", value: "1" },
                    { key: forged, value: "x".repeat(100) },
                ]
                    .map((row) => JSON.stringify(row))
                    .join("\n"),
            );
            for (const args of [["--ttl", "60"], ["--dry-run"]]) {
                const run = await runCli(["warm", "--source", file, "--redis", target.url, ...args]);
                assert.equal(run.code, 0, run.stderr);
                for (const char of ["\u001b", "\r", "\u009b", "\u202e"])
                    assert.ok(!run.stdout.includes(char), run.stdout);
                const lines = run.stdout.split("\n");
                assert.equal(lines.filter((line) => line.startsWith("warmth")).length, 1, run.stdout);
                assert.ok(
                    run.stdout.includes(
                        `largest ${Buffer.byteLength(forged) + 100} B (\\x1b[2J\\x0dwarmth 1.000 (1000 of 1000 sampled hot keys present)\\x0a\\x9b31m\\u202e)`,
                    ),
                    run.stdout,
                );
            }
            assert.equal(await target.redis.get(forged), "x".repeat(100));
        } finally {
            target.redis.disconnect();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("printable() escapes control characters and the backslash, and leaves other text as it is", () => {
        assert.equal(printable("café:ключ:🔑"), "café:ключ:🔑");
        assert.equal(printable("a\\x1b"), "a\\\\x1b"); // a literal backslash cannot pass for an escape
        assert.equal(printable("\u0000\u007f\u2028"), "\\x00\\x7f\\u2028");
    });
});

describe("warmstack warm: sslmode in a PostgreSQL URL", function () {
    this.timeout(60_000);

    it("sslmode=require prints no driver warning, only the one reason the connection failed", async () => {
        const target = await emptyTarget();
        try {
            const source = `${await postgresUrl()}?sslmode=require`;
            const run = await runCli([
                "warm",
                "--source",
                source,
                "--query",
                "SELECT 'k' AS key, 'v' AS value",
                "--redis",
                target.url,
            ]);
            assert.notEqual(run.code, 0);
            assert.doesNotMatch(run.stderr, /SECURITY WARNING/);
            assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
            assert.match(run.stderr, /does not support SSL/);
        } finally {
            target.redis.disconnect();
        }
    });

    it("an unknown sslmode is refused naming every mode", async () => {
        const run = await runCli(["warm-db", "postgres://u@127.0.0.1:1/db?sslmode=allow", "--relation", "t"]);
        assert.equal(run.code, 2);
        assert.match(
            run.stderr,
            /sslmode: one of disable, no-verify, prefer, require, verify-ca, verify-full; given "allow"/,
        );
    });

    it("passes each mode on as what it does", () => {
        assert.deepEqual(pgSslUrl("postgres://h/d?sslmode=require"), {
            ok: true,
            url: "postgres://h/d?sslmode=verify-full",
        });
        assert.deepEqual(pgSslUrl("postgres://h/d?sslmode=no-verify"), {
            ok: true,
            url: "postgres://h/d?sslmode=no-verify",
        });
        assert.equal(Object.keys(SSL_MODES).length, 6);
    });
});
