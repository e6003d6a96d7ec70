// The two bundles the stack ships, each one self-contained script built by the one bundle helper
// (scripts/bundle.js) from its run-time entry in warmers/: infra names the entry file and imports none of its code.
// - the warmer function's (warmers/prewarm/handler.ts): the CachePrewarm provider's engine and the Lambda's code;
// - the instance agent's (warmers/agent/main.ts): it runs with nothing but Node beside it, and the stack stores it
//   in S3 where the user data checks its SHA-256.
// In a checkout they are built from the sources at deploy time. The package (`warmstack/pulumi`, compiled to
// dist/lib) has neither the sources nor esbuild: `npm run build` writes both bundles beside the compiled code
// (dist/lib/bundles/, scripts/build.js), and this file reads them from there.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AGENT_NODE_MAJOR } from "../model/agent-node-version";

const WARMERS = path.join(__dirname, "..", "warmers");
/** Where the package's prebuilt bundles are, from the compiled dist/lib/infra/bundles.js (none in a checkout). */
export const PREBUILT_BUNDLES = path.join(__dirname, "..", "bundles");
/** The prebuilt bundles' file names in {@link PREBUILT_BUNDLES}. */
export const BUNDLE_FILES = { runtime: "prewarm-runtime.js", agent: "agent.js" } as const;

/** Built from its entry with esbuild, in a checkout; the prebuilt bundle, in the package. */
function bundle(file: string, entry: string, target?: string): string {
    const source = path.join(WARMERS, entry);
    if (fs.existsSync(source)) {
        // A checkout's own build tool, loaded only here: the package never asks for it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { bundleScript } = require("../scripts/bundle") as typeof import("../scripts/bundle");
        return bundleScript(source, [], target);
    }
    const prebuilt = path.join(PREBUILT_BUNDLES, file);
    if (!fs.existsSync(prebuilt)) {
        throw new Error(`warmstack: neither ${source} nor the prebuilt ${prebuilt} exists: run npm run build`);
    }
    return fs.readFileSync(prebuilt, "utf8");
}

let runtime: string | undefined;

/** The pre-warm's run time and its libraries (ioredis, pg, the AWS SDK clients) as one CommonJS script. */
export function runtimeBundle(): string {
    runtime ??= bundle(BUNDLE_FILES.runtime, path.join("prewarm", "handler.ts"));
    return runtime;
}

export interface AgentBundle {
    code: string;
    /** Hex SHA-256 of `code` as UTF-8 bytes: what the user data checks the downloaded file against. */
    sha256: string;
}

let agent: AgentBundle | undefined;

export function agentBundle(): AgentBundle {
    if (!agent) {
        const code = bundle(BUNDLE_FILES.agent, path.join("agent", "main.ts"), `node${AGENT_NODE_MAJOR}`);
        agent = { code, sha256: createHash("sha256").update(code, "utf8").digest("hex") };
    }
    return agent;
}
