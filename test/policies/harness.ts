// Runs the infra program under mocks and hands its resources to the pack's policies the way the engine and
// @pulumi/policy's server do: Analyze per resource with its inputs, AnalyzeStack once with every resource's
// outputs, dependencies and property dependencies, properties wrapped in unknownCheckingProxy, an unknown
// value turned into an advisory, notApplicable recorded with its reason.
import * as fs from "node:fs";
import * as path from "node:path";
import {
    EnforcementLevel,
    Policy,
    PolicyProviderResource,
    PolicyResource,
    ResourceValidationPolicy,
    StackValidationPolicy,
    unknownCheckingProxy,
    UnknownValueError,
} from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { TYPES } from "../../policies/shared/contract";
import { PACK_NAME, policies } from "../../policies/pack";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { type AwsWorld, only, REPO, runProgram, stackConfig } from "../support/pulumi";

export const PACK_DIR = path.join(REPO, "policies");
export const PACK_VERSION: string = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")).version;

/** What the engine sends for unknown values at preview, whatever their type. */
export const UNKNOWN = unknownValue;

export interface ResourceOptions {
    protect: boolean;
    ignoreChanges: string[];
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs: string[];
}

/** A registered resource as the engine knows it. */
export interface EngineResource {
    type: string;
    name: string;
    urn: string;
    /** What Analyze gets: the program's inputs. */
    inputs: Record<string, any>;
    /** What AnalyzeStack gets: the resource's outputs (here the mocks' answer, inputs included). */
    outputs: Record<string, any>;
    /** Properties the engine holds as secrets. */
    secrets: string[];
    parent: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    options: ResourceOptions;
    /** The resource's provider as the engine describes it (its config, e.g. `region`); the default when absent. */
    provider?: PolicyProviderResource;
}

/** `--policy-pack-config`: per policy an enforcement level, or one plus the policy's properties. */
export type PackConfig = Record<
    string,
    EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export function committedPackConfig(stack: string): PackConfig {
    return JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", `${stack}.json`), "utf8"));
}

/** The pack config of a built stack: a test's built event (`built-blackfriday`) is judged as its event is. */
export const packConfigOf = (stack: string): PackConfig => committedPackConfig(stack.replace(/^built-/, ""));

/**
 * Runs the program for `stack` (its committed config, edited by `edit`) and records, next to what
 * test/support/pulumi.ts records, what the SDK told the monitor: URN, parent, dependencies, options.
 */
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

export async function programResources(
    stack: string,
    edit: (config: Record<string, string>) => void = () => undefined,
    world?: AwsWorld,
): Promise<EngineResource[]> {
    const config = stackConfig(stack);
    edit(config);
    const registrations = new Map<string, Omit<EngineResource, "type" | "name" | "inputs" | "outputs" | "secrets">>();
    const run = await runProgram(
        config,
        () => {
            const monitor = getMonitor() as any;
            const register = monitor.registerResource.bind(monitor);
            monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) =>
                register(req, (err: unknown, resp: any) => {
                    if (resp) {
                        registrations.set(`${req.getType()}::${req.getName()}`, {
                            urn: resp.getUrn(),
                            parent: req.getParent(),
                            dependencies: req.getDependenciesList(),
                            propertyDependencies: Object.fromEntries(
                                [...req.getPropertydependenciesMap().entries()].map(([key, deps]: [string, any]) => [
                                    key,
                                    deps.getUrnsList(),
                                ]),
                            ),
                            options: {
                                protect: req.getProtect(),
                                ignoreChanges: req.getIgnorechangesList(),
                                ...(req.getDeletebeforereplacedefined() && {
                                    deleteBeforeReplace: req.getDeletebeforereplace(),
                                }),
                                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                            },
                        });
                    }
                    callback(err, resp);
                });
            return warmstackFromPulumiConfig();
        },
        stack,
        world,
    );
    // A StackReference is read (ReadResource), not registered, and the engine sends no read resource to a policy
    // pack (pulumi/pulumi#3950): it is not among what the pack sees.
    return run.resources.flatMap((r) => {
        const registration = registrations.get(`${r.type}::${r.name}`);
        if (!registration && r.type === STACK_REFERENCE) return [];
        if (!registration) throw new Error(`no registration recorded for ${r.type} ${r.name}`);
        const secrets = [...new Set([...r.secretInputs, ...registration.options.additionalSecretOutputs])];
        return [{ type: r.type, name: r.name, inputs: r.inputs, outputs: r.state, secrets, ...registration }];
    });
}

export const one = (resources: EngineResource[], type: string, name?: string): EngineResource =>
    only(resources, type, name);

/**
 * The stack with its cache left cold: no CachePrewarm fills it. The program's CachePrewarm also warms the
 * replicas' buffers (its replicaHosts); that part stays, so only the cache's link is cold.
 */
export const withoutPrewarm = (resources: EngineResource[]) =>
    resources.map((r) => {
        if (r.type !== TYPES.cachePrewarm) return r;
        const cut = structuredClone(r);
        cut.inputs.replicationGroupId = cut.outputs.replicationGroupId = "no-cache";
        delete cut.propertyDependencies.replicationGroupId;
        return cut;
    });

/** A CachePrewarm as the pack's contract describes it, linked to `group` by dependency or by literal id. */
export function cachePrewarm(group: EngineResource, link: "dependency" | "value"): EngineResource {
    const props = {
        replicationGroupId: link === "value" ? group.outputs.replicationGroupId : UNKNOWN,
        redisHost: group.outputs.primaryEndpointAddress ?? UNKNOWN,
        keys: 500000,
    };
    const type = TYPES.cachePrewarm;
    const [stack, project, qualifiedType] = group.urn.split("::");
    return {
        type,
        name: "cache-prewarm",
        // A sibling of the group under the same component: urn:pulumi:<stack>::<project>::<parent>$<type>::<name>.
        urn: [stack, project, qualifiedType.replace(/[^$]+$/, type), "cache-prewarm"].join("::"),
        inputs: props,
        outputs: props,
        secrets: [],
        parent: group.parent,
        dependencies: [group.urn],
        propertyDependencies: link === "dependency" ? { replicationGroupId: [group.urn], redisHost: [group.urn] } : {},
        options: { ...group.options, additionalSecretOutputs: [], ignoreChanges: [] },
    };
}

export interface Diagnostic {
    policyName: string;
    enforcementLevel: EnforcementLevel;
    message: string;
    urn?: string;
}

export interface Analysis {
    diagnostics: Diagnostic[];
    notApplicable: { policyName: string; reason?: string }[];
    /** Policy names with a mandatory diagnostic, sorted and unique: what blocks the deploy. */
    blocking: string[];
}

class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason);
    }
}

function policyConfig(
    config: PackConfig,
    policy: Policy,
): { level: EnforcementLevel; properties: Record<string, unknown> } {
    const entry = config[policy.name];
    const { enforcementLevel, ...properties } = typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
    return { level: enforcementLevel ?? policy.enforcementLevel ?? "advisory", properties };
}

const wrap = (props: Record<string, any>) => unknownCheckingProxy(structuredClone(props));

const options = (r: EngineResource) => ({
    protect: r.options.protect,
    ignoreChanges: r.options.ignoreChanges,
    ...(r.options.deleteBeforeReplace !== undefined && { deleteBeforeReplace: r.options.deleteBeforeReplace }),
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: r.options.additionalSecretOutputs,
    ...(r.parent && { parent: r.parent }),
});

/** Runs one policy (Analyze over each resource, or AnalyzeStack) and collects what it reports. */
async function runPolicy(
    policy: Policy,
    resources: EngineResource[],
    config: PackConfig,
    into: Analysis,
): Promise<void> {
    const { level, properties } = policyConfig(config, policy);
    if (level === "disabled") return;
    const reported = level === "remediate" ? "mandatory" : level;
    const getConfig = <T extends object>() => properties as T;
    const notApplicable = (reason?: string): never => {
        throw new NotApplicable(reason);
    };
    // The engine files a resource policy's diagnostics under the resource it analyzed.
    const attempt = async (run: (report: (message: string, urn?: string) => void) => unknown, analyzed?: string) => {
        try {
            await run((message, urn) =>
                into.diagnostics.push({
                    policyName: policy.name,
                    enforcementLevel: reported,
                    message: `${policy.description}\n${message}`,
                    urn: urn ?? analyzed,
                }),
            );
        } catch (err) {
            if (err instanceof UnknownValueError) {
                into.diagnostics.push({
                    policyName: policy.name,
                    enforcementLevel: "advisory",
                    urn: analyzed,
                    message: `can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${(err as Error).message}`,
                });
            } else if (err instanceof NotApplicable) {
                into.notApplicable.push({ policyName: policy.name, reason: err.reason });
            } else {
                throw err;
            }
        }
    };
    const { validateResource } = policy as ResourceValidationPolicy;
    if (validateResource) {
        for (const r of resources) {
            for (const validate of Array.isArray(validateResource) ? validateResource : [validateResource]) {
                const props = wrap(r.inputs);
                await attempt(
                    (report) =>
                        validate(
                            {
                                type: r.type,
                                name: r.name,
                                urn: r.urn,
                                props,
                                opts: options(r),
                                ...(r.provider && { provider: r.provider }),
                                stackTags: new Map(),
                                isType: () => false,
                                asType: () => undefined,
                                getConfig,
                                notApplicable,
                            },
                            report,
                        ),
                    r.urn,
                );
            }
        }
    }
    const { validateStack } = policy as StackValidationPolicy;
    if (validateStack) {
        await attempt((report) =>
            validateStack(
                {
                    resources: stackResources(resources),
                    getConfig,
                    stackTags: new Map(),
                    notApplicable,
                },
                report,
            ),
        );
    }
}

/**
 * The resources as a stack policy sees them: outputs behind the unknown-checking proxy, and parents and (property)
 * dependencies resolved from URNs to the resources themselves.
 */
export function stackResources(resources: EngineResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    for (const r of resources) {
        byUrn.set(r.urn, {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: wrap(r.outputs),
            opts: options(r),
            ...(r.provider && { provider: r.provider }),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        });
    }
    const resolve = (urns: string[]) => urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => !!x);
    for (const r of resources) {
        const resource = byUrn.get(r.urn)!;
        resource.parent = byUrn.get(r.parent);
        resource.dependencies = resolve(r.dependencies);
        resource.propertyDependencies = Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([k, urns]) => [k, resolve(urns)]),
        );
    }
    return [...byUrn.values()];
}

/** A `pulumi preview` with the pack: every policy over the resources, under `config`. */
export async function analyze(
    resources: EngineResource[],
    config: PackConfig = {},
    only: Policy[] = policies,
): Promise<Analysis> {
    const analysis: Analysis = { diagnostics: [], notApplicable: [], blocking: [] };
    for (const policy of only) await runPolicy(policy, resources, config, analysis);
    analysis.blocking = [
        ...new Set(analysis.diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.policyName)),
    ].sort();
    return analysis;
}

/**
 * A broken variant: deep-copies the resources and applies `edit` to one resource's inputs and to its outputs
 * (the program sets both the same way); `resource` gives the rest, e.g. its property dependencies.
 */
export function edited(
    resources: EngineResource[],
    type: string,
    edit: (props: Record<string, any>, resource: EngineResource) => void,
    name?: string,
): EngineResource[] {
    const copy = structuredClone(resources);
    const target = one(copy, type, name);
    edit(target.inputs, target);
    edit(target.outputs, target);
    return copy;
}
