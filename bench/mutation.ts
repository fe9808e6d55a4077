// The mutation score of the reference model, as the last `npm run mutation` left it (reports/mutation/mutation.json,
// StrykerJS's mutation-testing-report schema): overall and per folder (src/reference/nodes, src/reference/state),
// with the counts behind it. Running Stryker takes the better part of an hour, so the bench reads its report and
// says how old it is; without a report the figures are null and `missing` says why.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './run.ts';

const REPORT = join(import.meta.dirname, '..', 'reports', 'mutation', 'mutation.json');

interface Counts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
}

function score(c: Counts): BenchResult {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  const covered = c.killed + c.timeout + c.survived;
  return {
    ...c,
    scorePercent: valid ? Math.round(((c.killed + c.timeout) / valid) * 1000) / 10 : null,
    scoreOfCoveredPercent: covered ? Math.round(((c.killed + c.timeout) / covered) * 1000) / 10 : null,
  };
}

export async function mutationBench(): Promise<BenchResult> {
  if (!existsSync(REPORT)) return { missing: `${REPORT} not found: run npm run mutation first` };
  const report = JSON.parse(readFileSync(REPORT, 'utf8')) as { files?: Record<string, { mutants?: { status?: string }[] }> };
  const groups = new Map<string, Counts>();
  const add = (g: string, status: string): void => {
    const c = groups.get(g) ?? { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
    if (status === 'Killed') c.killed++;
    else if (status === 'Timeout') c.timeout++;
    else if (status === 'Survived') c.survived++;
    else if (status === 'NoCoverage') c.noCoverage++;
    else if (status === 'Ignored') c.ignored++;
    else c.errors++;
    groups.set(g, c);
  };
  for (const [file, f] of Object.entries(report.files ?? {})) {
    const folder = /src\/reference\/(nodes|state)\//.exec(file)?.[1] ?? 'other';
    for (const m of f.mutants ?? []) {
      add('all', m.status ?? '');
      add(folder, m.status ?? '');
    }
  }
  const out: BenchResult = { report: REPORT, reportWritten: statSync(REPORT).mtime.toISOString() };
  for (const [g, c] of groups) out[g] = score(c);
  return out;
}
