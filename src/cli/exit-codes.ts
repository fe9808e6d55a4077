// podflow's exit codes, one table for every command (documented in `podflow --help` and the README).
export const EXIT_OK = 0;
/** some property is invalid (a counterexample was found), or a replayed entry still fails */
export const EXIT_INVALID = 1;
/** bad command line or bad input file (one line naming the file and field) */
export const EXIT_USAGE = 2;
/** inconclusive: unknowns over the threshold, nothing checked, the adapter unavailable, or interrupted before any check */
export const EXIT_INCONCLUSIVE = 3;
/** a bug in podflow (the message asks for a report) */
export const EXIT_INTERNAL = 4;

export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  all valid: every property checked, unknown cases within --max-unknown',
  '  1  invalid: a counterexample was found (or a replayed corpus entry still fails)',
  '  2  usage or input error: a bad option or a malformed file (one line names the file and field)',
  '  3  inconclusive: nothing checked, too many unknown cases, the adapter unavailable, or interrupted before any check',
  '  4  internal error: a bug in podflow',
].join('\n');
