// Pulumi entry point (Pulumi.yaml: main: infra/). The stack's outputs are the plan summary and the endpoints.
import { readinessFromPulumiConfig, warmstack } from "./stack";

const { config, plan } = readinessFromPulumiConfig();
export = warmstack(config, plan);
