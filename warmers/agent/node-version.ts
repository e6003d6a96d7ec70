/** The oldest Node the agent runs on: its bundle targets it and the instance's start script requires it. */
export const AGENT_NODE_MAJOR = 18;
