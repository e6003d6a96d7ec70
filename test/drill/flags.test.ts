// Bad flags fail before anything starts: no server process spawned, no report directory written.
import assert from "node:assert/strict";
import childProcess from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { describe as describeError } from "../../warmers/cli/outcome";
import { WarmInputError } from "../../warmers/engine/errors";
import { registerDrill } from "../../warmers/drill/command";
import { resolveDrillOptions } from "../../warmers/drill/options";

/** Counts processes spawned while `work` runs: starting a redis-server or initdb goes through spawn. */
async function spawnsDuring(work: () => Promise<void>): Promise<string[]> {
    const spawned: string[] = [];
    const original = childProcess.spawn;
    (childProcess as { spawn: unknown }).spawn = (command: string, ...rest: unknown[]) => {
        spawned.push(command);
        return (original as (...args: unknown[]) => unknown)(command, ...rest);
    };
    try {
        await work();
    } finally {
        childProcess.spawn = original;
    }
    return spawned;
}

const BAD: [string[], string][] = [
    [["--rps", "-5"], '--rps: expected an integer from 1 to 20,000, got "-5"'],
    [["--rps", "fast"], '--rps: expected an integer from 1 to 20,000, got "fast"'],
    [["--skew", "0"], '--skew: expected a number > 0 and ≤ 10, got "0"'],
    [["--skew", "-1.5"], '--skew: expected a number > 0 and ≤ 10, got "-1.5"'],
    [["--rows", "20", "--warm-keys", "30"], '--warm-keys: expected an integer from 1 to --rows (20), got "30"'],
    [["--rows", "1e3.5"], '--rows: expected an integer from 1 to 10,000,000, got "1e3.5"'],
    [["--seconds", ""], '--seconds: expected an integer from 1 to 300, got ""'],
    [
        ["--redis", "redis://:secret@10.1.2.3:6379"],
        '--redis: expected a redis://… URL on loopback (127.0.0.1, ::1 or localhost), got host "10.1.2.3"',
    ],
    [
        ["--postgres", "mysql://127.0.0.1/db"],
        '--postgres: expected a postgres://… URL on loopback (127.0.0.1, ::1 or localhost), got host "127.0.0.1"',
    ],
];

describe("drill: flags", () => {
    let out: string;
    beforeEach(() => {
        out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-drill-flags-")), "report");
    });
    afterEach(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));

    for (const [flags, message] of BAD) {
        it(`rejects ${flags.join(" ")} before anything starts`, async () => {
            const program = new Command("warmstack").exitOverride();
            registerDrill(program);
            const spawned = await spawnsDuring(() =>
                assert.rejects(program.parseAsync(["drill", ...flags, "--out", out], { from: "user" }), (err) => {
                    assert.ok(err instanceof WarmInputError);
                    assert.equal(describeError(err), message);
                    return true;
                }),
            );
            assert.deepEqual(spawned, [], "no server process was started");
            assert.equal(fs.existsSync(out), false, "nothing was written");
        });
    }

    it("never echoes a password from a rejected URL", () => {
        assert.throws(
            () => resolveDrillOptions({ postgres: "postgres://app:hunter2@db.internal/app" }),
            (err: Error) => !err.message.includes("hunter2"),
        );
    });

    it("fills the defaults: a million rows, the top tenth warmed", () => {
        const options = resolveDrillOptions({});
        assert.deepEqual(
            {
                rows: options.rows,
                skew: options.skew,
                warmKeys: options.warmKeys,
                out: options.out,
                redis: options.redis,
            },
            { rows: 1_000_000, skew: 1, warmKeys: 100_000, out: "drill-report", redis: undefined },
        );
        assert.equal(resolveDrillOptions({ rows: "50" }).warmKeys, 5);
    });
});
