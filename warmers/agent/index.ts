// The agent as a library: apps import the warmers for their own pools and DNS; the CLI runs runAgent (or
// watchLifecycle with --watch). Infra imports ./config directly, which needs nothing but zod.
export { AGENT_CONNECTION_NAME, AgentError, runAgent, runAgentFromFile } from "./agent";
export type { AgentOptions, AgentReport } from "./agent";
export { warmUpApp } from "./app";
export {
    AgentStepError,
    AppWarmUpError,
    DnsError,
    LifecycleError,
    PoolWarmError,
    RequestError,
    SecretError,
} from "./errors";
export type { WarmUpTarget } from "./app";
export { agentCommand } from "./command";
export { AgentConfigError, parseAgentConfig } from "../../model/agent-config";
export { loadAgentConfig } from "./config-file";
export type { AgentConfig, AgentConfigFile, SecretSource } from "../../model/agent-config";
export { TimeoutError } from "../timeout";
export { DnsCache } from "./dns";
export type { DnsCacheOptions } from "./dns";
export { completeLifecycleAction, imdsIdentity, targetLifecycleState } from "./lifecycle";
export type { ImdsOptions, InstanceIdentity, LifecycleHook } from "./lifecycle";
export { prewarmPgPool, prewarmRedis } from "./pools";
export type { PgPoolWarmOptions, PgPoolWarmer } from "./pools";
export { SecretReader } from "./secrets";
export { watchLifecycle, watchLifecycleFromFile } from "./watch";
export type { WatchOptions } from "./watch";
