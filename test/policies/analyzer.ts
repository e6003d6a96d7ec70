// Speaking to the pack as the Pulumi CLI does: started by `@pulumi/pulumi/cmd/run-policy-pack` from the pack's
// directory with `<engine address> .`, then spoken to over pulumirpc.Analyzer. Shared by the protocol test (the
// pack in the checkout) and the packaging test (the pack extracted from its tarball).
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { BUILT_EVENT, stackConfig } from "../support/pulumi";
import { EngineResource, PACK_DIR, PackConfig } from "./harness";

// The client must use the very grpc-js that @pulumi/pulumi's generated stubs were built with.
export const grpc: typeof import("@grpc/grpc-js") = require(
    require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }),
);

/** The stack's name; its resources and config are the built blackfriday event's (test/support/stacks/). */
export const STACK = "blackfriday";
/** The CLI passes its engine's address first; run-policy-pack drops it, the pack never dials the engine. */
export const ENGINE_ADDRESS = "127.0.0.1:1";
export const START_TIMEOUT_MS = 60_000;
export const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;
const LEVEL_OF = {
    advisory: proto.EnforcementLevel.ADVISORY,
    mandatory: proto.EnforcementLevel.MANDATORY,
    disabled: proto.EnforcementLevel.DISABLED,
    remediate: proto.EnforcementLevel.REMEDIATE,
};

/** Starts the pack in `dir` and resolves with the port it prints on its first stdout line. */
export function startPack(dir = PACK_DIR): { child: ChildProcess; port: Promise<number> } {
    const script = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    const child = spawn(process.execPath, [script, ENGINE_ADDRESS, "."], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
        // What the CLI adds for a Node.js pack: the stack's config and identity (constructEnv).
        env: {
            ...process.env,
            PULUMI_CONFIG: JSON.stringify(stackConfig(BUILT_EVENT)),
            PULUMI_NODEJS_PROJECT: "warmstack",
            PULUMI_NODEJS_STACK: STACK,
            PULUMI_NODEJS_DRY_RUN: "true",
            PULUMI_PROJECT: "warmstack",
            PULUMI_STACK: STACK,
            PULUMI_DRY_RUN: "true",
        },
    });
    const port = new Promise<number>((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        const fail = (why: string) => {
            clearTimeout(timer);
            reject(new Error(`${why}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
        };
        const timer = setTimeout(
            () => fail(`the pack printed no port within ${START_TIMEOUT_MS / 1000} s`),
            START_TIMEOUT_MS,
        );
        child.stderr!.on("data", (chunk) => {
            stderr += chunk;
        });
        child.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const line = /^(\d+)\r?\n/.exec(stdout);
            if (line) {
                clearTimeout(timer);
                resolve(Number(line[1]));
            }
        });
        child.once("exit", (code) => fail(`the pack exited with ${code} before printing its port`));
    });
    return { child, port };
}

/** Property values as the engine marshals them: internal `__` keys left out, secrets in their signature object. */
function struct(props: Record<string, any>, secrets: string[]): Struct {
    const plain = Object.fromEntries(
        Object.entries(JSON.parse(JSON.stringify(props))).filter(([key]) => !key.startsWith("__")),
    );
    for (const key of secrets) {
        if (key in plain) plain[key] = { [specialSigKey]: specialSecretSig, value: plain[key] };
    }
    return Struct.fromJavaScript(plain as Record<string, any>);
}

function resourceOptions(r: EngineResource): proto.AnalyzerResourceOptions {
    return (
        new proto.AnalyzerResourceOptions()
            .setProtect(r.options.protect)
            .setIgnorechangesList(r.options.ignoreChanges)
            .setDeletebeforereplace(r.options.deleteBeforeReplace ?? false)
            .setDeletebeforereplacedefined(r.options.deleteBeforeReplace !== undefined)
            .setAdditionalsecretoutputsList(r.options.additionalSecretOutputs)
            // The program declares no aliases and no custom timeouts: the CLI sends none and zero seconds.
            .setAliasesList([])
            .setCustomtimeouts(new proto.AnalyzerResourceOptions.CustomTimeouts())
            .setParent(r.parent)
    );
}

/** Analyze and Remediate get a resource's inputs, before it is created or updated. */
export const analyzeRequest = (r: EngineResource) =>
    new proto.AnalyzeRequest()
        .setUrn(r.urn)
        .setType(r.type)
        .setName(r.name)
        .setProperties(struct(r.inputs, r.secrets))
        .setOptions(resourceOptions(r));

/** AnalyzeStack gets every resource's outputs, its parent and its dependencies (properties without any left out). */
export function stackRequest(resources: EngineResource[]): proto.AnalyzeStackRequest {
    return new proto.AnalyzeStackRequest().setResourcesList(
        resources.map((r) => {
            const resource = new proto.AnalyzerResource()
                .setUrn(r.urn)
                .setType(r.type)
                .setName(r.name)
                .setProperties(struct(r.outputs, r.secrets))
                .setOptions(resourceOptions(r))
                .setParent(r.parent)
                .setDependenciesList(r.dependencies);
            for (const [key, urns] of Object.entries(r.propertyDependencies)) {
                if (urns.length > 0)
                    resource
                        .getPropertydependenciesMap()
                        .set(key, new proto.AnalyzerPropertyDependencies().setUrnsList(urns));
            }
            return resource;
        }),
    );
}

/**
 * The CLI's ReconcilePolicyPackConfig: every policy gets its default level and its schema's defaults, then
 * the `--policy-pack-config` file on top.
 */
export function reconciled(info: proto.AnalyzerInfo, file: PackConfig): proto.ConfigureAnalyzerRequest {
    const request = new proto.ConfigureAnalyzerRequest();
    for (const policy of info.getPoliciesList()) {
        const schema = (policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<
            string,
            { default?: unknown }
        >;
        const defaults = Object.fromEntries(
            Object.entries(schema)
                .filter(([, p]) => p.default !== undefined)
                .map(([k, p]) => [k, p.default]),
        );
        const entry = file[policy.getName()];
        const { enforcementLevel, ...properties } =
            typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
        request
            .getPolicyconfigMap()
            .set(
                policy.getName(),
                new proto.PolicyConfig()
                    .setEnforcementlevel(enforcementLevel ? LEVEL_OF[enforcementLevel] : policy.getEnforcementlevel())
                    .setProperties(Struct.fromJavaScript({ ...defaults, ...properties } as Record<string, any>)),
            );
    }
    return request;
}

export const verdicts = (response: proto.AnalyzeResponse) =>
    response.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        level: LEVELS[d.getEnforcementlevel()],
        resource: d.getUrn().split("::").pop() || "stack",
        message: d.getMessage(),
        pack: `${d.getPolicypackname()}@${d.getPolicypackversion()}`,
    }));

/** A client of the pack on `port`, its unary calls as promises, and a stop that ends the client and the pack. */
export function connect(port: number, child: ChildProcess) {
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const unary = <Res>(method: keyof AnalyzerClient, request: unknown) =>
        new Promise<Res>((resolve, reject) =>
            (client[method] as any).call(client, request, (err: Error | null, response: Res) =>
                err ? reject(err) : resolve(response),
            ),
        );
    const stop = async () => {
        client.close();
        if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
        }
    };
    return { client, unary, stop };
}
