// `podflow list properties|adapters|mutants|faults`: what podflow knows, one line each (id, then what it is), so a
// user can pick `--property`, `--adapter`, `mutant:<id>` and `--nemesis` values without reading the source.
// Properties, adapters and mutants say where they come from: `built-in`, or the config file that adds them
// (podflow.config.ts in the current directory, or --config <file>; cli/config.ts).
import type { Command } from 'commander';
import { KERNEL_NEMESIS } from '../adapters/kernel/kernel-adapter.ts';
import { REFERENCE_FAULTS } from '../adapters/reference/reference-adapter.ts';
import { VPP_NEMESIS } from '../adapters/vpp/vpp-adapter.ts';
import type { FaultId } from '../adapters/adapter.ts';
import { FAULTS } from '../faults/index.ts';
import { PROFILES } from '../reference/profiles.ts';
import { KERNEL_FAULTS, VPP_FAULTS } from './adapters.ts';
import { UsageError } from './io.ts';
import { BUILT_IN, BUILT_IN_REGISTRY, loadRegistry, type Registry } from './config.ts';

export const LISTS = ['properties', 'adapters', 'mutants', 'faults'] as const;

/** Which adapters perform each fault (`podflow list faults`). */
const FAULT_ADAPTERS: readonly [string, readonly FaultId[]][] = [
  ['reference', REFERENCE_FAULTS],
  ['kernel', KERNEL_NEMESIS],
  ['vpp', VPP_NEMESIS],
  // a VPP lab also waits out idle time; a local one (its file lists its namespaces) impairs its wire too
  ['vpp (idle: any lab; wire: a local lab)', ['idle-timeout', 'wire-impaired']],
];

function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([a]) => a.length));
  return `${rows.map(([a, b]) => `${a.padEnd(w)}  ${b}`).join('\n')}\n`;
}

/** Rows that end with where each comes from, in brackets (`[built-in]` or the config file). */
function tableFrom(rows: [string, string, string][]): string {
  return table(rows.map(([a, origin, c]) => [a, `${c}  [${origin}]`]));
}

const builtIn = (rows: [string, string][]): [string, string, string][] => rows.map(([a, c]) => [a, BUILT_IN, c]);

export function listText(what: string, registry: Registry = BUILT_IN_REGISTRY): string {
  switch (what) {
    case 'properties':
      return tableFrom(registry.properties.map(({ value: p, origin }) => [p.id, origin, `${p.description} (seed steps ${p.seedSteps.length > 0 ? p.seedSteps.join(', ') : 'none'}${p.needs ? `; needs ${Object.keys(p.needs).join(', ')}` : ''})`]));
    case 'adapters':
      return tableFrom([
        ...builtIn([
          ['reference', 'the reference model, profile vpp-18.01-contiv (the seed\'s traces)'],
          ...Object.keys(PROFILES).map((p): [string, string] => [`reference:${p}`, `the reference model, profile ${p}`]),
          ['mutant:<id>', `the reference model with a named fault (${registry.mutants.length}: podflow list mutants)`],
          ['kernel', 'Linux network namespaces built as the Contiv design (root; ip, bridge, nft, sysctl, python3)'],
          ...Object.keys(KERNEL_FAULTS).map((f): [string, string] => [`kernel:${f}`, 'the kernel adapter with a deliberately wrong rendering']),
          ['vpp', 'a VPP lab (PODFLOW_VPP_LAB=lab.yaml, or one started by podflow lab vpp up)'],
          ...Object.keys(VPP_FAULTS).map((f): [string, string] => [`vpp:${f}`, 'the VPP lab configured wrongly on purpose']),
        ]),
        ...registry.adapters.map((a): [string, string, string] => [a.name, a.origin, a.description ?? 'an adapter of the config']),
      ]);
    case 'mutants':
      return tableFrom(registry.mutants.map(({ value: m, origin }) => [m.id, origin, `${m.layer}: ${m.description}`]));
    case 'faults':
      return table(
        FAULTS.map((f) => {
          const on = FAULT_ADAPTERS.filter(([, ids]) => ids.includes(f.id)).map(([a]) => a);
          return [f.id, `${f.description}; after: ${f.after} (${f.cites.join(', ')}); performed by ${on.join(', ')}`];
        }),
      );
    default:
      throw new UsageError(`list: expected one of ${LISTS.join(', ')}, got '${what}'`);
  }
}

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description(`list what podflow knows: ${LISTS.join(' | ')}`)
    .argument('<what>', LISTS.join(' | '))
    .option('-c, --config <file>', 'a podflow config adding properties, adapters and mutants (default: podflow.config.ts in the current directory, if any)')
    .action(async (what: string, opts: { config?: string }) => {
      if (!(LISTS as readonly string[]).includes(what)) throw new UsageError(`list: expected one of ${LISTS.join(', ')}, got '${what}'`);
      process.stdout.write(listText(what, await loadRegistry(opts.config)));
    });
}
