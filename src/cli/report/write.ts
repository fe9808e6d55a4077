// Writes a run's folder atomically (build under a temporary name, then rename over the final one) and points
// reports/latest at it: run.json, results.json, junit.xml, summary.md, report.html, and per counterexample
// scenario.json, policies.yaml and one pcap per capture point, expected (the reference) and received.
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { encodePcap, type PcapRecord } from '../../packet/pcap.ts';
import type { RunResult } from '../results.ts';
import { junitXml } from './junit.ts';
import { summaryMarkdown } from './summary.ts';
import { reportHtml } from './html.ts';

export interface CounterexampleFiles {
  id: string;
  scenario?: unknown;
  policiesYaml?: string;
  expected?: Map<string, PcapRecord[]>;
  received?: Map<string, PcapRecord[]>;
}

export function pcapName(point: string): string {
  return point.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** Writes reports/<runId>/ and updates reports/latest; returns the folder. */
export function writeRunReport(reportsDir: string, r: RunResult, files: CounterexampleFiles[]): string {
  const final = join(reportsDir, r.info.runId);
  const tmp = join(reportsDir, `.tmp-${r.info.runId}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  writeFileSync(join(tmp, 'run.json'), json(r.info));
  writeFileSync(join(tmp, 'results.json'), json(r.properties));
  writeFileSync(join(tmp, 'junit.xml'), junitXml(r));
  writeFileSync(join(tmp, 'summary.md'), summaryMarkdown(r));
  writeFileSync(join(tmp, 'report.html'), reportHtml(r, files));
  for (const f of files) {
    const dir = join(tmp, 'counterexamples', f.id);
    mkdirSync(dir, { recursive: true });
    if (f.scenario !== undefined) writeFileSync(join(dir, 'scenario.json'), json(f.scenario));
    if (f.policiesYaml !== undefined) writeFileSync(join(dir, 'policies.yaml'), f.policiesYaml);
    for (const [side, pcaps] of [['expected', f.expected], ['received', f.received]] as const) {
      for (const [point, recs] of pcaps ?? []) writeFileSync(join(dir, `${side}-${pcapName(point)}.pcap`), encodePcap(recs));
    }
  }
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  const latest = join(reportsDir, 'latest');
  if (existsSync(latest) || isLink(latest)) unlinkSync(latest);
  symlinkSync(basename(final), latest);
  return final;
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
