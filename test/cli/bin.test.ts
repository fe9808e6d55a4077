// bin/podflow.js: runs the compiled dist/ when it is current; when dist/ is missing or a source is newer than its
// build, says so in one line on stderr and runs the sources through tsx. Checked on a scratch copy of the layout
// (bin/, src/, dist/ with tiny stand-ins for the CLI), and — where this checkout's dist/ is current, always under CI,
// where `npm ci` has just built it — on the real dist/: the CLI, its data files and compiled fuzz workers.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { IN_CI } from '../support/external-tools.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'podflow-bin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(bin: string, args: string[], cwd = scratch): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bin/podflow.js chooses dist/ or the sources', () => {
  const root = join(scratch, 'checkout');
  const bin = join(root, 'bin', 'podflow.js');
  const past = new Date('2026-01-01T00:00:00Z');
  const built = new Date('2026-06-01T00:00:00Z');
  beforeEach(() => {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'podflow.js'), bin);
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    // Stand-ins: each says where it runs from and exits with the code its first argument names.
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    writeFileSync(join(root, 'src', 'cli', 'main.ts'), "const code: number = Number(process.argv[2] ?? 0);\nprocess.stdout.write(`from src: ${process.argv.slice(2).join(' ')}\\n`);\nprocess.exit(code);\n");
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), "export async function main(argv) {\n  process.stdout.write(`from dist: ${argv.join(' ')}\\n`);\n  return Number(argv[0] ?? 0);\n}\n");
    writeFileSync(join(root, 'dist', '.built'), 'stamp\n');
    for (const p of [join(root, 'src', 'cli', 'main.ts'), join(root, 'src', 'cli'), join(root, 'src')]) utimesSync(p, past, past);
    utimesSync(join(root, 'dist', '.built'), built, built);
  });

  test('dist/ built after every source: runs dist/ in-process, silently, with its exit code', () => {
    const r = run(bin, ['3', 'x']);
    expect(r).toEqual({ code: 3, out: 'from dist: 3 x\n', err: '' });
  });

  test('a source saved after the build: one line saying so, then the sources through tsx', () => {
    const later = new Date('2026-07-01T00:00:00Z');
    utimesSync(join(root, 'src', 'cli', 'main.ts'), later, later);
    const r = run(bin, ['4', 'y']);
    expect(r.out).toBe('from src: 4 y\n');
    expect(r.code).toBe(4);
    expect(r.err).toBe('podflow: running the sources through tsx (slower start): src/cli/main.ts changed after dist/ was built; npm run build compiles them\n');
  });

  test('a source added or removed after the build (its folder changed): the sources', () => {
    writeFileSync(join(root, 'src', 'cli', 'extra.ts'), 'export {};\n');
    const r = run(bin, ['0']);
    expect(r.out).toBe('from src: 0\n');
    expect(r.err).toMatch(/^podflow: running the sources through tsx .*: src\/cli changed after dist\/ was built;/);
  });

  test('no dist/ (never built, or installed without TypeScript): the sources, saying dist/ is not built', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    const r = run(bin, ['0', '--version']);
    expect(r.out).toBe('from src: 0 --version\n');
    expect(r.err.trim().split('\n')).toEqual(['podflow: running the sources through tsx (slower start): dist/ is not built; npm run build compiles them']);
  });

  test('an installation without sources runs dist/ as it is', () => {
    rmSync(join(root, 'src'), { recursive: true });
    expect(run(bin, ['0'])).toEqual({ code: 0, out: 'from dist: 0\n', err: '' });
  });
});

// Whether this checkout's dist/ is current: the real bin says so when it is not.
const probe = run(join(ROOT, 'bin', 'podflow.js'), ['--version'], ROOT);
const current = probe.code === 0 && probe.err === '';
const stale = current ? undefined : probe.err.split('\n')[0];

describe.skipIf(!current && !IN_CI)(`the compiled dist/ of this checkout${current ? '' : ` (skipped: ${stale})`}`, () => {
  test('podflow --version runs from dist/ and prints the package version', () => {
    expect(stale, 'under CI, npm ci builds dist/ before the tests').toBeUndefined();
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(probe.out.trim()).toBe(pkg.version);
  });

  test('the data files the code reads beside itself are in dist/', async () => {
    const compiled = (await import(pathToFileURL(join(ROOT, 'dist', 'adapters', 'vpp', 'known-divergences.js')).href)) as { VPP_KNOWN_DIVERGENCES: unknown[] };
    const source = JSON.parse(readFileSync(join(ROOT, 'src', 'adapters', 'vpp', 'known-divergences.json'), 'utf8')) as unknown;
    expect(compiled.VPP_KNOWN_DIVERGENCES.length).toBeGreaterThan(0);
    expect(JSON.stringify(source)).toContain((compiled.VPP_KNOWN_DIVERGENCES[0] as { id: string }).id);
    expect(readFileSync(join(ROOT, 'dist', 'adapters', 'kernel', 'netns-helper.py'), 'utf8')).toBe(readFileSync(join(ROOT, 'src', 'adapters', 'kernel', 'netns-helper.py'), 'utf8'));
  });

  test('podflow fuzz --workers 2 runs compiled workers: every property gets both workers\' shares', () => {
    const out = join(scratch, 'reports');
    const r = run(join(ROOT, 'bin', 'podflow.js'), ['fuzz', '--workers', '2', '--runs', '50', '--seed', '3', '--property', 'vxlan-wire-format', 'ttl-and-checksums', '--out', out, '--no-corpus'], ROOT);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/vxlan-wire-format\s+50\s/);
    expect(r.out).toMatch(/ttl-and-checksums\s+50\s/);
  });
});
