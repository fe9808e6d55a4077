// The chi-square test behind service-load-spread (src/properties/stats.ts), against values from tables.
import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, chiSquareTest, gammaQ } from '../../src/properties/stats.ts';

describe('chi-square', () => {
  it('matches table values of the upper tail', () => {
    // Critical values: P(X ≥ 3.841 | 1 dof) = 0.05, P(X ≥ 5.991 | 2) = 0.05, P(X ≥ 11.345 | 3) = 0.01; with 2 dof the
    // tail is exp(-x/2) exactly, and with 3 dof erfc(√(x/2)) + √(2x/π)·exp(-x/2) (3.85e-6 at 27.877).
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(5.991, 2)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(11.345, 3)).toBeCloseTo(0.01, 4);
    expect(chiSquareSurvival(27.631, 2) / Math.exp(-27.631 / 2)).toBeCloseTo(1, 10);
    expect(chiSquareSurvival(27.877, 3) / 3.8545e-6).toBeCloseTo(1, 3);
    expect(chiSquareSurvival(0, 4)).toBe(1);
  });
  it('Q(1, x) is exp(-x) on both branches', () => {
    for (const x of [0.1, 1, 1.9, 2.1, 10, 40]) expect(gammaQ(1, x)).toBeCloseTo(Math.exp(-x), 12);
  });
  it('accepts counts near the shares and rejects one endpoint taking all', () => {
    expect(chiSquareTest([26, 24, 25, 25], [1, 1, 1, 1]).pValue).toBeGreaterThan(0.9);
    const skewed = chiSquareTest([100, 0, 0, 0], [1, 1, 1, 1]);
    expect(skewed.statistic).toBe(300);
    expect(skewed.dof).toBe(3);
    expect(skewed.pValue).toBeLessThan(1e-60);
    expect(chiSquareTest([50, 50], [3, 1]).pValue).toBeLessThan(1e-6);
  });
});
