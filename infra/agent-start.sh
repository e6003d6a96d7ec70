#!/bin/bash
# warmstack: make sure this instance can run the agent, then run it; if it cannot, say why and ABANDON the hook.
# The values come first, written by infra/userdata.ts (agentStartScript): SOURCE (stack | ami), DIR, AGENT,
# CONFIG, IMDS, REGION, GROUP, HOOK, AUTOSCALING_URL, NODE_MAJOR, CANNOT_RUN_EXIT, RETRY_SECONDS, and for
# SOURCE=stack SHA256 and OBJECT_URL. Every curl has its own timeouts. Needs bash, curl ≥ 7.75 (--aws-sigv4),
# sha256sum and sleep, as Amazon Linux 2023 has. Checked by `bash -n` and shellcheck in CI (test/infra/userdata.test.ts).
set -uo pipefail
AK='' SK='' TK='' TRY=1
# IMDS, the credentials and the ABANDON are retried until then, within the agent's deadline: a brief IMDS problem
# (credentials answering 404 for seconds, answers slower than a first timeout) must not strand the instance.
RETRY_UNTIL=$((SECONDS + RETRY_SECONDS))

retry() { # command...: until it succeeds or RETRY_UNTIL has passed, a second apart; TRY counts the attempts
  TRY=1
  until "$@"; do
    [ "$SECONDS" -lt "$RETRY_UNTIL" ] || return 1
    sleep 1
    TRY=$((TRY + 1))
  done
}

imds_once() { # path: one IMDSv2 read; each attempt waits 5 s longer than the one before, up to 20 s
  local token wait=$((TRY * 5 < 20 ? TRY * 5 : 20))
  token="$(curl -fsS --connect-timeout 2 --max-time "$wait" -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$IMDS/latest/api/token")" &&
    curl -fsS --connect-timeout 2 --max-time "$wait" -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/meta-data/$1"
}

imds() { retry imds_once "$1"; }

creds_once() {
  local role json
  AK='' SK='' TK=''
  role="$(imds_once iam/security-credentials/ | head -n1)" && [ -n "$role" ] &&
    json="$(imds_once "iam/security-credentials/$role")" || return 1
  AK="$(printf '%s' "$json" | sed -n 's/.*"AccessKeyId" *: *"\([^"]*\)".*/\1/p')"
  SK="$(printf '%s' "$json" | sed -n 's/.*"SecretAccessKey" *: *"\([^"]*\)".*/\1/p')"
  TK="$(printf '%s' "$json" | sed -n 's/.*"Token" *: *"\([^"]*\)".*/\1/p')"
  [ -n "$AK" ] && [ -n "$SK" ]
}

creds() { # the instance role's credentials, for curl --aws-sigv4
  [ -n "$AK" ] && return 0
  retry creds_once
}

abandon_once() { # instance id
  curl -fsS --connect-timeout 5 --max-time 10 -o /dev/null \
    --aws-sigv4 "aws:amz:$REGION:autoscaling" --user "$AK:$SK" -H "x-amz-security-token: $TK" \
    --data-urlencode Action=CompleteLifecycleAction --data-urlencode Version=2011-01-01 \
    --data-urlencode "AutoScalingGroupName=$GROUP" --data-urlencode "LifecycleHookName=$HOOK" \
    --data-urlencode "InstanceId=$1" --data-urlencode LifecycleActionResult=ABANDON \
    "${AUTOSCALING_URL:-https://autoscaling.$REGION.amazonaws.com/}"
}

cannot_run() { # reason: print it, ABANDON the launch hook; exit without a restart once ABANDON is sent
  echo "warmstack: the agent cannot run: $1" >&2
  local id
  [ -n "$REGION" ] || REGION="$(imds placement/region)"
  if [ -n "$REGION" ] && id="$(imds instance-id)" && creds && retry abandon_once "$id"; then
    echo "warmstack: ABANDON sent for $id" >&2
    exit "$CANNOT_RUN_EXIT"
  fi
  # Not CANNOT_RUN_EXIT: systemd starts the script again, which sends ABANDON as soon as IMDS and the API answer.
  echo "warmstack: could not send ABANDON within ${RETRY_SECONDS} s; exiting for systemd to retry" >&2
  exit 1
}

# Node NODE_MAJOR or later: the first on PATH of node and the versioned names Amazon Linux 2023 installs.
NODE=
for candidate in node node-24 node-22 node-20; do
  path="$(command -v "$candidate")" || continue
  version="$("$path" --version 2>/dev/null)"
  major="${version#v}"; major="${major%%.*}"
  if [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge "$NODE_MAJOR" ]; then NODE="$path"; break; fi
  echo "warmstack: $path is Node ${version:-of unknown version}, the agent needs $NODE_MAJOR or later" >&2
done
[ -n "$NODE" ] || cannot_run "no Node $NODE_MAJOR or later on PATH ($PATH): install one (dnf install -y nodejs22) in the AMI"

if [ "$SOURCE" = stack ]; then
  # The stack's agent: kept when it is already the right one (a warm pool instance boots again), else fetched.
  if [ "$(sha256sum "$AGENT" 2>/dev/null | cut -d' ' -f1)" != "$SHA256" ]; then
    creds || cannot_run "no instance role credentials from IMDS at $IMDS"
    partial="$(install -d -m 0755 "$DIR" && mktemp "$DIR/.download.XXXXXX")" || cannot_run "cannot write to $DIR"
    trap 'rm -f "$partial"' EXIT
    curl -fsS --connect-timeout 5 --max-time 120 --retry 2 --retry-max-time 240 -o "$partial" \
        --aws-sigv4 "aws:amz:$REGION:s3" --user "$AK:$SK" -H "x-amz-security-token: $TK" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$OBJECT_URL" ||
      cannot_run "could not download the agent from $OBJECT_URL with the instance role (curl exit $?)"
    got="$(sha256sum "$partial" | cut -d' ' -f1)"
    [ "$got" = "$SHA256" ] ||
      cannot_run "the agent downloaded from $OBJECT_URL has SHA-256 $got, the stack expects $SHA256: not installed"
    chmod 0644 "$partial"
    mv -f "$partial" "$AGENT"
    echo "warmstack: agent $SHA256 installed at $AGENT"
  fi
else
  # Baked into the image (docs/agent.md).
  [ -s "$AGENT" ] || cannot_run "no agent at $AGENT: bake it into the AMI (docs/agent.md) or use compute.agent.source stack"
fi

exec "$NODE" "$AGENT" --config "$CONFIG" --watch
