// The agent's own entry point, bundled into one file (bundle.ts) that instances run with nothing but Node:
// `node warmstack-agent.js --config FILE [--watch]`. The flags are `warmstack agent`'s; so are the exit codes.
import { CommanderError } from "commander";
import { EXIT, exitCodeOf } from "../../model/errors";
import { agentCommand } from "./command";
import { AGENT_NODE_MAJOR } from "../../model/agent-node-version";

async function main(argv: readonly string[]): Promise<number> {
    const major = Number(process.versions.node.split(".")[0]);
    if (major < AGENT_NODE_MAJOR) {
        process.stderr.write(`warmstack-agent: needs Node ${AGENT_NODE_MAJOR} or later, this is ${process.version}\n`);
        return EXIT.unexpected;
    }
    const program = agentCommand()
        .name("warmstack-agent")
        .exitOverride()
        .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "warmstack-agent: ")) });
    try {
        await program.parseAsync([...argv]);
        return EXIT.ok;
    } catch (err) {
        if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.input;
        // The agent's messages name endpoints and secret ARNs, never secret values.
        process.stderr.write(`warmstack-agent: ${(err as Error).message}\n`);
        return exitCodeOf(err);
    }
}

void main(process.argv).then((code) => {
    process.exitCode = code;
});
