// The agent as a library: apps import the warmers for their own pools and DNS; the CLI runs runAgent (or
// watchLifecycle with --watch). Infra imports ./config directly, which needs nothing but zod.
export { AGENT_CONNECTION_NAME, AgentError, runAgent, runAgentFromFile } from "./agent";
export type { AgentOptions, AgentReport } from "./agent";
export { AppWarmUpError, warmUpApp } from "./app";
export type { WarmUpTarget } from "./app";
export { agentCommand } from "./command";
export { AgentConfigError, loadAgentConfig, parseAgentConfig } from "./config";
export type { AgentConfig, AgentConfigFile, SecretSource } from "./config";
export { RequestError } from "./http";
export { TimeoutError } from "../timeout";
export { DnsCache, DnsError } from "./dns";
export type { DnsCacheOptions } from "./dns";
export { LifecycleError, completeLifecycleAction, imdsIdentity, targetLifecycleState } from "./lifecycle";
export type { ImdsOptions, InstanceIdentity, LifecycleHook } from "./lifecycle";
export { PoolWarmError, prewarmPgPool, prewarmRedis } from "./pools";
export type { PgPoolWarmOptions, PgPoolWarmer } from "./pools";
export { SecretError, SecretReader } from "./secrets";
export { watchLifecycle, watchLifecycleFromFile } from "./watch";
export type { WatchOptions } from "./watch";
