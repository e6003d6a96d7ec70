// Pulumi entry point (Pulumi.yaml: main: infra/). The stack's outputs are the plan summary and the endpoints.
import { warmstackFromPulumiConfig } from "./stack";

export = warmstackFromPulumiConfig();
