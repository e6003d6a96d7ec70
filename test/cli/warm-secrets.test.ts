// Credentials in URLs never reach an output: a password in a PostgreSQL or Redis URL — in the userinfo or in
// the query string (`?password=…`, which pg reads like the userinfo's) — is masked in the error line, the text
// summary and the JSON report of `warmstack warm`, and in `warmstack warm-db`'s errors.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type Redis from "ioredis";
import { Redactor, urlSecrets } from "../../warmers/engine/redact";
import { emptyTarget, itemsTable, postgresUrl } from "../engine/fixtures";
import { runCli } from "./run";

const SECRET = "Sekr1t-pass";

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

describe("Redactor: credentials in query strings", () => {
    it("masks every parameter that carries one, and only those", () => {
        const redactor = new Redactor([]);
        assert.equal(
            redactor.text("postgres://u@h/db?sslmode=require&password=pw&application_name=x"),
            "postgres://u@h/db?sslmode=require&password=***&application_name=x",
        );
        assert.equal(redactor.text("redis://h:6379?auth_token=t0k&db=2"), "redis://h:6379?auth_token=***&db=2");
        assert.equal(redactor.text("host=h sslpassword=k3y dbname=d"), "host=h sslpassword=*** dbname=d");
        assert.equal(redactor.text("a=1&pwd=x#frag"), "a=1&pwd=***#frag");
        assert.equal(redactor.text("rows=5 keys=7 sslmode=verify-full"), "rows=5 keys=7 sslmode=verify-full");
    });

    it("knows a query string's secrets raw and decoded, so a driver's echo of either is masked", () => {
        assert.deepEqual(urlSecrets("postgres://h/d?password=p%40ss+w&user=u"), ["p%40ss+w", "p@ss+w", "p@ss w"]);
        const redactor = new Redactor(urlSecrets("postgres://h/d?password=p%40ss-word"));
        assert.equal(redactor.text('auth failed: "p@ss-word"'), 'auth failed: "***"');
    });
});
