// `warmstack plan`'s data-tier table states its own formula: each endpoint's connections at peak are the pool per
// instance times the peak instances, and the share is that over the endpoint's budget. A share computed from one
// instance's pool would show a budget at 1 % that is really at 63 % (issue 27).
import assert from "node:assert/strict";
import fc from "fast-check";
import type { WarmstackConfig } from "../../model/config";
import type { ReadinessPlan } from "../../model/plan";
import { planReport } from "../../warmers/cli/plan-report";
import { arbConfig, attempt, NOW, runs } from "../model/fixtures";

const figure = (text: string) => Number(text.replace(/,/g, ""));

/** The data-tier table's rows as printed: pool per instance, at peak, budget, share (%), and the peak it names. */
function connectionRows(report: string) {
    const peak = /at peak \(([\d,]+) instances\)/.exec(report);
    assert.ok(peak, "no 'at peak (N instances)' header");
    const rows = [...report.matchAll(/^(writer|each replica \(×\d+\)) +([\d,]+) +([\d,]+) +([\d,]+) +(\d+)%$/gm)];
    assert.equal(rows.length, 2, report);
    return {
        peak: figure(peak[1]),
        rows: rows.map(([, name, pool, atPeak, budget, share]) => ({
            name,
            pool: figure(pool),
            atPeak: figure(atPeak),
            budget: figure(budget),
            share: Number(share),
        })),
    };
}

describe("warmstack plan: the data tier's connection share", () => {
    it("is each endpoint's pool × peak instances over its budget, as the table's own columns say", () => {
        // Only configs that plan (about one in seven of arbConfig's) have a report.
        const planned = arbConfig
            .map((config) => ({ config, plan: attempt(config) }))
            .filter((c): c is { config: WarmstackConfig; plan: ReadinessPlan } => !(c.plan instanceof Error));
        fc.assert(
            fc.property(planned, ({ config, plan }) => {
                const { peak, rows } = connectionRows(planReport(plan, config, "test", NOW));
                assert.equal(peak, plan.instances.peak);
                const pools = [plan.database.writerPoolPerInstance, plan.database.readerPoolPerReplica];
                rows.forEach((row, i) => {
                    assert.equal(row.pool, pools[i], row.name);
                    assert.equal(row.atPeak, row.pool * peak, row.name);
                    assert.equal(row.budget, plan.database.budgetPerEndpoint, row.name);
                    assert.equal(row.share, Math.round((100 * row.atPeak) / row.budget), row.name);
                });
            }),
            { numRuns: runs(50) },
        );
    });
});
