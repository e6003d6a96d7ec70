// Entry point of the warm-readiness policy pack: `pulumi preview --policy-pack policies` starts it through
// @pulumi/pulumi/cmd/run-policy-pack, which compiles this TypeScript with ts-node; constructing the pack serves
// the analyzer protocol and prints its port. Tests import ./pack instead, which serves nothing.
import { PolicyPack } from "@pulumi/policy";
import { DESCRIPTION, PACK_NAME, policies } from "./pack";

new PolicyPack(PACK_NAME, { description: DESCRIPTION, policies });
