// What each instance gets at launch: the agent config (endpoints and pool sizes from the plan, secrets only by
// ARN), the agent itself (downloaded from the stack's bucket with the instance role and checked against the
// digest the program computed, or baked into the AMI), and a systemd service running it with --watch from every
// boot on. A warm pool runs the launch hook when the instance goes into the pool and again when it leaves it, but
// the second time is a boot only for a Stopped pool (a hibernated instance resumes, a Running one is already up),
// and cloud-init runs user data once: the watch follows the target lifecycle state and completes each hook.
// Pure, so tests check the script, run its install step for real, and parse the config with the agent's parser.
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
        redis: {
            host: e.cacheHost,
            port: e.cachePort,
            tls: {},
            authToken: { secretArn: e.cacheTokenSecretArn },
            cluster: e.cacheClusterMode ?? false,
        },
        app: { warmUp: [{ url: `http://127.0.0.1:${e.appPort}${e.healthCheckPath}`, count: 20 }] },
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
/** The start script's exit when the instance cannot run the agent: systemd does not restart it (ABANDON was sent). */
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
}

/** A value as one single-quoted shell word. */
function sh(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The unit's start script. Every curl has its own timeouts; any reason the agent cannot run is printed (journald
 * keeps it) and ABANDONs the launch hook with curl signing as the instance role, so the instance never sits out
 * the hook's timeout. Needs bash, curl ≥ 7.75 (--aws-sigv4) and sha256sum, as Amazon Linux 2023 has.
 */
export function agentStartScript(
    agent: AgentArtifact,
    hook: LaunchHookName,
    target: StartScriptTarget = INSTANCE_TARGET,
): string {
    const file = `${target.dir}/warmstack-agent.js`;
    const stack = agent.source === "stack" ? agent : undefined;
    const region = stack?.region ?? "";
    const objectUrl =
        stack && (target.objectUrl ?? `https://${stack.bucket}.s3.${stack.region}.amazonaws.com/${stack.key}`);
    const install = stack
        ? `# The stack's agent: kept when it is already the right one (a warm pool instance boots again), else fetched.
if [ "$(sha256sum "$AGENT" 2>/dev/null | cut -d' ' -f1)" != "$SHA256" ]; then
  creds || cannot_run "no instance role credentials from IMDS at $IMDS"
  partial="$(install -d -m 0755 "$DIR" && mktemp "$DIR/.download.XXXXXX")" || cannot_run "cannot write to $DIR"
  trap 'rm -f "$partial"' EXIT
  curl -fsS --connect-timeout 5 --max-time 120 --retry 2 --retry-max-time 240 -o "$partial" \\
      --aws-sigv4 "aws:amz:$REGION:s3" --user "$AK:$SK" -H "x-amz-security-token: $TK" \\
      -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$OBJECT_URL" ||
    cannot_run "could not download the agent from $OBJECT_URL with the instance role (curl exit $?)"
  got="$(sha256sum "$partial" | cut -d' ' -f1)"
  [ "$got" = "$SHA256" ] ||
    cannot_run "the agent downloaded from $OBJECT_URL has SHA-256 $got, the stack expects $SHA256: not installed"
  chmod 0644 "$partial"
  mv -f "$partial" "$AGENT"
  echo "warmstack: agent $SHA256 installed at $AGENT"
fi`
        : `# Baked into the image (docs/agent.md).
[ -s "$AGENT" ] || cannot_run "no agent at $AGENT: bake it into the AMI (docs/agent.md) or use compute.agent.source stack"`;
    return `#!/bin/bash
# warmstack: make sure this instance can run the agent, then run it; if it cannot, say why and ABANDON the hook.
set -uo pipefail
DIR=${sh(target.dir)}
AGENT=${sh(file)}
CONFIG=${sh(target.config)}
IMDS=${sh(target.imds)}
REGION=${sh(region)}
GROUP=${sh(hook.groupName)}
HOOK=${sh(hook.hookName)}
${stack ? `SHA256=${sh(stack.sha256)}\nOBJECT_URL=${sh(objectUrl as string)}\n` : ""}AUTOSCALING_URL=${sh(target.autoScalingUrl ?? "")}
AK= SK= TK=

imds() { # path: one IMDSv2 read
  local token
  token="$(curl -fsS --connect-timeout 2 --max-time 5 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$IMDS/latest/api/token")" &&
    curl -fsS --connect-timeout 2 --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/meta-data/$1"
}

creds() { # the instance role's credentials, for curl --aws-sigv4
  [ -n "$AK" ] && return 0
  local role json
  role="$(imds iam/security-credentials/ | head -n1)" && json="$(imds "iam/security-credentials/$role")" || return 1
  AK="$(printf '%s' "$json" | sed -n 's/.*"AccessKeyId" *: *"\\([^"]*\\)".*/\\1/p')"
  SK="$(printf '%s' "$json" | sed -n 's/.*"SecretAccessKey" *: *"\\([^"]*\\)".*/\\1/p')"
  TK="$(printf '%s' "$json" | sed -n 's/.*"Token" *: *"\\([^"]*\\)".*/\\1/p')"
  [ -n "$AK" ] && [ -n "$SK" ]
}

cannot_run() { # reason: print it, ABANDON the launch hook, exit without a restart
  echo "warmstack: the agent cannot run: $1" >&2
  local id
  [ -n "$REGION" ] || REGION="$(imds placement/region)"
  if id="$(imds instance-id)" && creds &&
    curl -fsS --connect-timeout 5 --max-time 10 -o /dev/null \\
      --aws-sigv4 "aws:amz:$REGION:autoscaling" --user "$AK:$SK" -H "x-amz-security-token: $TK" \\
      --data-urlencode Action=CompleteLifecycleAction --data-urlencode Version=2011-01-01 \\
      --data-urlencode "AutoScalingGroupName=$GROUP" --data-urlencode "LifecycleHookName=$HOOK" \\
      --data-urlencode "InstanceId=$id" --data-urlencode LifecycleActionResult=ABANDON \\
      "\${AUTOSCALING_URL:-https://autoscaling.$REGION.amazonaws.com/}"; then
    echo "warmstack: ABANDON sent for $id" >&2
  else
    echo "warmstack: could not send ABANDON; AWS abandons the instance when the hook times out" >&2
  fi
  exit ${CANNOT_RUN_EXIT}
}

# Node ${AGENT_NODE_MAJOR} or later: the first on PATH of node and the versioned names Amazon Linux 2023 installs.
NODE=
for candidate in node node-24 node-22 node-20; do
  path="$(command -v "$candidate")" || continue
  version="$("$path" --version 2>/dev/null)"
  major="\${version#v}"; major="\${major%%.*}"
  if [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge ${AGENT_NODE_MAJOR} ]; then NODE="$path"; break; fi
  echo "warmstack: $path is Node \${version:-of unknown version}, the agent needs ${AGENT_NODE_MAJOR} or later" >&2
done
[ -n "$NODE" ] || cannot_run "no Node ${AGENT_NODE_MAJOR} or later on PATH ($PATH): install one (dnf install -y nodejs22) in the AMI"

${install}

exec "$NODE" "$AGENT" --config "$CONFIG" --watch
`;
}

/** The launch template's user data: the agent config, the RDS CA bundle, the start script and the unit. */
export function userDataScript(config: AgentConfigFile, agent: AgentArtifact): string {
    const hook = { groupName: config.autoScalingGroupName, hookName: config.lifecycleHookName };
    return `#!/bin/bash
# warmstack: the agent warms DNS, connection pools and the app, then completes each launch hook.
set -euo pipefail
install -d -m 0755 /etc/warmstack ${AGENT_DIR} ${path.posix.dirname(AGENT_START_PATH)}
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
