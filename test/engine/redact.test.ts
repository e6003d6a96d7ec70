// Secrets never reach a message, and nothing else is masked: usage text that spells "user:password" is not one.
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
