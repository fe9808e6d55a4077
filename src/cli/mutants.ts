// `podflow mutants`: the invariant catalogue against each named mutant — the kill matrix (which property caught
// which mutant, after how many cases) and the mutation score. A surviving mutant is a hole in the catalogue.
import type { Command } from 'commander';
import { listText } from './list.ts';
import { MutantAdapter } from '../adapters/reference/mutant-adapter.ts';
import { PROPERTIES } from '../properties/index.ts';
import { MUTANTS, type Mutant } from '../reference/mutants/index.ts';
import { runProperty } from './fuzz-runner.ts';
import { UsageError } from './io.ts';

export const DEFAULT_MUTANT_RUNS = 100;

export interface KillRow {
  mutant: string;
  /** property id → cases until the first failure (undefined = did not fail within the budget) */
  killedBy: Record<string, number | undefined>;
  killed: boolean;
  /** cases run until the first property failed (time-to-kill in cases) */
  casesToKill?: number;
  msToKill?: number;
}

export async function killMatrix(opts: { runs: number; seed: number; mutants?: readonly Mutant[]; stopAtFirstKill?: boolean }): Promise<KillRow[]> {
  const rows: KillRow[] = [];
  for (const m of opts.mutants ?? MUTANTS) {
    const adapter = new MutantAdapter(m);
    const row: KillRow = { mutant: m.id, killedBy: {}, killed: false };
    const start = performance.now();
    let cases = 0;
    for (const p of PROPERTIES) {
      const r = await runProperty(p, adapter, { seed: opts.seed, runs: opts.runs, chunk: 25, interrupted: () => false });
      row.killedBy[p.id] = r.verdict === 'invalid' ? r.runs : undefined;
      cases += r.runs;
      if (r.verdict === 'invalid' && !row.killed) {
        row.killed = true;
        row.casesToKill = cases;
        row.msToKill = Math.round(performance.now() - start);
        if (opts.stopAtFirstKill) break;
      }
    }
    rows.push(row);
  }
  return rows;
}

export function killMatrixText(rows: readonly KillRow[]): string {
  const props = PROPERTIES.map((p) => p.id);
  const w = Math.max(...rows.map((r) => r.mutant.length), 6);
  const lines = ['kill matrix: cases until the property failed ("." = survived the budget)', '', `${'mutant'.padEnd(w)}  ${props.map((_, i) => `P${String(i + 1).padStart(2, '0')}`).join(' ')}`];
  for (const r of rows) lines.push(`${r.mutant.padEnd(w)}  ${props.map((p) => (r.killedBy[p] === undefined ? '  .' : String(r.killedBy[p]).padStart(3))).join(' ')}  ${r.killed ? 'killed' : 'SURVIVED'}`);
  lines.push('', ...props.map((p, i) => `P${String(i + 1).padStart(2, '0')} ${p}`));
  const killed = rows.filter((r) => r.killed).length;
  lines.push('', `mutation score: ${killed}/${rows.length} (${Math.round((100 * killed) / Math.max(rows.length, 1))}%)`);
  return `${lines.join('\n')}\n`;
}

export function registerMutantsCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('mutants')
    .description('run the invariant catalogue against every named mutant and print the kill matrix and mutation score')
    .option('-n, --runs <N>', `cases per property and mutant (default ${DEFAULT_MUTANT_RUNS})`)
    .option('-s, --seed <S>', 'seed', '1')
    .option('-m, --mutant <id...>', 'only these mutants')
    .option('--list', 'list the named mutants and exit (as podflow list mutants)')
    .action(async (opts: { runs?: string; seed: string; mutant?: string[]; list?: boolean }) => {
      if (opts.list) {
        process.stdout.write(listText('mutants'));
        return;
      }
      const runs = opts.runs === undefined ? DEFAULT_MUTANT_RUNS : Number(opts.runs);
      if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs: expected a positive integer, got '${opts.runs}'`);
      const mutants = opts.mutant?.map((id) => MUTANTS.find((m) => m.id === id) ?? (() => { throw new UsageError(`--mutant: unknown mutant '${id}' (known: ${MUTANTS.map((m) => m.id).join(', ')})`); })());
      const rows = await killMatrix({ runs, seed: Number(opts.seed), ...(mutants ? { mutants } : {}) });
      process.stdout.write(killMatrixText(rows));
      setExit(rows.every((r) => r.killed) ? 0 : 1);
    });
}
