// Bad flags fail before anything starts: no server process spawned, no report directory written. --out too: a
// report that cannot be written fails at once, not after the whole run (nor spins forever under /proc).
import assert from "node:assert/strict";
import childProcess from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { describe as describeError } from "../../warmers/cli/outcome";
import { WarmInputError } from "../../warmers/engine/errors";
import { drillCommand } from "../../warmers/drill/command";
import { runDrill } from "../../warmers/drill/drill";
import { resolveDrillOptions } from "../../warmers/drill/options";
import { checkOutDir, makeOutDir } from "../../warmers/out-dir";

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
    [["--rps", "-5"], '--rps: a whole number from 1 to 20,000; given "-5"'],
    [["--rps", "fast"], '--rps: a whole number from 1 to 20,000; given "fast"'],
    [["--rps", "0x10"], '--rps: a whole number from 1 to 20,000; given "0x10"'],
    [["--skew", "0"], '--skew: a number > 0 and ≤ 10; given "0"'],
    [["--skew", "-1.5"], '--skew: a number > 0 and ≤ 10; given "-1.5"'],
    [["--rows", "20", "--warm-keys", "30"], '--warm-keys: a whole number from 1 to --rows (20); given "30"'],
    [["--rows", "1e3"], '--rows: a whole number from 1 to 10,000,000; given "1e3"'],
    [["--seconds", ""], '--seconds: a whole number from 1 to 300; given ""'],
    // The early warm waits the TTL out: more than ten minutes is refused, and so is no TTL at all.
    [["--ttl", "601"], '--ttl: a whole number from 1 to 600; given "601"'],
    [["--ttl", "0"], '--ttl: a whole number from 1 to 600; given "0"'],
    [["--ttl", "1.5"], '--ttl: a whole number from 1 to 600; given "1.5"'],
    [
        ["--redis", "redis://:secret@10.1.2.3:6379"],
        '--redis: a redis://… URL on loopback (127.0.0.1, ::1 or localhost); given "redis://10.1.2.3:6379"',
    ],
    // A wrong scheme is blamed on the scheme: the host is fine.
    [
        ["--postgres", "mysql://127.0.0.1/db"],
        '--postgres: a postgres://… or postgresql://… URL on loopback (127.0.0.1, ::1 or localhost); given "mysql://127.0.0.1"',
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
            const program = new Command("warmstack").exitOverride().addCommand(drillCommand());
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

    /** The message runDrill fails with for --out `out`, with the processes it spawned meanwhile. */
    async function outFailure(outPath: string): Promise<{ message: string; spawned: string[] }> {
        let message = "";
        const spawned = await spawnsDuring(() =>
            assert.rejects(runDrill({ rows: 10, out: outPath }), (err) => {
                assert.ok(err instanceof WarmInputError, String(err));
                message = describeError(err);
                return true;
            }),
        );
        return { message, spawned };
    }

    const OUT_ALLOWED = "--out: a directory warmstack can create or write to";
    const outCases: [string, () => string, RegExp][] = [
        [
            "a path under a file",
            () => {
                fs.mkdirSync(path.dirname(out), { recursive: true });
                fs.writeFileSync(path.join(path.dirname(out), "file"), "x");
                return path.join(path.dirname(out), "file", "report");
            },
            /a part of the path is a file, not a directory$/,
        ],
        [
            "an existing file",
            () => {
                fs.mkdirSync(path.dirname(out), { recursive: true });
                fs.writeFileSync(out, "x");
                return out;
            },
            /report is a file, not a directory$/,
        ],
        // Node's recursive mkdir spins forever here: the check must not reach it.
        ["a path under /proc", () => "/proc/warmstack-drill/report", /cannot create anything in \/proc: /],
        // sysfs refuses new entries even to root, so this is an unwritable directory whoever runs the tests.
        ["a directory nothing may be created in", () => "/sys/warmstack-drill", /cannot create anything in \/sys: /],
    ];
    for (const [what, make, why] of outCases) {
        it(`rejects --out at ${what} before anything starts`, async () => {
            const outPath = make();
            const { message, spawned } = await outFailure(outPath);
            assert.ok(message.startsWith(`${OUT_ALLOWED}; given ${JSON.stringify(outPath)}: `), message);
            assert.match(message, why);
            assert.deepEqual(spawned, [], "no server process was started");
        });
    }

    it("passes a writable --out without leaving a trace, and creates it level by level", async () => {
        const parent = path.dirname(out);
        fs.mkdirSync(parent, { recursive: true });
        const deep = path.join(out, "a", "b");
        await checkOutDir(deep);
        assert.deepEqual(fs.readdirSync(parent), [], "the probe is gone and nothing was created");
        await makeOutDir(deep);
        assert.ok(fs.statSync(deep).isDirectory());
        await makeOutDir(deep); // again: already there is fine
    });

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
