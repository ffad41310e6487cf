/**
 * Labels as in the paper's data: Table 1 counts, confirmation counts and
 * bias, photometric error rate.
 */
import { assert, assertEquals } from "../util/assert.ts";
import { buildPlan, classCounts, planCounts } from "../../lib/simulate/labels.ts";
import { Rng } from "../../lib/util/rng.ts";

Deno.test("labels: the full size has the paper's Table 1 counts and confirmations", () => {
  const c = planCounts(8249, 0.08);
  assertEquals(c.catalog, { AGN: 906, SNIa: 1988, Variable: 3225, SNOther: 2130 });
  assertEquals(c.confirmedIa, 540);
  assertEquals(c.confirmedOther, 89);
  // Unconfirmed labels: 1448 Ia and 2041 other, with about 8 % of them wrong.
  const unconfirmed = 1448 + 2041;
  const wrong = c.iaToOther + c.otherToIa;
  assert(Math.abs(wrong / unconfirmed - 0.08) < 0.002, `error rate ${wrong / unconfirmed}`);
  // Truth + flips reproduce the catalogue labels exactly.
  assertEquals(c.truth.SNIa - c.confirmedIa - c.iaToOther + c.otherToIa, 1448);
});

Deno.test("labels: any size keeps the proportions (largest remainder)", () => {
  for (const n of [1, 7, 100, 2000, 12345]) {
    const c = classCounts(n);
    assertEquals(c.AGN + c.SNIa + c.Variable + c.SNOther, n);
    for (
      const [k, full] of Object.entries({ AGN: 906, SNIa: 1988, Variable: 3225, SNOther: 2130 })
    ) {
      assert(Math.abs(c[k as keyof typeof c] - n * full / 8249) < 1, `${n} ${k}`);
    }
  }
});

Deno.test("labels: confirmation favours bright SNe; errors only among unconfirmed SNe", () => {
  const n = 3000;
  const rng = new Rng(5);
  const peak = Array.from({ length: n }, () => rng.uniform(18, 23));
  const draws = Array.from({ length: n }, () => [rng.next(), rng.next()] as const);
  const plan = buildPlan(n, 1, 0.08, (i) => ({
    peakMagR: peak[i]!,
    confirmDraw: draws[i]![0],
    mislabelDraw: draws[i]![1],
  }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sne = plan.trueClass.flatMap((c, i) => c === "SNIa" || c === "SNOther" ? [i] : []);
  const conf = sne.filter((i) => plan.confirmed[i]), unconf = sne.filter((i) => !plan.confirmed[i]);
  assert(mean(conf.map((i) => peak[i]!)) < mean(unconf.map((i) => peak[i]!)) - 1, "bias to bright");
  for (let i = 0; i < n; i++) {
    if (plan.confirmed[i]) assertEquals(plan.label[i], plan.trueClass[i]);
    if (plan.trueClass[i] === "AGN" || plan.trueClass[i] === "Variable") {
      assert(plan.confirmed[i] && plan.label[i] === plan.trueClass[i]);
    }
  }
  const wrong = unconf.filter((i) => plan.label[i] !== plan.trueClass[i]).length;
  assert(Math.abs(wrong / unconf.length - 0.08) < 0.01, `error rate ${wrong / unconf.length}`);
  const labels = classCounts(n);
  for (const k of ["AGN", "SNIa", "Variable", "SNOther"] as const) {
    assertEquals(plan.label.filter((l) => l === k).length, labels[k], k);
  }
});
