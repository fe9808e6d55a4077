// `podflow replay [paths…]`: re-runs corpus entries (default: the whole corpus) and says whether each still
// fails. Every entry is checked before it runs — case.json's fields, then the case against its property's schema
// (properties/case-schema.ts) — and a bad entry is one line `bad     <dir>: <field>: <what>`; the replay goes on
// with the rest. An adapter that cannot answer makes its entry unknown.
// Exit codes (exit-codes.ts): 1 an entry still fails, else 2 an entry was bad, else 3 an entry was unknown, else 0.
import type { Command } from 'commander';
import { AdapterUnavailable, type Adapter } from '../adapters/adapter.ts';
import { validateCase } from '../properties/case-schema.ts';
import { propertyById } from '../properties/index.ts';
import { TopologyError } from '../reference/topology/topology.ts';
import { createAdapter } from './adapters.ts';
import { corpusEntries, corpusEntryProblem, type CorpusEntry } from './corpus.ts';
import { adapterSpecOf } from './fuzz.ts';
import { CHECK_CONTEXT } from './fuzz-runner.ts';
import { printable, readJsonFile, UsageError } from './io.ts';
import { join } from 'node:path';

import { EXIT_INCONCLUSIVE, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { excusingDivergence } from '../adapters/adapter.ts';
import { detailsOf } from '../properties/types.ts';

export type ReplayStatus = 'valid' | 'invalid' | 'unknown' | 'bad';

export interface ReplayOptions {
  /** replay every entry on this adapter (default: the one each entry failed on, when known here; else reference) */
  adapter?: string;
  /** makes an adapter from its CLI name (default createAdapter; tests pass their own) */
  createAdapter?: (name: string) => Adapter;
  /** where the result lines go (default stdout) */
  write?: (line: string) => void;
}

export interface ReplayOutcome {
  code: number;
  counts: Record<ReplayStatus, number>;
  entries: { dir: string; status: ReplayStatus; line: string }[];
}

/** One entry: read, checked, then replayed; never throws for anything wrong with the entry or the adapter. */
async function replayOne(dir: string, o: ReplayOptions): Promise<{ status: ReplayStatus; line: string }> {
  let json: unknown;
  try {
    json = readJsonFile(join(dir, 'case.json'));
  } catch (e) {
    if (e instanceof UsageError) return { status: 'bad', line: `bad     ${e.message}` };
    throw e;
  }
  return replayEntryValue(dir, json, o);
}

/** An entry's parsed case.json (from folder `dir`): checked, then replayed, as one result line. */
export async function replayEntryValue(dir: string, json: unknown, o: ReplayOptions = {}): Promise<{ status: ReplayStatus; line: string }> {
  const bad = (what: string): { status: ReplayStatus; line: string } => ({ status: 'bad', line: `bad     ${printable(`${dir}: ${what}`, 1000)}` });
  const problem = corpusEntryProblem(json);
  if (problem !== undefined) return bad(problem);
  const e = json as CorpusEntry;
  const p = propertyById(e.property);
  if (!p) return bad(`property: unknown property ${JSON.stringify(e.property)}`);
  const valid = validateCase(e.property, e.case, 'case');
  if (!valid.ok) return bad(valid.error);
  const name = o.adapter ?? adapterSpecOf(e.adapter);
  const head = (status: string): string => `${status.padEnd(7)} ${printable(`${e.id} ${e.property} on ${name}`, 300)}`;
  let adapter: Adapter;
  try {
    adapter = (o.createAdapter ?? createAdapter)(name);
  } catch (err) {
    // The adapter an entry names may not exist on this machine (a VPP lab, root for the kernel adapter).
    if (err instanceof UsageError || err instanceof AdapterUnavailable) return { status: 'unknown', line: `${head('unknown')}: ${printable(err.message, 1000)}` };
    throw err;
  }
  try {
    const v = await p.check(e.case, adapter, CHECK_CONTEXT);
    if (v.status === 'invalid') {
      // as in `podflow fuzz`: claims the adapter's known divergences excuse do not fail the entry
      const failing = v.claims.filter((c) => !excusingDivergence(adapter.capabilities.knownDivergences ?? [], e.property, c));
      if (failing.length > 0) return { status: 'invalid', line: `${head('invalid')}: ${printable(detailsOf(failing), 1000)}` };
      return { status: 'valid', line: `${head('valid')} (known divergences only)` };
    }
    if (v.status === 'unknown') return { status: 'unknown', line: `${head('unknown')}: ${printable(v.reason, 1000)}` };
    return { status: 'valid', line: head('valid') };
  } catch (err) {
    if (err instanceof AdapterUnavailable) return { status: 'unknown', line: `${head('unknown')}: ${printable(err.message, 1000)}` };
    // The case's cluster cannot be built (e.g. more pods on a node than its pod subnet holds): the entry is bad.
    if (err instanceof TopologyError) return bad(`case: the cluster cannot be built: ${err.message}`);
    // Anything else: the check could not look, as in `podflow fuzz` (a crashing check is an unknown case).
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { status: 'unknown', line: `${head('unknown')}: the check crashed: ${printable(msg, 1000)}` };
  }
}

/** Replays entry folders in order, one line each, then a summary line; the exit code by the rule above. */
export async function replayEntries(dirs: readonly string[], o: ReplayOptions = {}): Promise<ReplayOutcome> {
  const write = o.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  // A bad --adapter is a usage error of the command, before any entry runs.
  if (o.adapter !== undefined) (o.createAdapter ?? createAdapter)(o.adapter);
  const counts: Record<ReplayStatus, number> = { valid: 0, invalid: 0, unknown: 0, bad: 0 };
  const entries: ReplayOutcome['entries'] = [];
  for (const dir of dirs) {
    const r = await replayOne(dir, o);
    counts[r.status]++;
    entries.push({ dir, ...r });
    write(r.line);
  }
  const n = dirs.length;
  const extra = [counts.bad > 0 ? `${counts.bad} bad` : '', counts.unknown > 0 ? `${counts.unknown} unknown` : ''].filter(Boolean);
  write(`${n} entr${n === 1 ? 'y' : 'ies'} replayed, ${counts.invalid} still failing${extra.length > 0 ? `, ${extra.join(', ')}` : ''}`);
  const code = counts.invalid > 0 ? EXIT_INVALID : counts.bad > 0 ? EXIT_USAGE : counts.unknown > 0 ? EXIT_INCONCLUSIVE : EXIT_OK;
  return { code, counts, entries };
}

export function registerReplayCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('replay')
    .description('re-run corpus entries (default: the whole corpus) and say whether each still fails')
    .argument('[paths...]', 'counterexample ids (as podflow fuzz prints them), corpus entry folders, report counterexample folders, or corpus folders')
    .option('-a, --adapter <name>', 'adapter to replay against (default: the one each entry failed on, when known here; else reference)')
    .option('--corpus <dir>', 'corpus folder', 'corpus')
    .action(async (paths: string[], opts: { adapter?: string; corpus: string }) => {
      const entries = corpusEntries(paths, opts.corpus);
      const { code } = await replayEntries(entries, opts.adapter !== undefined ? { adapter: opts.adapter } : {});
      setExit(code);
    });
}
