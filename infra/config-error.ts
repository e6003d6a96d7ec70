// One refusal for bad input, however the values arrive (the stack's config, or a program's own arguments to
// warmstack/pulumi): a ConfigError becomes a pulumi.RunError, which the engine prints as the message alone — the
// user needs the list of keys, not our stack trace. Anything else is a bug and keeps its stack.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../model/config";

export function refusedAsRunError<T>(read: () => T): T {
    try {
        return read();
    } catch (err) {
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}
