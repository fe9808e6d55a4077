// `podflow explain scenario.json`: runs a scenario through the reference model and prints, per packet, each
// node's `show trace` text as VPP would print it, then where the packet ended.
import type { Command } from 'commander';
import { ip4ToString, readU32 } from '../packet/index.ts';
import { PROFILES, type ProfileName } from '../reference/profiles.ts';
import { parseScenario, ScenarioError } from '../reference/scenario.ts';
import { simulate, type Outcome, type SimulationResult } from '../reference/simulate.ts';
import { TopologyError } from '../reference/topology/topology.ts';
import { ConfigError } from '../reference/state/vpp.ts';
import { renderDocumentationForm } from '../trace/render.ts';
import { readJsonFile, UsageError } from './io.ts';

export function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'delivered':
      return `delivered to pod ${o.pod} on node ${o.nodeId}`;
    case 'host':
      return `delivered to the host stack of node ${o.nodeId}`;
    case 'outside':
      return `left the cluster from node ${o.nodeId} to its default gateway (${ip4ToString(readU32(o.frame, 26))} → ${ip4ToString(readU32(o.frame, 30))})`;
    case 'dropped':
      return `dropped on node ${o.nodeId} by ${o.node}: ${o.error}`;
    case 'lost':
      return `lost after node ${o.nodeId}: ${o.reason}`;
  }
}

/** Loads and simulates a scenario file; configuration errors become UsageErrors naming the file and field. */
export function runScenarioFile(file: string, profile?: string): SimulationResult {
  if (profile !== undefined && !(profile in PROFILES)) throw new UsageError(`--profile: unknown profile '${profile}' (known: ${Object.keys(PROFILES).join(', ')})`);
  try {
    const scenario = parseScenario(readJsonFile(file), file);
    return simulate(scenario, (profile as ProfileName | undefined) ?? scenario.profile);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    if (e instanceof TopologyError || e instanceof ConfigError || e instanceof RangeError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}

/**
 * The traces in the documentation form of the seed (a heading per node and packet, then its records), so that
 * the output is itself a trace file `podflow trace diff` reads; packet labels and results are `#` comments.
 */
export function explainText(result: SimulationResult, only?: number): string {
  const format = PROFILES[result.profile].traceFormat;
  const out: string[] = [`# podflow explain (profile ${result.profile})`];
  for (const p of result.packets) {
    if (only !== undefined && p.index !== only) continue;
    out.push('', `# packet ${p.index}${p.label ? `: ${p.label}` : ''}`, ...p.outcomes.map((o) => `# result: ${describeOutcome(o)}`));
    const captures = p.traces.map((t) => {
      const node = result.topology.nodeById.get(t.nodeId)!;
      return { heading: `packet ${p.index} on node ${t.nodeId} (${node.name}, ${ip4ToString(node.ip.network)}):`, records: t.records };
    });
    out.push(renderDocumentationForm(captures, format).trimEnd());
  }
  return `${out.join('\n')}\n`;
}

export function registerExplainCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('explain')
    .description("run a scenario through the reference model and print each node's `show trace`, node by node")
    .argument('<scenario>', 'scenario JSON file')
    .option('-p, --profile <name>', `behaviour profile (${Object.keys(PROFILES).join(' | ')}); default: the scenario's, else vpp-18.01-contiv`)
    .option('--packet <index>', 'only this packet (0-based)')
    .action((file: string, opts: { profile?: string; packet?: string }) => {
      let only: number | undefined;
      if (opts.packet !== undefined) {
        only = Number(opts.packet);
        if (!Number.isInteger(only) || only < 0) throw new UsageError(`--packet: expected a packet index (0, 1, …), got '${opts.packet}'`);
      }
      const result = runScenarioFile(file, opts.profile);
      if (only !== undefined && !result.packets.some((p) => p.index === only)) throw new UsageError(`--packet: ${file} has ${result.packets.length} packet(s), no index ${only}`);
      process.stdout.write(explainText(result, only));
      setExit(0);
    });
}
