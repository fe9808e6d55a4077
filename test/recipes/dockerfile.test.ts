// deploy/Dockerfile: built on Node 20 (bookworm-slim), installs what the README says the adapters need, installs
// only runtime dependencies (`npm ci --omit=dev`), so every package src/ and bin/ import must be one, and gives
// the Kubernetes manifests what they assume (tini at /usr/bin/tini, `podflow` on PATH, uid 1000).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readRepoFile, ROOT } from './support.ts';

const FILE = 'deploy/Dockerfile';
const text = readRepoFile(FILE);
/** Instructions with continuation lines joined and comments dropped. */
const instructions = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const runs = instructions.filter((l) => l.startsWith('RUN ')).join('\n');
const aptPackages = [...runs.matchAll(/apt-get install ([^&;]*)/g)].flatMap((m) => m[1]!.split(/\s+/).filter((w) => w !== '' && !w.startsWith('-')));

/** Which Debian package gives each command the README names. */
const PACKAGE_OF: Record<string, string> = { ip: 'iproute2', bridge: 'iproute2', nft: 'nftables', sysctl: 'procps', python3: 'python3', ssh: 'openssh-client' };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|mts|js|mjs)$/.test(p) ? [p] : [];
  });
}

describe(FILE, () => {
  test('is built on node:20-bookworm-slim: a build stage compiles dist/, the image runs it without the sources', () => {
    expect(instructions.filter((l) => l.startsWith('FROM '))).toEqual(['FROM node:20-bookworm-slim AS build', 'FROM node:20-bookworm-slim']);
    const [build, image] = text.split(/^FROM node:20-bookworm-slim$/m) as [string, string];
    // the build stage installs with TypeScript (the prepare script compiles) and checks dist/ was built
    expect(build).toMatch(/^RUN npm ci --no-audit --no-fund && test -f dist\/\.built/m);
    for (const f of ['tsconfig.json', 'tsconfig.build.json', 'scripts/', 'src/']) expect(build).toContain(f);
    // the image: dist/ from the build stage, no src/ (so bin/podflow.js never falls back to tsx)
    expect(image).toContain('COPY --from=build /opt/podflow/dist/ ./dist/');
    expect(image).not.toMatch(/^COPY src\//m);
    expect(image).toMatch(/npm ci --omit=dev --ignore-scripts/);
  });

  test('installs the commands the README says the kernel adapter needs, and ssh for the VPP adapter\'s lab nodes', () => {
    const readme = readRepoFile('README.md');
    // "the kernel adapter needs root and `ip`, `bridge` (iproute2), `nft` (nftables), `sysctl` (procps), `python3`;"
    const sentence = /the kernel adapter\s+needs root and ([^;]*);/.exec(readme)?.[1];
    expect(sentence, 'README: "the kernel adapter needs root and …;"').toBeDefined();
    const commands = [...sentence!.matchAll(/`([a-z0-9]+)`/g)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const c of commands) {
      expect(Object.keys(PACKAGE_OF), `README names \`${c}\`: which package gives it?`).toContain(c);
      expect(aptPackages, `\`${c}\` (${PACKAGE_OF[c]})`).toContain(PACKAGE_OF[c]);
    }
    // The package the README names in parentheses is the one installed.
    for (const m of sentence!.matchAll(/`([a-z0-9]+)`\s*\(([a-z0-9-]+)\)/g)) expect(PACKAGE_OF[m[1]!]).toBe(m[2]);
    // The VPP adapter reaches remote lab nodes with [ssh, …, vppctl] (README: VPP lab adapter).
    expect(readme).toMatch(/\[ssh, lab1, sudo, vppctl\]/);
    expect(aptPackages).toContain(PACKAGE_OF.ssh);
    expect(aptPackages).toContain('tini');
    expect(runs).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
  });

  test('npm ci --omit=dev: every package src/ and bin/ import is a runtime dependency (tsx included)', () => {
    expect(runs).toMatch(/npm ci --omit=dev/);
    const pkg = JSON.parse(readRepoFile('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; peerDependencies?: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toContain('tsx');
    const builtins = new Set(builtinModules);
    const used = new Set<string>();
    for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'bin'))]) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)(?:\s+type\b)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require(?:\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = (m[1] ?? m[2] ?? m[3])!;
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        // a type-only import vanishes at run time
        if (/^\s*(?:import|export)\s+type\b/.test(m[0].trimStart())) continue;
        used.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    expect(used.size).toBeGreaterThanOrEqual(4);
    // optional peer dependencies are the user's suite's own (podflow/vitest imports vitest and @fast-check/vitest)
    for (const p of used) expect([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies ?? {})], `${p} is imported at run time but is no dependency`).toContain(p);
  });

  test('copies what podflow runs from, and the ignore file lets exactly that through', () => {
    const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.startsWith('COPY --from=')).map((l) => l.split(/\s+/).slice(1, -1)).flat();
    for (const need of ['package.json', 'package-lock.json', 'bin/', 'src/']) expect(copies).toContain(need);
    const ignore = readRepoFile('deploy/Dockerfile.dockerignore').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(ignore[0]).toBe('**');
    for (const c of copies) expect(ignore, `${c} must be let through the ignore file`).toContain(`!${c}`);
  });

  test('gives the manifests what they assume: tini at /usr/bin/tini, podflow on PATH, uid 1000', () => {
    expect(instructions).toContain('ENTRYPOINT ["/usr/bin/tini", "-g", "--"]');
    expect(runs).toMatch(/ln -s \/opt\/podflow\/bin\/podflow\.js \/usr\/local\/bin\/podflow/);
    expect(instructions).toContain('USER 1000:1000');
    for (const f of ['cronjob-shards.yaml', 'cronjob-merge.yaml']) {
      const manifest = readRepoFile(join('deploy', 'k8s', f));
      expect(manifest).toContain('command: [/usr/bin/tini, -g, --, bash, -c]');
      expect(manifest).toContain('runAsUser: 1000');
    }
  });
});
