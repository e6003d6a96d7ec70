// The tagged result of every planner: what it planned, or the problems that keep the config from being planned.
// A tag instead of `X | ConfigProblem[]`, so "nothing to report" and "not computed" can never be confused.
import type { ConfigProblem } from "./config";

export type Planned<T> = { planned: true; value: T } | { planned: false; problems: ConfigProblem[] };

export const planned = <T>(value: T): Planned<T> => ({ planned: true, value });

/** Refused: `problems` is never empty. */
export const refused = <T = never>(problems: ConfigProblem[]): Planned<T> => ({ planned: false, problems });

/** The problems of a result: none when it was planned. */
export const problemsOf = (result: Planned<unknown>): ConfigProblem[] => (result.planned ? [] : result.problems);
