// The pre-warm's run-time half, bundled by esbuild into one self-contained script (bundle.ts). The same
// bundle is the CachePrewarm provider's engine and the warmer Lambda's code:
// - `prewarm(inputs)`: what the provider calls on create and update — warm directly, invoke the function, or past
//   one run in lambda mode have the function run the setup and then start the state machine and wait for it;
// - `handler(event)`: the Lambda entry point, which warms directly from inside the VPC: for the provider (secrets
//   in the invoke) or for the Scheduler at the planned instant (secrets read from Secrets Manager by ARN).
// A warm is the data tier in order: the roles (deploy only), the replicas' buffers, then the cache.
import { SecretReader } from "../agent/secrets";
import { warm } from "../engine/warm";
import { fieldError } from "../fields";
import { warmReplicas } from "../replica/warm";
import { withTimeout } from "../timeout";
import {
    DEFAULT_SECRET_TIMEOUT_MS,
    BlocksLoaded,
    PrewarmInputs,
    PrewarmOutputs,
    ScheduledWarm,
    SetupDone,
    SetupRun,
    WarmerEvent,
    isScheduled,
    isSetup,
    isVerify,
} from "../../model/prewarm-contract";
import { runExecution } from "./execution";
import { databaseUrl, outputsOf, warmOptionsFor } from "./inputs";
import { invokeWarmer } from "./invoke";
import { boundedAll, combinePartitions, partitionInputs } from "./partitions";
import { publishReport } from "./metrics";
import { ensureRoles } from "./roles";

/** Each database connection and short statement of the setup. */
const SETUP_TIMEOUT_MS = 10_000;

/** The roles and the extension (deploy time, with the master user), then the replicas' buffers. */
async function setup(inputs: PrewarmInputs): Promise<BlocksLoaded> {
    const { adminUser, primaryHost } = inputs;
    // Deploy time, with the master user: the roles, and the extension the replicas then replay.
    const admin =
        adminUser && primaryHost ? databaseUrl(inputs, primaryHost, adminUser, inputs.adminPassword) : undefined;
    if (admin) {
        // A role created without a password could not log in: name the missing input instead.
        const password = (field: "password" | "agentPassword"): string => {
            const value = inputs[field];
            if (!value) throw fieldError(field, "a password for the role the setup creates", value);
            return value;
        };
        await ensureRoles(
            admin,
            {
                warmer: { name: inputs.user, password: password("password") },
                ...(inputs.agentUser && {
                    agent: { name: inputs.agentUser, password: password("agentPassword") },
                }),
            },
            SETUP_TIMEOUT_MS,
        );
    }
    const replicas = await warmReplicas({
        primary: admin,
        replicas: inputs.replicaHosts.map((host) => databaseUrl(inputs, host, inputs.user, inputs.password)),
        relations: inputs.relations,
    });
    return replicas.blocksLoaded;
}

async function warmChain(inputs: PrewarmInputs): Promise<PrewarmOutputs> {
    const blocksLoaded = await setup(inputs);
    const report = await warm(warmOptionsFor(inputs));
    return outputsOf(inputs, report, blocksLoaded, new Date());
}

async function warmDirect(inputs: PrewarmInputs): Promise<PrewarmOutputs> {
    // Each step bounds its own calls; this bounds their sum.
    return withTimeout(warmChain(inputs), inputs.timeoutSeconds * 1000, "pre-warm (timeoutSeconds)");
}

async function setupDirect(inputs: PrewarmInputs): Promise<SetupDone> {
    const blocksLoaded = await withTimeout(setup(inputs), inputs.timeoutSeconds * 1000, "setup (timeoutSeconds)");
    return { blocksLoaded };
}

/**
 * lambda mode past one run: the function runs the setup (the secrets travel in the encrypted invoke, never in an
 * execution's input), then the state machine warms every partition, retried and judged as the schedule's run is.
 */
async function warmByExecution(inputs: PrewarmInputs): Promise<PrewarmOutputs> {
    const { blocksLoaded } = await invokeWarmer(inputs, { ...inputs, kind: "setup" });
    return { ...(await runExecution(inputs)), blocksLoaded };
}

function warmOnce(inputs: PrewarmInputs): Promise<PrewarmOutputs> {
    return inputs.mode === "lambda" ? invokeWarmer(inputs) : warmDirect(inputs);
}

/**
 * The deploy-time warm. Partitioned in lambda mode, an execution of the state machine; in direct mode the deploy
 * runs the partitions itself, at most `maxConcurrency` at once as the machine's Map does, the whole bounded by the
 * rounds' timeouts, and judges them together as the machine's verify step does.
 */
export async function prewarm(inputs: PrewarmInputs): Promise<PrewarmOutputs> {
    const count = inputs.partitions ?? 1;
    if (count <= 1 || inputs.partition !== undefined) return warmOnce(inputs);
    if (inputs.mode === "lambda") return warmByExecution(inputs);
    const limit = inputs.maxConcurrency ?? 1;
    const started = Date.now();
    // The first partition alone (it runs the setup the others log in by), then the rest, `limit` at once.
    const rounds = 1 + Math.ceil((count - 1) / limit);
    const [first, ...rest] = partitionInputs(inputs);
    const all = async () => [await warmDirect(first), ...(await boundedAll(rest, limit, warmDirect))];
    const reports = await withTimeout(
        all(),
        rounds * inputs.timeoutSeconds * 1000,
        `pre-warm of ${count} partitions in ${rounds} round(s) of timeoutSeconds`,
    );
    return combinePartitions({ reports, minWarmth: inputs.minWarmth }, count, Date.now() - started);
}

/** The scheduled run's secrets, read now by ARN with the function's role; the endpoint is the SDK's usual one. */
async function withSecrets(event: ScheduledWarm): Promise<PrewarmInputs> {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- `kind` is the payload's tag, not an input
    const { kind, passwordSecretArn, authTokenSecretArn, secretTimeoutMs, ...rest } = event;
    const reader = new SecretReader({
        region: event.region ?? process.env.AWS_REGION ?? "",
        timeoutMs: secretTimeoutMs ?? DEFAULT_SECRET_TIMEOUT_MS,
    });
    try {
        const [password, authToken] = await Promise.all([
            passwordSecretArn && reader.read({ secretArn: passwordSecretArn }),
            authTokenSecretArn && reader.read({ secretArn: authTokenSecretArn }),
        ]);
        return { ...rest, password, authToken, mode: "direct", trigger: "scheduled" };
    } finally {
        reader.close();
    }
}

export async function handler(event: SetupRun): Promise<SetupDone>;
export async function handler(event: Exclude<WarmerEvent, SetupRun>): Promise<PrewarmOutputs>;
export async function handler(event: WarmerEvent): Promise<PrewarmOutputs | SetupDone> {
    // The deploy's setup before an execution: no warm, so no report.
    if (isSetup(event)) return setupDirect({ ...event, mode: "direct" });
    // The whole warm's report is published: the verify step's combination, or a run that is the whole warm.
    const outputs = isVerify(event)
        ? await combinePartitions(event)
        : // An invoke is one run: a partition's (the state machine's item, the deploy's fan-out), or the whole warm.
          await warmDirect(isScheduled(event) ? await withSecrets(event) : { ...event, mode: "direct" });
    await publishReport(outputs);
    return outputs;
}
