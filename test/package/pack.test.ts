// podflow as a package: `npm pack` (building dist/ through `prepare` unless it is current), the tarball installed in a fresh project
// with its dependencies, and a plain `node` script there that imports the public entry points (package.json
// `exports`) — it simulates the seed scenario, encodes and decodes packets and pcap, renders a policy file and runs a
// property — and answers what the sources answer. The installed `podflow` command runs from dist/ alone. The tarball
// carries every file `exports` names (JavaScript and declarations). Installing needs npm's registry or its cache: when
// neither answers, the test says so and skips with npm's reason.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { simulate } from '../../src/reference/simulate.ts';
import { parseScenario } from '../../src/reference/scenario.ts';
import { readClusterFile } from '../../src/policy/yaml.ts';
import { renderCluster } from '../../src/policy/contiv/render.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SCENARIO = join(ROOT, 'examples', 'seed-pod-to-pod-different-nodes.json');
const POLICY = join(ROOT, 'examples', 'policies', 'k8s-docs-test-network-policy.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'podflow-pack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string, timeout = 300_000): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { code: r.status, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** Every file an `exports` entry names (conditions and subpaths flattened), without the leading `./`. */
function exportTargets(exp: unknown): string[] {
  if (typeof exp === 'string') return [exp.replace(/^\.\//, '')];
  if (exp && typeof exp === 'object') return Object.values(exp).flatMap(exportTargets);
  return [];
}

/** npm's reason when it could not reach the registry (and its cache lacked a package), else undefined. */
function networkFailure(err: string): string | undefined {
  const m = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENOTCACHED|ERR_SOCKET_TIMEOUT)\b.*|request to \S+ failed.*/.exec(err);
  return m?.[0];
}

// The consumer's script: plain node, bare `podflow/...` specifiers resolved through the installed package's exports.
const CHECK = `import { readFileSync } from 'node:fs';
import { parseScenario, simulate, PROFILES } from 'podflow/model';
import { decodePacket, encodePacket, encodePcap, decodePcap, toHex } from 'podflow/packet';
import { readClusterFile, renderCluster } from 'podflow/policy';
import { PROPERTIES, propertyById } from 'podflow/properties';
import { ReferenceAdapter } from 'podflow/adapters';
import { clusterArb } from 'podflow/generators';
import { runProperty } from 'podflow/runner';
import { defineConfig } from 'podflow/config';
import * as podflow from 'podflow';

const [scenarioFile, policyFile] = process.argv.slice(2);
const scenario = parseScenario(JSON.parse(readFileSync(scenarioFile, 'utf8')), scenarioFile);
const sim = simulate(scenario);
const outcomes = sim.packets.map((p) => p.outcomes.map((o) => o.kind + (o.kind === 'delivered' ? ':' + o.pod : '')));
const frame = sim.packets[0].frames[0].data;
const decoded = decodePacket(frame);
const reencoded = toHex(encodePacket(decoded.layers)) === toHex(frame);
const pcap = decodePcap(encodePcap(sim.packets.flatMap((p) => p.frames).map((f, i) => ({ tsSec: i, tsFrac: 0, data: f.data }))));
const rendered = renderCluster(readClusterFile(policyFile));
const acls = rendered.nodes.map((n) => n.acls.length);
const result = await runProperty(propertyById('vxlan-wire-format'), new ReferenceAdapter(), { seed: 1, runs: 5, chunk: 5, interrupted: () => false });
console.log(JSON.stringify({
  outcomes, reencoded, layers: decoded.layers.map((l) => l.kind), pcapRecords: pcap.ok ? pcap.records.length : -1, acls,
  property: [result.verdict, result.runs], properties: PROPERTIES.length, profiles: Object.keys(PROFILES),
  generators: typeof clusterArb, config: typeof defineConfig({}), root: [typeof podflow.simulate, typeof podflow.runProperty, typeof podflow.ReferenceAdapter],
}));
`;

test('npm pack, installed in a fresh project: plain node imports the entry points and gets what the sources compute; a custom property runs with podflow fuzz --config and with vitest', async (ctx) => {
  // 1. The tarball of these sources: dist/ as it is when it is current (npm ci has just built it; rebuilding it here
  // would swap dist/ under other test files' podflow commands), else built by `prepare` first.
  const probe = run(process.execPath, [join(ROOT, 'bin', 'podflow.js'), '--version'], ROOT, 60_000);
  const current = probe.code === 0 && probe.err === '';
  const pack = run('npm', ['pack', '--json', '--pack-destination', scratch, ...(current ? ['--ignore-scripts'] : [])], ROOT);
  expect(pack.code, `npm pack failed:\n${pack.err.slice(-2000)}`).toBe(0);
  const [info] = JSON.parse(pack.out.slice(pack.out.search(/^\[$/m))) as { filename: string; files: { path: string }[] }[];
  const tarball = join(scratch, info!.filename);
  const files = new Set(info!.files.map((f) => f.path));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: unknown; bin: Record<string, string> };
  const targets = exportTargets(pkg.exports);
  expect(targets.length).toBeGreaterThan(10);
  expect(targets.filter((t) => !files.has(t)), 'files package.json exports names but the tarball lacks').toEqual([]);
  for (const bin of Object.values(pkg.bin)) expect(files.has(bin.replace(/^\.\//, ''))).toBe(true);
  expect(files.has('dist/.built')).toBe(true);
  expect([...files].filter((f) => f.startsWith('src/') || f.startsWith('test/')), 'sources and tests stay out of the package').toEqual([]);

  // 2. A fresh project with the tarball and its dependencies.
  const app = join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'podflow-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  const install = run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], app);
  if (install.code !== 0) {
    const why = networkFailure(install.err);
    if (why) {
      console.warn(`pack test skipped: npm could not reach its registry to install podflow's dependencies (${why})`);
      ctx.skip(`npm could not reach its registry to install podflow's dependencies: ${why}`);
    }
  }
  expect(install.code, `npm install of the tarball failed:\n${install.err.slice(-2000)}`).toBe(0);
  expect(existsSync(join(app, 'node_modules', 'podflow', 'dist', 'api', 'index.js'))).toBe(true);

  // 3. Plain node, the public entry points, compared with the sources' answers.
  writeFileSync(join(app, 'check.mjs'), CHECK);
  const r = run(process.execPath, ['check.mjs', SCENARIO, POLICY], app, 120_000);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const got = JSON.parse(r.out) as Record<string, unknown>;
  const scenario = parseScenario(JSON.parse(readFileSync(SCENARIO, 'utf8')), SCENARIO);
  const sim = simulate(scenario);
  expect(got.outcomes).toEqual(sim.packets.map((p) => p.outcomes.map((o) => o.kind + (o.kind === 'delivered' ? `:${o.pod}` : ''))));
  expect((got.outcomes as string[][]).flat()).toContain('delivered:server');
  expect(got.reencoded).toBe(true);
  expect(got.layers).toEqual(['ethernet', 'ipv4', 'tcp']);
  expect(got.pcapRecords).toBe(sim.packets.flatMap((p) => p.frames).length);
  expect(got.acls).toEqual(renderCluster(readClusterFile(POLICY)).nodes.map((n) => n.acls.length));
  expect(got.property).toEqual(['valid', 5]);
  expect(got.properties).toBeGreaterThan(10);
  expect(got.profiles).toEqual(['vpp-18.01-contiv', 'vpp-current']);
  expect([got.generators, got.config, got.root]).toEqual(['function', 'object', ['function', 'function', 'function']]);

  // 4. The installed command runs from dist/ alone (no sources beside it), with its data files.
  const bin = join(app, 'node_modules', '.bin', 'podflow');
  const version = run(bin, ['--version'], app, 60_000);
  expect([version.code, version.out.trim(), version.err]).toEqual([0, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version, '']);
  const fuzz = run(bin, ['fuzz', '--property', 'vxlan-wire-format', '--runs', '5', '--seed', '1', '--no-corpus', '--out', join(app, 'reports')], app, 120_000);
  expect(fuzz.code, fuzz.err).toBe(0);
  expect(fuzz.out).toMatch(/^vxlan-wire-format +5 +5 +0 +valid/m);

  // 5. A property of the user's own (examples/custom-property, TypeScript importing podflow by its package name) in
  // the fresh project: `podflow fuzz --config podflow.config.ts` runs it (and `podflow list` finds the config
  // itself), and vitest runs it with podflow/vitest.
  const example = join(ROOT, 'examples', 'custom-property');
  for (const f of ['no-frame-to-bystander.ts', 'podflow.config.ts', 'custom-property.test.ts']) writeFileSync(join(app, f), readFileSync(join(example, f)));
  const own = run(bin, ['fuzz', '--config', 'podflow.config.ts', '--property', 'no-frame-to-bystander', '--runs', '20', '--seed', '1', '--no-corpus', '--out', join(app, 'reports')], app, 120_000);
  expect(own.code, own.err).toBe(0);
  expect(own.out).toMatch(/^no-frame-to-bystander +20 +20 +0 +valid/m);
  const list = run(bin, ['list', 'properties'], app, 60_000);
  expect(list.out).toMatch(/^no-frame-to-bystander .*\[.*podflow\.config\.ts\]$/m);
  const dev = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const tools = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `vitest@${dev.devDependencies.vitest}`, `@fast-check/vitest@${dev.devDependencies['@fast-check/vitest']}`], app);
  if (tools.code !== 0 && networkFailure(tools.err)) ctx.skip(`npm could not reach its registry to install vitest in the fresh project: ${networkFailure(tools.err)}`);
  expect(tools.code, tools.err.slice(-2000)).toBe(0);
  const suite = run(join(app, 'node_modules', '.bin', 'vitest'), ['run', '--root', app, 'custom-property.test.ts'], app, 300_000);
  expect(suite.code, `${suite.out.slice(-2000)}${suite.err.slice(-1000)}`).toBe(0);
  // eslint-disable-next-line no-control-regex
  expect(suite.out.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests +2 passed \(2\)/);
}, 900_000);
