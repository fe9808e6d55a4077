// The corpus: each shrunk counterexample as a folder named by its content hash (case.json with the property,
// adapter, seed and path; scenario.json; pcaps), written atomically; replayed by `podflow replay` and by npm test.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePcap } from '../packet/pcap.ts';
import type { Counterexample } from './results.ts';
import { pcapName, safeFileName, type CounterexampleFiles } from './report/write.ts';
import { readJsonFile, UsageError } from './io.ts';

/** What case.json holds: the counterexample without its report-only parts. */
export type CorpusEntry = Pick<Counterexample, 'id' | 'property' | 'adapter' | 'seed' | 'path' | 'details' | 'seedSteps' | 'case'> & Partial<Pick<Counterexample, 'claims'>>;

export function saveCorpusEntry(corpusDir: string, cx: Counterexample, files: CounterexampleFiles | undefined): string {
  const final = join(corpusDir, cx.id);
  if (existsSync(final)) return final; // same content, same name
  const tmp = join(corpusDir, `.tmp-${cx.id}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const entry: CorpusEntry = { id: cx.id, property: cx.property, adapter: cx.adapter, seed: cx.seed, path: cx.path, details: cx.details, claims: cx.claims, seedSteps: cx.seedSteps, case: cx.case };
  writeFileSync(join(tmp, 'case.json'), `${JSON.stringify(entry, null, 2)}\n`);
  if (files?.scenario !== undefined) writeFileSync(join(tmp, 'scenario.json'), `${JSON.stringify(files.scenario, null, 2)}\n`);
  if (files?.policiesYaml !== undefined) writeFileSync(join(tmp, 'policies.yaml'), files.policiesYaml);
  for (const r of files?.reproduction ?? []) writeFileSync(join(tmp, safeFileName(r.name)), r.text);
  for (const [side, pcaps] of [['expected', files?.expected], ['received', files?.received]] as const) {
    for (const [point, recs] of pcaps ?? []) writeFileSync(join(tmp, `${side}-${pcapName(point)}.pcap`), encodePcap(recs));
  }
  renameSync(tmp, final);
  return final;
}

export function loadCorpusEntry(dir: string): CorpusEntry {
  const file = join(dir, 'case.json');
  const e = readJsonFile(file) as Partial<CorpusEntry>;
  for (const k of ['id', 'property', 'adapter', 'case'] as const) if (e[k] === undefined) throw new UsageError(`${file}: missing field '${k}'`);
  return e as CorpusEntry;
}

/** Every entry folder under a corpus directory (or the given entry folders). */
export function corpusEntries(paths: readonly string[], corpusDir: string): string[] {
  const roots = paths.length > 0 ? paths : [corpusDir];
  const out: string[] = [];
  for (const p of roots) {
    if (!existsSync(p)) throw new UsageError(`${p}: no such corpus entry or folder`);
    if (existsSync(join(p, 'case.json'))) out.push(p);
    else for (const d of readdirSync(p, { withFileTypes: true })) if (d.isDirectory() && !d.name.startsWith('.') && existsSync(join(p, d.name, 'case.json'))) out.push(join(p, d.name));
  }
  return out.sort();
}
