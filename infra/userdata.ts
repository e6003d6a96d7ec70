// What each instance gets at launch: the agent config (endpoints and pool sizes from the plan, secrets only by
// ARN), the agent itself (downloaded from the stack's bucket with the instance role and checked against the
// digest the program computed, or baked into the AMI), and a systemd service running it with --watch from every
// boot on. A warm pool runs the launch hook when the instance goes into the pool and again when it leaves it, but
// the second time is a boot only for a Stopped pool (a hibernated instance resumes, a Running one is already up),
// and cloud-init runs user data once: the watch follows the target lifecycle state and completes each hook.
// Pure, so tests check the script, run its install step for real, and parse the config with the agent's parser.
import fs from "node:fs";
import path from "node:path";
import { AgentConfigFile, parseAgentConfig } from "../model/agent-config";
import { AGENT_NODE_MAJOR } from "../model/agent-node-version";
import { ReadinessPlan } from "../model/plan";

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
    /** `cacheHost` is a cluster-mode group's configuration endpoint. @defaultValue false */
    cacheClusterMode?: boolean;
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
        timeouts: {
            overallMs: plan.scaling.agentDeadlineSeconds * 1000,
            ...(plan.ecs && { pullMs: plan.ecs.pullTimeoutSeconds * 1000 }),
        },
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
        redis: {
            host: e.cacheHost,
            port: e.cachePort,
            tls: {},
            authToken: { secretArn: e.cacheTokenSecretArn },
            cluster: e.cacheClusterMode ?? false,
        },
        // On ECS the app runs as tasks, placed only once the instance has left the pool: nothing to warm on the host.
        app: { warmUp: plan.ecs ? [] : [{ url: `http://127.0.0.1:${e.appPort}${e.healthCheckPath}`, count: 20 }] },
        ...(plan.ecs && plan.ecs.images.length > 0 && { containers: { images: plan.ecs.images } }),
    };
    parseAgentConfig(config, "the agent config in user data");
    return config;
}

/**
 * Where the instance gets the agent. `stack`: the object the stack stored (infra/agent-artifact.ts), read with
 * the instance role and checked against `sha256` (infra/bundles.ts computed it). `ami`: baked into the
 * image at {@link AGENT_FILE} (docs/agent.md says how).
 */
export type AgentArtifact =
    { source: "stack"; bucket: string; key: string; sha256: string; region: string } | { source: "ami" };

/** The installed agent: one JavaScript file that needs nothing but Node. */
export const AGENT_DIR = "/opt/warmstack";
export const AGENT_FILE = `${AGENT_DIR}/warmstack-agent.js`;
/** The unit's start script: checks Node, installs the agent (stack) or checks it is there (ami), then runs it. */
export const AGENT_START_PATH = "/usr/local/libexec/warmstack-agent-start";
export const AGENT_UNIT = "warmstack-agent.service";
/**
 * The start script's exit when the instance cannot run the agent and ABANDON was sent: systemd does not restart
 * it. Without ABANDON sent (IMDS or the API did not answer in time) it exits 1, and systemd starts it again.
 */
export const CANNOT_RUN_EXIT = 78;

/** What the start script talks to and where it writes; tests point every one at loopback and a temp folder. */
export interface StartScriptTarget {
    dir: string;
    config: string;
    imds: string;
    /** The agent object's URL; the regional virtual-hosted S3 URL of the artefact by default. */
    objectUrl?: string;
    /** The Auto Scaling Query API, for the ABANDON when the agent cannot run; the regional one by default. */
    autoScalingUrl?: string;
}

export const INSTANCE_TARGET: StartScriptTarget = {
    dir: AGENT_DIR,
    config: AGENT_CONFIG_PATH,
    imds: "http://169.254.169.254",
};

export interface LaunchHookName {
    groupName: string;
    hookName: string;
    /**
     * How long the start script retries IMDS, the credentials and the ABANDON before it gives up and exits for
     * systemd to start it again: the agent's deadline (its config's timeouts.overallMs), in seconds.
     */
    retrySeconds: number;
}

/** A value as one single-quoted shell word. */
function sh(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The start script's body: a real shell file, checked by `bash -n` and shellcheck; its values are written above it. */
const START_SCRIPT_BODY = fs.readFileSync(path.join(__dirname, "agent-start.sh"), "utf8").replace(/^#!.*\n/, "");

/**
 * The unit's start script (infra/agent-start.sh) with this stack's values: any reason the agent cannot run is
 * printed (journald keeps it) and ABANDONs the launch hook with curl signing as the instance role, so the
 * instance never sits out the hook's timeout.
 */
export function agentStartScript(
    agent: AgentArtifact,
    hook: LaunchHookName,
    target: StartScriptTarget = INSTANCE_TARGET,
): string {
    const stack = agent.source === "stack" ? agent : undefined;
    const values: Record<string, string> = {
        SOURCE: agent.source,
        DIR: target.dir,
        AGENT: `${target.dir}/warmstack-agent.js`,
        CONFIG: target.config,
        IMDS: target.imds,
        REGION: stack?.region ?? "",
        GROUP: hook.groupName,
        HOOK: hook.hookName,
        AUTOSCALING_URL: target.autoScalingUrl ?? "",
        NODE_MAJOR: String(AGENT_NODE_MAJOR),
        CANNOT_RUN_EXIT: String(CANNOT_RUN_EXIT),
        RETRY_SECONDS: String(hook.retrySeconds),
        ...(stack && {
            SHA256: stack.sha256,
            OBJECT_URL: target.objectUrl ?? `https://${stack.bucket}.s3.${stack.region}.amazonaws.com/${stack.key}`,
        }),
    };
    const block = Object.entries(values)
        .map(([name, value]) => `${name}=${sh(value)}`)
        .join("\n");
    return `#!/bin/bash\n${block}\n${START_SCRIPT_BODY}`;
}

/** The ECS agent's settings file on an ECS-optimized AMI. */
export const ECS_CONFIG_PATH = "/etc/ecs/ecs.config";
/** A cluster name as ECS takes it: also a plain shell word, so it is written into the file as it is. */
const ECS_CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * compute.platform ecs: the lines the ECS agent reads before it starts. ECS_WARM_POOLS_CHECK keeps it from
 * registering while the instance is in the warm pool (it waits for InService), so a pooled instance never takes
 * tasks (aws/amazon-ecs-agent#3000, #3032). Appended: settings baked into the AMI stay.
 */
export function ecsConfigScript(cluster: string, file = ECS_CONFIG_PATH): string {
    if (!ECS_CLUSTER_NAME.test(cluster)) throw new Error(`${cluster}: not an ECS cluster name`);
    return `install -d -m 0755 ${path.posix.dirname(file)}
cat >> ${file} <<'WARMSTACK_ECS_CONFIG'
ECS_CLUSTER=${cluster}
ECS_WARM_POOLS_CHECK=true
WARMSTACK_ECS_CONFIG
`;
}

/**
 * The launch template's user data: the ECS agent's cluster (compute.platform ecs), the agent config, the RDS CA
 * bundle, the start script and the unit.
 */
export function userDataScript(config: AgentConfigFile, agent: AgentArtifact, ecsCluster?: string): string {
    const hook = {
        groupName: config.autoScalingGroupName,
        hookName: config.lifecycleHookName,
        retrySeconds: Math.ceil(parseAgentConfig(config, "the agent config in user data").timeouts.overallMs / 1000),
    };
    return `#!/bin/bash
# warmstack: the agent warms DNS, connection pools and the app, then completes each launch hook.
set -euo pipefail
${ecsCluster ? `# ECS: join ${ecsCluster}, only once this instance leaves the warm pool.\n${ecsConfigScript(ecsCluster)}` : ""}install -d -m 0755 /etc/warmstack ${AGENT_DIR} ${path.posix.dirname(AGENT_START_PATH)}
cat > ${AGENT_CONFIG_PATH} <<'WARMSTACK_AGENT_CONFIG'
${JSON.stringify(config, null, 2)}
WARMSTACK_AGENT_CONFIG
# Baked into the AMI, or fetched once; without it the agent fails its database step and ABANDONs, saying why.
[ -s ${RDS_CA_PATH} ] || curl -fsS --connect-timeout 5 --max-time 30 -o ${RDS_CA_PATH} ${RDS_CA_URL} ||
  echo "warmstack: could not fetch ${RDS_CA_URL}; bake ${RDS_CA_PATH} into the AMI" >&2
cat > ${AGENT_START_PATH} <<'WARMSTACK_AGENT_START'
${agentStartScript(agent, hook)}WARMSTACK_AGENT_START
chmod 0755 ${AGENT_START_PATH}
cat > /etc/systemd/system/${AGENT_UNIT} <<'WARMSTACK_AGENT_UNIT'
[Unit]
Description=warmstack agent: warm this instance, then complete its launch lifecycle hook
Wants=network-online.target
After=network-online.target
# The app's own unit should say Before=${AGENT_UNIT}: the agent's last step warms the app.

[Service]
Type=simple
ExecStart=${AGENT_START_PATH}
# A watch that dies is restarted; its first read counts as a change, so a hook still pending gets completed.
# An instance that cannot run the agent at all has ABANDONed its hook: no restart loop.
Restart=always
RestartSec=5
RestartPreventExitStatus=${CANNOT_RUN_EXIT}

[Install]
WantedBy=multi-user.target
WARMSTACK_AGENT_UNIT
systemctl daemon-reload
systemctl enable ${AGENT_UNIT}
systemctl start --no-block ${AGENT_UNIT}
`;
}
