// Ctrl-C on a kernel run (root): the terminal sends SIGINT to the whole foreground process group — podflow's
// wrapper, the CLI and its packet helper. The run stops after the case in progress, writes its report (status
// interrupted) and removes its namespaces.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { listNamespaces } from '../../../src/adapters/kernel/cleanup.ts';
import { pidAlive } from '../../../src/adapters/host.ts';
import { IN_CI, toolGate } from '../../support/external-tools.ts';

const isRoot = process.getuid?.() === 0;
const gate = toolGate({ tools: ['ip', 'bridge', 'nft', 'python3', 'sysctl'] });
const reason = !isRoot ? 'not running as root' : gate.reason;
const skip = reason !== undefined && !IN_CI;
if (skip) console.warn(`[kernel] skipping the Ctrl-C test: ${reason}`);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'podflow-kernel-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.skipIf(skip)('Ctrl-C on `podflow fuzz --adapter kernel` writes the report and leaves no namespace', async () => {
  if (reason !== undefined) throw new Error(`CI is set, so this kernel test fails instead of skipping: ${reason}`);
  const before = new Set(listNamespaces());
  const out = join(dir, 'reports');
  // its own process group, as a shell gives a foreground job
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'podflow.js'), 'fuzz', '--adapter', 'kernel', '--property', 'connection-verdict-equals-policy', 'ttl-and-checksums', '--time', '300s', '--out', out, '--no-corpus'], { stdio: 'ignore', detached: true });
  const deadline = Date.now() + 120_000;
  const folder = (): string | undefined => (existsSync(out) ? readdirSync(out).find((n) => n.includes('-kernel-seed')) : undefined);
  // wait until the first cases ran (kernel setup takes a few seconds)
  while (Date.now() < deadline && !(folder() && listNamespaces().some((n) => !before.has(n)))) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 4000));
  process.kill(-child.pid!, 'SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const f = join(out, folder()!);
  const info = JSON.parse(readFileSync(join(f, 'run.json'), 'utf8')) as { status: string; interrupted: boolean };
  expect(info).toMatchObject({ status: 'interrupted', interrupted: true });
  for (const file of ['report.html', 'summary.md', 'junit.xml', 'results.json']) expect(existsSync(join(f, file)), file).toBe(true);
  const results = JSON.parse(readFileSync(join(f, 'results.json'), 'utf8')) as { id: string; checked: number; verdict: string }[];
  expect(results[0]!.checked).toBeGreaterThan(0);
  expect([0, 3]).toContain(code);
  // namespaces made meanwhile by processes that are gone: none (the run removed its own on the way out)
  const leftovers = listNamespaces().filter((n) => !before.has(n) && !pidAlive(Number(/^pf-(\d+)-/.exec(n)?.[1] ?? '0')));
  expect(leftovers).toEqual([]);
}, 180_000);
