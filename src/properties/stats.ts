// Statistics for the probabilistic invariants: Pearson's chi-square goodness-of-fit test and its p-value (the
// upper tail of the chi-square distribution: the regularized upper incomplete gamma function Q(k/2, x/2), by its
// series below a + 1 and Lentz's continued fraction above — the standard method, e.g. Numerical Recipes §6.2).

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lead = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lead));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(lead) * h;
}

/** The probability that a chi-square variable with `dof` degrees of freedom is at least `x`. */
export function chiSquareSurvival(x: number, dof: number): number {
  return gammaQ(dof / 2, x / 2);
}

/**
 * Pearson's test of observed counts against expected shares (weights, normalised here): the statistic, its
 * degrees of freedom (categories − 1) and the p-value — how likely counts at least this far off are when the
 * shares are right.
 */
export function chiSquareTest(observed: readonly number[], weights: readonly number[]): { statistic: number; dof: number; pValue: number } {
  const n = observed.reduce((s, x) => s + x, 0);
  const total = weights.reduce((s, x) => s + x, 0);
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = (n * weights[i]!) / total;
    statistic += ((observed[i]! - e) * (observed[i]! - e)) / e;
  }
  const dof = observed.length - 1;
  return { statistic, dof, pValue: chiSquareSurvival(statistic, dof) };
}
