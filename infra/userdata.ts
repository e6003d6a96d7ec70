// What each instance gets at launch: the agent config (endpoints and pool sizes from the plan, secrets only by
// ARN) and a systemd service running `warmstack agent --watch` from every boot on. A warm pool runs the launch
// hook when the instance goes into the pool and again when it leaves it, but the second time is a boot only for
// a Stopped pool (a hibernated instance resumes, a Running one is already up), and cloud-init runs user data
// once: the watch follows the target lifecycle state and completes each hook.
// Pure, so tests check the script and that the agent's own parser accepts the config.
import { AgentConfigFile, parseAgentConfig } from "../warmers/agent/config";
import { ReadinessPlan } from "./plan";

export const AGENT_CONFIG_PATH = "/etc/warmstack/agent.json";
/** The RDS certificate authorities: the agent checks the database's certificate before it sends the password. */
export const RDS_CA_PATH = "/etc/warmstack/rds-global-bundle.pem";
const RDS_CA_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem";

export interface AgentEndpoints {
    groupName: string;
    hookName: string;
    databaseWriter: string;
    databaseReaders: string[];
    databasePort: number;
    databaseName: string;
    databaseUser: string;
    databaseSecretArn: string;
    cacheHost: string;
    cachePort: number;
    cacheTokenSecretArn: string;
    appPort: number;
    healthCheckPath: string;
}

/** What the data tier tells the compute tier; the rest the group knows itself. */
export type DataEndpoints = Omit<AgentEndpoints, "groupName" | "hookName" | "appPort" | "healthCheckPath">;

/** The agent's config for this stack; checked with the agent's own parser, so a bad one fails the preview. */
export function agentConfigFor(plan: ReadinessPlan, e: AgentEndpoints): AgentConfigFile {
    const config: AgentConfigFile = {
        autoScalingGroupName: e.groupName,
        lifecycleHookName: e.hookName,
        // Decide before the hook's own timeout does: its clock starts at launch, before the boot.
        timeouts: { overallMs: plan.scaling.agentDeadlineSeconds * 1000 },
        postgres: {
            writer: {
                host: e.databaseWriter,
                port: e.databasePort,
                database: e.databaseName,
                user: e.databaseUser,
                password: { secretArn: e.databaseSecretArn },
            },
            readers: e.databaseReaders.map((host) => ({ host, port: e.databasePort })),
            poolSize: {
                writer: plan.database.writerPoolPerInstance,
                readerPerReplica: plan.database.readerPoolPerReplica,
            },
            tls: { caFile: RDS_CA_PATH },
        },
        redis: { host: e.cacheHost, port: e.cachePort, tls: {}, authToken: { secretArn: e.cacheTokenSecretArn } },
        app: { warmUp: [{ url: `http://127.0.0.1:${e.appPort}${e.healthCheckPath}`, count: 20 }] },
    };
    parseAgentConfig(config, "the agent config in user data");
    return config;
}

export function userDataScript(config: AgentConfigFile): string {
    return `#!/bin/bash
# warmstack: the agent warms DNS, connection pools and the app, then completes each launch hook.
set -euo pipefail
install -d -m 0755 /etc/warmstack
cat > ${AGENT_CONFIG_PATH} <<'WARMSTACK_AGENT_CONFIG'
${JSON.stringify(config, null, 2)}
WARMSTACK_AGENT_CONFIG
# Baked into the AMI, or fetched once; without it the agent fails its database step and ABANDONs, saying why.
[ -s ${RDS_CA_PATH} ] || curl -fsS --max-time 30 -o ${RDS_CA_PATH} ${RDS_CA_URL} ||
  echo "warmstack: could not fetch ${RDS_CA_URL}; bake ${RDS_CA_PATH} into the AMI" >&2
cat > /etc/systemd/system/warmstack-agent.service <<'WARMSTACK_AGENT_UNIT'
[Unit]
Description=warmstack agent: warm this instance, then complete its launch lifecycle hook
Wants=network-online.target
After=network-online.target
# The app's own unit should say Before=warmstack-agent.service: the agent's last step warms the app.

[Service]
Type=simple
ExecStart=/usr/bin/env warmstack agent --config ${AGENT_CONFIG_PATH} --watch
# A watch that dies is restarted; its first read counts as a change, so a hook still pending gets completed.
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
WARMSTACK_AGENT_UNIT
systemctl daemon-reload
systemctl enable warmstack-agent.service
systemctl start --no-block warmstack-agent.service
`;
}
