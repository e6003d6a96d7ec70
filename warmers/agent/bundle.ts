// The agent as one self-contained JavaScript file for the instances: built by the one bundle helper, it runs
// with nothing but Node (node-version.ts) beside it. The stack stores it in S3 and the user data checks its SHA-256.
import { createHash } from "node:crypto";
import path from "node:path";
import { bundleScript } from "../provider/bundle";
import { AGENT_NODE_MAJOR } from "./node-version";

export interface AgentBundle {
    code: string;
    /** Hex SHA-256 of `code` as UTF-8 bytes: what the user data checks the downloaded file against. */
    sha256: string;
}

let built: AgentBundle | undefined;

export function agentBundle(): AgentBundle {
    if (!built) {
        const code = bundleScript(path.join(__dirname, "main.ts"), [], `node${AGENT_NODE_MAJOR}`);
        built = { code, sha256: createHash("sha256").update(code, "utf8").digest("hex") };
    }
    return built;
}
