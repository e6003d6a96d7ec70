// sslmode in a PostgreSQL URL: pg's 9-line warning about prefer/require/verify-ca is not printed (they are passed
// on as the verify-full they mean to pg), an unknown mode is one input error listing what each mode allows.
import assert from "node:assert/strict";
import { pgSslUrl, SSL_MODES } from "../../warmers/engine/sources/pg-ssl";
import { emptyTarget, postgresUrl } from "../engine/fixtures";
import { runCli } from "./run";

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
