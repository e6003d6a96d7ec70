// The text summary of `warmstack warm` prints data (the largest key) that a person reads in a terminal: control
// bytes are shown as escapes, so a key cannot clear the screen or forge a line of the report.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { printable } from "../../warmers/cli/printable";
import { emptyTarget } from "../engine/fixtures";
import { runCli } from "./run";

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
