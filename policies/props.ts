// Reading resources the way the engine hands them over: properties wrapped in unknownCheckingProxy, any of
// them possibly missing, and at preview possibly unknown — touching an unknown one throws UnknownValueError,
// which the policy server turns into an advisory "can't run policy … during preview".
import { PolicyResource, UnknownValueError } from "@pulumi/policy";

export type Props = Record<string, unknown>;

export const isRecord = (value: unknown): value is Props =>
    typeof value === "object" && value !== null && !Array.isArray(value);

export const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Numbers arrive as numbers, but tag and parameter values as strings. */
export function numberOf(value: unknown): number | undefined {
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

export const stringOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Bridged providers hand some booleans over as strings ("true" in a launch template's EBS block). */
export const isTrue = (value: unknown): boolean => value === true || value === "true";

/** The value at `key`, or undefined while it is unknown: for matching values, where an unknown cannot match. */
export function known(props: unknown, key: string): unknown {
    if (!isRecord(props)) return undefined;
    try {
        return props[key];
    } catch (err) {
        if (err instanceof UnknownValueError) return undefined;
        throw err;
    }
}

/** Whether `key` holds a value; one only known after apply (a generated auth token) still counts as set. */
export function isSet(props: Props, key: string): boolean {
    try {
        const value = props[key];
        return value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
    } catch (err) {
        if (err instanceof UnknownValueError) return true;
        throw err;
    }
}

/** An Auto Scaling group's `tags`: a list of `{ key, value, propagateAtLaunch }`. */
export function tagsOf(props: Props): Map<string, string> {
    const tags = new Map<string, string>();
    for (const tag of listOf(props.tags)) {
        if (isRecord(tag) && typeof tag.key === "string") tags.set(tag.key, stringOf(tag.value) ?? "");
    }
    return tags;
}

export const ofType = (resources: PolicyResource[], type: string) => resources.filter((r) => r.type === type);

/**
 * The candidates that `from.<property>` refers to: through the engine's property dependencies, which hold even
 * at preview when the referenced id is still unknown, or by value against one of the candidates' `keys`
 * (a literal name written into the program).
 */
export function referencedBy(
    from: PolicyResource,
    property: string,
    candidates: PolicyResource[],
    keys: string[],
): PolicyResource[] {
    const dependencies = new Set((from.propertyDependencies[property] ?? []).map((d) => d.urn));
    const value = known(from.props, property);
    return candidates.filter(
        (c) => dependencies.has(c.urn) || (value !== undefined && keys.some((k) => known(c.props, k) === value)),
    );
}

/**
 * Collects the unknowns met while checking several resources, so that one unknown value does not hide the
 * violations proven on the others.
 */
export class Unknowns {
    private first: Error | undefined;

    /** Runs `check` for `resource`; an unknown value stops this check only, and it returns undefined. */
    check<T>(resource: PolicyResource, check: () => T): T | undefined {
        try {
            return check();
        } catch (err) {
            if (!(err instanceof UnknownValueError)) throw err;
            // @pulumi/policy's typings leave UnknownValueError's fields out; these are its constructor's arguments.
            const unknown = err as { unknownTypeSentinel: string; props: string[] };
            this.first ??= new UnknownValueError(unknown.unknownTypeSentinel, [resource.name, ...unknown.props]);
            return undefined;
        }
    }

    /** Rethrows the first unknown, its path starting with the resource's name, for the engine's advisory. */
    settle(): void {
        if (this.first) throw this.first;
    }
}

export function eachKnown(resources: PolicyResource[], check: (resource: PolicyResource) => void): void {
    const unknowns = new Unknowns();
    for (const resource of resources) unknowns.check(resource, () => check(resource));
    unknowns.settle();
}

/** A violation's list of findings, one per line. */
export const bullets = (lines: string[]) => lines.map((line) => `  - ${line}`).join("\n");
