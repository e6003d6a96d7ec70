import type { BuildOptions } from "esbuild";

/** Options every warmstack bundle shares (scripts/bundle.js). */
export function baseOptions(target?: string): BuildOptions & { external: string[] };
/** `entry` and everything it imports as one CommonJS script. */
export function bundleScript(entry: string, leaveOut?: string[], target?: string): string;
