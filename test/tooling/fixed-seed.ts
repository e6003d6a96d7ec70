// Loaded by stryker.config.json only: every fast-check property runs from one seed, so a mutant is killed or survives
// the same way on every run (a fresh random seed can turn a survivor into a kill, or a kill into a flaky dry run).
import fc from "fast-check";

fc.configureGlobal({ seed: 20261202 });
