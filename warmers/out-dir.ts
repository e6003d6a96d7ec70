// The --out directory of any warmstack command (the drill's report, `warmstack plan`'s chart), checked before
// anything starts and created without `mkdir -p`: Node's recursive mkdir spins forever on a path under /proc
// (each level answers ENOENT), so each missing level is made on its own.
import fs from "node:fs/promises";
import path from "node:path";
import { WarmInputError } from "./engine/errors";
import { given } from "../model/errors";

const ALLOWED = "a directory warmstack can create or write to";

/**
 * Fails with one WarmInputError naming --out when nothing could be written there: a path under a file, an
 * existing file, a directory nothing may be created in (/proc, /sys, no write permission). Leaves nothing behind:
 * the probe is a temporary directory, removed at once, in the deepest directory that exists.
 */
export async function checkOutDir(out: string): Promise<void> {
    // path.resolve("") is the current folder: an empty --out (an unset shell variable) would write there.
    if (!out.trim()) throw outError(out, "an empty path; give --out . for the current folder");
    const target = path.resolve(out);
    let existing = target;
    for (;;) {
        const stat = await fs.stat(existing).catch((err: NodeJS.ErrnoException) => {
            if (err.code === "ENOENT") return undefined;
            // ENOTDIR: a parent is a file; EACCES: a parent cannot be searched.
            throw outError(out, reason(err));
        });
        if (stat?.isDirectory()) break;
        if (stat) throw outError(out, `${existing} is a file, not a directory`);
        const parent = path.dirname(existing);
        if (parent === existing) throw outError(out, "no part of the path exists");
        existing = parent;
    }
    const probe = await fs.mkdtemp(path.join(existing, ".warmstack-out-")).catch((err: NodeJS.ErrnoException) => {
        throw outError(out, `cannot create anything in ${existing}: ${reason(err)}`);
    });
    await fs.rmdir(probe);
}

/** Creates `out` and any missing parents, one level at a time. */
export async function makeOutDir(out: string): Promise<void> {
    const target = path.resolve(out);
    if ((await fs.stat(target).catch(() => undefined))?.isDirectory()) return;
    await makeOutDir(path.dirname(target));
    await fs.mkdir(target).catch(ignoreExists);
}

function ignoreExists(err: NodeJS.ErrnoException): void {
    if (err.code !== "EEXIST") throw err;
}

function outError(out: string, why: string): WarmInputError {
    return new WarmInputError("out", `${ALLOWED}; given ${given(out)}: ${why}`);
}

/** The system's words for an errno, without Node's `EACCES: … , mkdtemp '…'` decoration. */
function reason(err: NodeJS.ErrnoException): string {
    const words: Record<string, string> = {
        EACCES: "permission denied",
        EPERM: "operation not permitted",
        ENOENT: "the file system refuses new entries there",
        ENOTDIR: "a part of the path is a file, not a directory",
        EROFS: "read-only file system",
    };
    return (err.code && words[err.code]) ?? err.message;
}
