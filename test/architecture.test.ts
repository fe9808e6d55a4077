// Imports point one way (STYLE.md §1): packet imports nothing of ours; reference and policy import packet;
// properties import reference, policy, packet and the adapter interface; adapters never import the model (only its
// parser of VPP's `show trace` text, reference/trace/).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Which top-level folders of src/ each folder may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  packet: [],
  reference: ['packet'],
  policy: ['packet', 'reference'],
  generators: ['packet', 'policy', 'reference'],
  properties: ['packet', 'policy', 'reference', 'generators', 'adapters/adapter.ts'],
  adapters: ['packet', 'adapters/adapter.ts'],
  cli: ['*'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
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
      // `show trace` text is a format, not the model: adapters of real VPPs parse it with the one parser.
      if (rel.startsWith('adapters/') && target.startsWith('reference/trace/')) continue;
      if (!allowed.some((a) => target === a || targetTop === a)) out.push(`${rel} imports ${target}`);
    }
  }
  return out;
}

describe('architecture', () => {
  test('imports point one way between the folders of src/', () => {
    expect(violations()).toEqual([]);
  });
});
