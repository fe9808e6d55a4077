// podflow.config.ts (cli/config.ts): a config adds properties, adapters and mutants to the CLI; `podflow list` says
// where each comes from; `podflow fuzz` runs them, in worker threads too; a config that cannot be used is one line
// naming the file and the field, exit 2. The examples' configs (examples/custom-*) import podflow by its package
// name, as a user's would (package.json exports: dist/, built by npm ci).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { BUILT_IN_REGISTRY, loadRegistry } from '../../src/cli/config.ts';
import { createAdapter } from '../../src/cli/adapters.ts';
import { runFuzz } from '../../src/cli/fuzz.ts';
import { listText } from '../../src/cli/list.ts';
import { UsageError } from '../../src/cli/io.ts';
import type { PropertyResult } from '../../src/cli/results.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'podflow.js');
const PROPERTY_CONFIG = 'examples/custom-property/podflow.config.ts';
const ADAPTER_CONFIG = 'examples/custom-adapter/podflow.config.ts';
const dir = mkdtempSync(join(tmpdir(), 'podflow-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = (): void => {};

function podflow(args: string[], cwd = ROOT): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 180_000 });
  // bin/podflow.js says in one line when it runs the sources (dist/ older than an edited source): not an error here
  const err = r.stderr.replace(/^podflow: running the sources through tsx .*\n/, '');
  return { code: r.status, out: r.stdout, err };
}

let n = 0;
/** A config file in the scratch folder with the given text. */
function config(text: string, ext = 'mjs'): string {
  const path = join(dir, `config-${++n}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const PROPERTY = "{ id: 'mine', description: 'd', arbitrary: () => null, check: async () => ({ status: 'valid' }) }";

describe('loading a config', () => {
  test('none here and none named: the built-in lists', async () => {
    expect(await loadRegistry(undefined, dir)).toBe(BUILT_IN_REGISTRY);
  });

  test('a TypeScript config found in the current directory, loaded through tsx', async () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(cwd, 'podflow.config.ts'), `const n: number = 1;\nexport default { mutants: [{ id: 'my-mutant', description: 'breaks nothing ' + n, layer: 'data path' as const }] };\n`);
    const r = await loadRegistry(undefined, cwd);
    expect(r.configLabel).toBe('podflow.config.ts');
    expect(r.mutants.at(-1)).toEqual({ value: { id: 'my-mutant', description: 'breaks nothing 1', layer: 'data path' }, origin: 'podflow.config.ts' });
    expect(createAdapter('mutant:my-mutant', r).name).toBe('mutant:my-mutant');
    expect(listText('mutants', r)).toMatch(/^my-mutant +data path: breaks nothing 1  \[podflow\.config\.ts\]$/m);
  });

  test.each<[string, string | undefined, RegExp]>([
    ['a missing file', undefined, /^--config .*nowhere\.ts: no such file$/],
    ['no default export', 'export const x = 1;', /config-\d+\.mjs: the default export must be an object .*, got no default export$/],
    ['a default export that is not an object', 'export default 42;', /config-\d+\.mjs: the default export must be an object .*, got number$/],
    ['a module that throws', "throw new Error('boom');", /config-\d+\.mjs: cannot load the config: boom$/],
    ['an unknown field', 'export default { propertes: [] };', /config-\d+\.mjs: propertes: unknown field \(a config exports properties, adapters, mutants\)$/],
    ['properties that are not an array', 'export default { properties: {} };', /: properties: expected an array, got object$/],
    ['a property without an id', "export default { properties: [{ description: 'd', arbitrary: () => null, check: () => null }] };", /config-\d+\.mjs: properties\[0\]\.id: expected a non-empty string, got undefined$/],
    ['a property without check', "export default { properties: [{ id: 'p', description: 'd', arbitrary: () => null }] };", /: properties\[0\]\.check: expected a function, got undefined$/],
    ['a property without arbitrary', "export default { properties: [{ id: 'p', description: 'd', check: () => null }] };", /: properties\[0\]\.arbitrary: expected a function, got undefined$/],
    ['a property id of the catalogue', `export default { properties: [{ ...${PROPERTY}, id: 'ttl-and-checksums' }] };`, /: properties\[0\]\.id: 'ttl-and-checksums' is a built-in property$/],
    ['a property id twice', `export default { properties: [${PROPERTY}, ${PROPERTY}] };`, /: properties\[1\]\.id: 'mine' appears twice$/],
    ['an id with a space', `export default { properties: [{ ...${PROPERTY}, id: 'my prop' }] };`, /: properties\[0\]\.id: 'my prop' has characters other than/],
    ['a built-in adapter name', 'export default { adapters: { reference: () => ({}) } };', /: adapters\['reference'\]: 'reference' is a built-in adapter name/],
    ['a mutant: adapter name', "export default { adapters: { 'mutant:x': () => ({}) } };", /: adapters\['mutant:x'\]: 'mutant:x' is a built-in adapter name/],
    ['an adapter that is not a factory', "export default { adapters: { mine: 'x' } };", /: adapters\['mine'\]: expected a factory function .*, got string$/],
    ['a built-in mutant id', "export default { mutants: [{ id: 'wrong-vni', description: 'd', layer: 'data path' }] };", /: mutants\[0\]\.id: 'wrong-vni' is a built-in mutant$/],
    ['a mutant of an unknown layer', "export default { mutants: [{ id: 'm', description: 'd', layer: 'kernel' }] };", /: mutants\[0\]\.layer: expected one of 'data path', 'configuration', 'rendering'$/],
  ])('%s: one line naming the file and the field', async (_, text, message) => {
    const path = text === undefined ? join(dir, 'nowhere.ts') : config(text);
    const err = await loadRegistry(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  test("an adapter factory that fails or makes no adapter: one line naming the config and the adapter", async () => {
    const r = await loadRegistry(config("export default { adapters: { broken: () => { throw new Error('no lab'); }, empty: () => ({ name: 'e', capabilities: {} }), fine: { create: () => null, description: 'x' } } };"));
    expect(() => createAdapter('broken', r)).toThrow(/config-\d+\.mjs: adapters\['broken'\]: the factory failed: no lab$/);
    expect(() => createAdapter('empty', r)).toThrow(/adapters\['empty'\]: the adapter has no setup\(\) method$/);
    expect(() => createAdapter('fine', r)).toThrow(/adapters\['fine'\]: the factory returned null, not an adapter$/);
    expect(() => createAdapter('other', r)).toThrow(/unknown adapter 'other' \(known: reference, .*, broken, empty, fine\)$/);
  });
});

describe('the CLI with a config', () => {
  test('podflow list: entries of the config beside the built-in ones, each with where it comes from', () => {
    const props = podflow(['list', 'properties', '--config', PROPERTY_CONFIG]);
    expect([props.code, props.err]).toEqual([0, '']);
    expect(props.out).toMatch(/^no-frame-to-bystander +no frame of a connection is delivered to a pod other than its destination \(seed steps none\)  \[examples\/custom-property\/podflow\.config\.ts\]$/m);
    expect(props.out).toMatch(/^ttl-and-checksums +.*  \[built-in\]$/m);
    const adapters = podflow(['list', 'adapters', '--config', ADAPTER_CONFIG]);
    expect([adapters.code, adapters.err]).toEqual([0, '']);
    expect(adapters.out).toMatch(/^counting-reference +the reference model, counting the frames .*  \[examples\/custom-adapter\/podflow\.config\.ts\]$/m);
    expect(adapters.out).toMatch(/^kernel +.*  \[built-in\]$/m);
  });

  test('podflow fuzz --config runs the config\'s property through the CLI: a valid run of 20 cases', () => {
    const out = join(dir, 'reports-property');
    const r = podflow(['fuzz', '--config', PROPERTY_CONFIG, '--property', 'no-frame-to-bystander', '--runs', '20', '--seed', '1', '--no-corpus', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^no-frame-to-bystander +20 +20 +0 +valid/m);
    const [folder] = readdirSync(out).filter((f) => f.includes('-reference-seed1'));
    const results = JSON.parse(readFileSync(join(out, folder!, 'results.json'), 'utf8')) as PropertyResult[];
    expect(results.map((p) => [p.id, p.verdict, p.runs, p.checked])).toEqual([['no-frame-to-bystander', 'valid', 20, 20]]);
  });

  test('a bad config through the CLI: one line on stderr, exit 2', () => {
    const missing = podflow(['fuzz', '--config', 'nowhere.config.ts', '--runs', '1']);
    expect([missing.code, missing.err, missing.out]).toEqual([2, 'podflow: --config nowhere.config.ts: no such file\n', '']);
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(cwd, 'podflow.config.mjs'), "export default { properties: [{ id: 'p', description: 'd', arbitrary: () => null }] };\n");
    const bad = podflow(['list', 'properties'], cwd);
    expect([bad.code, bad.err, bad.out]).toEqual([2, 'podflow: podflow.config.mjs: properties[0].check: expected a function, got undefined\n', '']);
  });

  test('fuzz workers load the same config: the config\'s adapter in two worker threads', async () => {
    const r = await runFuzz({ adapter: 'counting-reference', config: join(ROOT, ADAPTER_CONFIG), property: ['vxlan-wire-format'], runs: '50', seed: '3', workers: '2', out: join(dir, 'reports-workers'), corpus: false }, quiet);
    expect(r.result.info.workers).toHaveLength(2);
    expect(r.result.info.adapter).toBe('counting-reference');
    expect(r.result.properties.map((p) => [p.id, p.verdict, p.runs])).toEqual([['vxlan-wire-format', 'valid', 50]]);
    expect(r.code).toBe(0);
  });
});
