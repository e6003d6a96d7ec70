// The agent's config file on the instance: read, then validated by the model's schema (model/agent-config.ts).
import fs from "node:fs";
import { AgentConfig, AgentConfigError, parseAgentConfig } from "../../model/agent-config";

export function loadAgentConfig(path: string): AgentConfig {
    let text: string;
    try {
        text = fs.readFileSync(path, "utf8");
    } catch (err) {
        throw new AgentConfigError(path, [
            `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        ]);
    }
    return parseAgentConfig(text, path);
}
