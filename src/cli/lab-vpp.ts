// `podflow lab vpp up|down|status`: a local lab of N VPP processes from an existing VPP installation, each in a
// namespace of its own, joined by an underlay bridge (src/adapters/vpp/local-lab.ts). `up` prints the lab file
// that `--adapter vpp` reads; `down` stops exactly the processes it started (by pid) and its namespaces, and
// removes only directories holding the lab's marker, as recorded in podflow's private state (local-lab.ts).
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { LabFileError, readLabFile, type LabFile } from '../adapters/vpp/lab-file.ts';
import { LabRefused, labDown, labStatus, labUp } from '../adapters/vpp/local-lab.ts';
import { UsageError } from './io.ts';

/** Where `lab vpp up` keeps the lab unless --dir says otherwise (the vpp adapter's default lab file is here). */
export const DEFAULT_VPP_LAB_DIR = join(tmpdir(), 'podflow-vpp-lab');

function loadLab(dir: string): LabFile {
  const path = join(dir, 'lab.yaml');
  if (!existsSync(path)) throw new UsageError(`no VPP lab in ${dir} (podflow lab vpp up --vpp /path/to/bin/vpp)`);
  try {
    return readLabFile(path);
  } catch (e) {
    if (e instanceof LabFileError) throw new UsageError(e.message);
    throw e;
  }
}

export function registerVppLabCommands(lab: Command, setExit: (code: number) => void): void {
  const vpp = lab.command('vpp').description('VPP processes from an existing installation, in namespaces of their own (needs root)');
  vpp
    .command('up')
    .description('start the VPP nodes, connect them, print the lab file')
    .requiredOption('--vpp <path>', 'the vpp binary (vppctl next to it)')
    .option('--nodes <N>', 'VPP nodes (a case with more nodes answers unknown)', '2')
    .option('--dir <dir>', 'run directory (CLI sockets, logs, lab.yaml)', DEFAULT_VPP_LAB_DIR)
    .action(async (o: { vpp: string; nodes: string; dir: string }) => {
      const nodes = Number(o.nodes);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 8) throw new UsageError(`--nodes: expected an integer 1..8, got '${o.nodes}'`);
      const dir = resolve(o.dir);
      const tag = createHash('sha256').update(dir).digest('hex').replace(/[^a-z0-9]/g, '').slice(0, 6);
      try {
        const { lab, path } = await labUp({ vpp: resolve(o.vpp), nodes, runDir: dir, tag, log: (l) => process.stderr.write(`${l}\n`) });
        process.stdout.write(`# ${path}\n${stringify(lab)}`);
        process.stdout.write(`\n# use it:  PODFLOW_VPP_LAB=${path} podflow fuzz --adapter vpp\n# a node:  ${lab.nodes[0]!.vppctl.join(' ')} show interface\n`);
      } catch (e) {
        throw new UsageError(`lab vpp up: ${(e as Error).message}`);
      }
      setExit(0);
    });
  vpp
    .command('down')
    .description('stop the VPP processes the lab started and remove its namespaces')
    .option('--dir <dir>', 'run directory', DEFAULT_VPP_LAB_DIR)
    .action((o: { dir: string }) => {
      let done: string[];
      try {
        done = labDown(loadLab(resolve(o.dir)));
      } catch (e) {
        if (e instanceof LabRefused) throw new UsageError(`lab vpp down: ${e.message}`);
        throw e;
      }
      for (const line of done) process.stdout.write(`${line}\n`);
      setExit(0);
    });
  vpp
    .command('status')
    .description('which lab nodes run, and their VPP version')
    .option('--dir <dir>', 'run directory', DEFAULT_VPP_LAB_DIR)
    .action((o: { dir: string }) => {
      const status = labStatus(loadLab(resolve(o.dir)));
      for (const s of status) process.stdout.write(`node ${s.id}: ${s.running ? 'running' : 'not running'}${s.pid !== undefined ? `, pid ${s.pid}` : ''}${s.version ? `, ${s.version}` : ''}\n`);
      setExit(status.every((s) => s.running) ? 0 : 2);
    });
}
