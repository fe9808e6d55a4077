// `podflow/runner`: runs a property against an adapter as `podflow fuzz` does — chunks of cases from a seed,
// shrinking, known divergences, unknown cases counted — and returns its result.
export { runProperty, CHECK_CONTEXT, type RunPropertyOptions } from '../cli/fuzz-runner.ts';
export type { PropertyResult, Counterexample, PropertyVerdict } from '../cli/results.ts';
