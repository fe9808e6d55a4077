// How far an adapter's traces are from the model's (trace-equals-model without stopping at the first failing
// case): generated cluster cases, every packet trace compared as the property compares it, and the counts — packet
// traces equal, records equal / differing / only on one side, and per first-divergent VPP node name how many traces
// and which fields. JSON on stdout. Usage:
//   PODFLOW_VPP_LAB=lab.yaml npx tsx bench/trace-gap.ts --adapter vpp [--cases 20] [--seed 1]
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { createAdapter } from '../src/cli/adapters.ts';
import { CHECK_CONTEXT } from '../src/cli/fuzz-runner.ts';
import { traceComparisons, traceEqualsModel, type RecordStatus } from '../src/properties/trace-equals-model.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { adapter: { type: 'string', default: 'reference' }, cases: { type: 'string', default: '20' }, seed: { type: 'string', default: '1' } } });
  const adapter = createAdapter(values.adapter!);
  await adapter.preflight?.();
  const cases = fc.sample(traceEqualsModel.arbitrary(), { seed: Number(values.seed), numRuns: Number(values.cases) });
  const out = {
    adapter: adapter.name,
    cases: 0,
    unknown: [] as string[],
    packetTraces: 0,
    packetTracesEqual: 0,
    records: { equal: 0, differing: 0, 'only-model': 0, 'only-adapter': 0 } as Record<RecordStatus, number>,
    /** first-divergent VPP node name → packet traces, and the fields there */
    firstDivergence: {} as Record<string, { traces: number; fields: Record<string, number> }>,
    /** VPP node name → record statuses, and for aligned records that differ the first field that does */
    byNode: {} as Record<string, Partial<Record<RecordStatus, number>> & { fields?: Record<string, number> }>,
  };
  const started = Date.now();
  for (const c of cases) {
    const r = await traceComparisons(c, adapter, CHECK_CONTEXT).catch((e: unknown) => ({ unknown: String(e) }));
    if ('unknown' in r) {
      out.unknown.push(r.unknown);
      continue;
    }
    out.cases++;
    for (const t of r.comparisons) {
      out.packetTraces++;
      if (!t.first) out.packetTracesEqual++;
      else {
        const f = (out.firstDivergence[t.first.node] ??= { traces: 0, fields: {} });
        f.traces++;
        const key = t.first.field === 'node' ? `node (adapter: ${t.first.received})` : t.first.field;
        f.fields[key] = (f.fields[key] ?? 0) + 1;
      }
      for (const x of t.records) {
        out.records[x.status]++;
        const b = (out.byNode[x.node] ??= {});
        b[x.status] = (b[x.status] ?? 0) + 1;
        if (x.field !== undefined) (b.fields ??= {})[x.field] = (b.fields[x.field] ?? 0) + 1;
      }
    }
    process.stderr.write(`case ${out.cases}/${cases.length}: ${out.packetTracesEqual}/${out.packetTraces} packet traces equal so far (${Math.round((Date.now() - started) / 1000)} s)\n`);
  }
  await adapter.teardown();
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
