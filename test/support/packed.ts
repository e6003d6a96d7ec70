// The package as a user installs it, without a registry: `npm pack` of the checkout, then the tarball extracted
// into an empty folder's node_modules as npm lays it out (the package, its bin links), beside only the packages
// the test names — linked from the checkout's own node_modules, so nothing is fetched, and a package the code
// needs but the test does not name is simply not there.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Run } from "../cli/run";
import { REPO } from "./pulumi";

/** npm with none of the npm_* settings of an `npm test` that may be running us. */
export function npm(args: string[], cwd: string): Promise<Run> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")));
    return new Promise((resolve) => {
        execFile("npm", args, { cwd, env, timeout: 180_000 }, (err, stdout, stderr) =>
            resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
        );
    });
}

/**
 * `npm pack` of the checkout into `dir`, as it is on disk: --ignore-scripts, because prepack's clean build would
 * delete CLI chunks another warmstack of this checkout may be loading (the caller brings the build up to date).
 */
export async function packCheckout(dir: string): Promise<string> {
    const pack = await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir], REPO);
    if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
    return path.join(dir, JSON.parse(pack.stdout)[0].filename);
}

export interface Installed {
    /** The folder holding node_modules: the user's project. */
    app: string;
    /** The installed package's folder, node_modules/<name>. */
    root: string;
    /** Its package.json, as packed. */
    manifest: Record<string, any>;
}

/** The files of a tarball, without npm's `package/` prefix. */
export function tarballFiles(tarball: string): Promise<string[]> {
    return new Promise((resolve, reject) =>
        execFile("tar", ["-tzf", tarball], (err, stdout) =>
            err
                ? reject(err)
                : resolve(
                      stdout
                          .split("\n")
                          .filter(Boolean)
                          .map((f) => f.replace(/^package\//, "")),
                  ),
        ),
    );
}

/**
 * Extracts `tarball` into `app`/node_modules/<its name>, writes the bin links its manifest declares, and links
 * each of `beside` (package names) from the checkout's node_modules into `app`/node_modules.
 */
export async function installPacked(tarball: string, app: string, beside: string[] = []): Promise<Installed> {
    const modules = path.join(app, "node_modules");
    const staging = fs.mkdtempSync(path.join(app, ".extract-"));
    await new Promise<void>((resolve, reject) =>
        execFile("tar", ["-xzf", tarball, "-C", staging], (err) => (err ? reject(err) : resolve())),
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(staging, "package", "package.json"), "utf8"));
    const root = path.join(modules, manifest.name);
    fs.mkdirSync(path.dirname(root), { recursive: true });
    fs.renameSync(path.join(staging, "package"), root);
    fs.rmSync(staging, { recursive: true });
    for (const [command, file] of Object.entries<string>(manifest.bin ?? {})) {
        const link = path.join(modules, ".bin", command);
        fs.mkdirSync(path.dirname(link), { recursive: true });
        fs.symlinkSync(path.relative(path.dirname(link), path.join(root, file)), link);
        fs.chmodSync(path.join(root, file), 0o755);
    }
    for (const name of beside) {
        const link = path.join(modules, name);
        fs.mkdirSync(path.dirname(link), { recursive: true });
        fs.symlinkSync(path.join(REPO, "node_modules", name), link, "dir");
    }
    return { app, root, manifest };
}
