// Secrets never reach a message, and nothing else is masked: usage text that spells "user:password" is not one.
//
// Credentials in URLs never reach an output: a password in a PostgreSQL or Redis URL — in the userinfo or in
// the query string (`?password=…`, which pg reads like the userinfo's) — is masked in the error line, the text
// summary and the JSON report of `warmstack warm`, and in `warmstack warm-db`'s errors.
import assert from "node:assert/strict";
import { Redactor, urlSecrets } from "../../warmers/engine/redact";

describe("Redactor", () => {
    const redactor = new Redactor(["hunter2-long"]);

    it("masks passwords in URLs and known secrets anywhere", () => {
        assert.equal(redactor.text("redis://u:pw@host:6379"), "redis://u:***@host:6379");
        assert.equal(redactor.text("redis://:pw@host"), "redis://:***@host");
        assert.equal(redactor.text("postgres://app:s3cret@db/shop and more"), "postgres://app:***@db/shop and more");
        assert.equal(redactor.text("failed: hunter2-long rejected"), "failed: *** rejected");
        assert.deepEqual(urlSecrets("redis://:p%40ss@h"), ["p%40ss", "p@ss"]);
    });

    it("leaves usage text as written: redis://[user:password@]host is a form, not a URL with a password", () => {
        const usage = "redis://[user:password@]host[:port][/db] or rediss://… (TLS)";
        assert.equal(redactor.text(usage), usage);
        assert.equal(
            new Redactor([]).text(`--redis: ${usage}; given "http://h"`),
            `--redis: ${usage}; given "http://h"`,
        );
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
