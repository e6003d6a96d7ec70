// Memory of one ElastiCache node by type (GiB, AWS's published sizes, dated): one table, kept with the policy pack,
// which is published on its own and judges the same sizes; the program imports it, as it does policies/numbers.ts.
// For a type the table does not list, a stack sets warmstack:cache.nodeMemoryGiB.
export { NODE_MEMORY_AS_OF, NODE_MEMORY_GIB } from "../policies/node-memory";
