/**
 * The oldest Node the agent runs on: its bundle targets it and the instance's start script requires it. 20, not
 * 18: the libraries bundled in it (the AWS SDK, ioredis, commander) declare `engines.node >= 20`. Amazon Linux
 * 2023 installs it as `nodejs20` or `nodejs22` (22 is what the AWS SDK will require from 2027).
 */
export const AGENT_NODE_MAJOR = 20;
