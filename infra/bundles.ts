// The two bundles the stack ships, each one self-contained script built by the one bundle helper
// (scripts/bundle.js) from its run-time entry in warmers/: infra names the entry file and imports none of its code.
// - the warmer function's (warmers/prewarm/handler.ts): the CachePrewarm provider's engine and the Lambda's code;
// - the instance agent's (warmers/agent/main.ts): it runs with nothing but Node beside it, and the stack stores it
//   in S3 where the user data checks its SHA-256.
import { createHash } from "node:crypto";
import path from "node:path";
import { AGENT_NODE_MAJOR } from "../model/agent-node-version";
import { bundleScript } from "../scripts/bundle";

const WARMERS = path.join(__dirname, "..", "warmers");

let runtime: string | undefined;

/** The pre-warm's run time and its libraries (ioredis, pg, the AWS SDK clients) as one CommonJS script. */
export function runtimeBundle(): string {
    runtime ??= bundleScript(path.join(WARMERS, "prewarm", "handler.ts"));
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
        const code = bundleScript(path.join(WARMERS, "agent", "main.ts"), [], `node${AGENT_NODE_MAJOR}`);
        agent = { code, sha256: createHash("sha256").update(code, "utf8").digest("hex") };
    }
    return agent;
}
