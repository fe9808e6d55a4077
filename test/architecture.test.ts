// Imports point one way (docs/architecture.md §1): packet imports nothing of ours; reference and policy import packet;
// properties import reference, policy, packet and the adapter interface; adapters never import the model. VPP's
// `show trace` text is a file format of its own (trace/, packet only), which the model and the adapters share.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Which top-level folders of src/ each folder may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  packet: [],
  trace: ['packet'],
  reference: ['packet', 'trace'],
  policy: ['packet', 'reference'],
  faults: ['adapters/adapter.ts'],
  generators: ['packet', 'policy', 'reference', 'faults', 'adapters/adapter.ts'],
  properties: ['packet', 'trace', 'policy', 'reference', 'generators', 'faults', 'adapters/adapter.ts'],
  adapters: ['packet', 'trace', 'adapters/adapter.ts'],
  cli: ['*'],
  // the package's entry points (package.json exports) re-export every layer; the vitest helper runs properties as the CLI does
  api: ['*'],
  testing: ['*'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The relative imports of a source file (type-only imports and re-exports too), as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((m) => relative(SRC, resolve(dirname(file), m[1]!)));
}

/** Import cycles among the files of one folder of src/ (each cycle as `a.ts -> b.ts -> a.ts`, once per start). */
function cyclesIn(folder: string): string[] {
  const files = sourceFiles(join(SRC, folder)).map((f) => relative(SRC, f));
  return cyclesOf(new Map(files.map((f) => [f, importsOf(join(SRC, f)).filter((t) => files.includes(t))])));
}

function cyclesOf(edges: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    for (const t of edges.get(f) ?? []) {
      const at = path.indexOf(t);
      if (at >= 0) {
        if (at === 0) cycles.push([...path, t].join(' -> '));
        continue;
      }
      visit(t, [...path, t]);
    }
  };
  for (const f of edges.keys()) visit(f, [f]);
  return cycles;
}

function violations(): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = relative(SRC, file);
    const top = rel.split('/')[0]!;
    const allowed = ALLOWED[top];
    if (!allowed) {
      out.push(`${rel}: folder src/${top} has no import rule`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const target = relative(SRC, resolve(dirname(file), m[1]!));
      const targetTop = target.split('/')[0]!;
      if (targetTop === top || allowed.includes('*')) {
        // adapters/<impl> may import its own folder, the interface and the host helpers, not other adapters
        if (top === 'adapters' && targetTop === 'adapters') {
          const own = rel.split('/')[1];
          const other = target.split('/')[1];
          if (own !== other && target !== 'adapters/adapter.ts' && target !== 'adapters/host.ts' && rel !== 'adapters/adapter.ts' && !rel.startsWith('adapters/index')) out.push(`${rel} imports ${target}`);
        }
        continue;
      }
      // The reference model is itself an adapter: its wrapper is the one adapter that imports the model.
      if (rel.startsWith('adapters/reference/') && targetTop === 'reference') continue;
      if (!allowed.some((a) => target === a || targetTop === a)) out.push(`${rel} imports ${target}`);
    }
  }
  return out;
}

describe('architecture', () => {
  test('imports point one way between the folders of src/', () => {
    expect(violations()).toEqual([]);
  });

  test('the report modules import one another without a cycle (types and analysis below the writers)', () => {
    expect(cyclesIn('cli/report')).toEqual([]);
  });

  test('the cycle check finds a cycle, also through a third file, and not in a chain', () => {
    expect(cyclesOf(new Map([['html.ts', ['write.ts']], ['write.ts', ['html.ts']]]))).toEqual(['html.ts -> write.ts -> html.ts', 'write.ts -> html.ts -> write.ts']);
    expect(cyclesOf(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toHaveLength(3);
    expect(cyclesOf(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
});
