// The documentation holds together: every section the code, tests, benches and docs cite (§N.M) is a heading of
// docs/datapath.md (or, when it cites the architecture page, of docs/architecture.md); every seed-step id a
// property names or the reference model emits has a row in docs/glossary.md; every relative link of README.md and
// docs/*.md reaches an existing file and heading; the example lab files are accepted by the lab-file reader; and
// no file of the repository points at the design documents outside it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROPERTIES } from '../../src/properties/index.ts';
import { FEATURE_STEPS, NODE_FEATURES, SEED_STEP_TEXT } from '../../src/reference/node-features.ts';
import { LabFileSchema, parseLabFile } from '../../src/adapters/vpp/lab-file.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SELF = relative(ROOT, import.meta.filename);
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

/** Text files under a folder of the repository (paths relative to the root); generated and vendored folders left out. */
function filesUnder(rel: string): string[] {
  const abs = join(ROOT, rel);
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs).flatMap((name) => (['node_modules', 'dist', 'reports', '.git'].includes(name) ? [] : filesUnder(join(rel, name))));
}

function isText(rel: string): boolean {
  return !readFileSync(join(ROOT, rel)).includes(0);
}

/** The section numbers of a markdown page's numbered headings (`## 8. …` → 8, `### 8.4 …` → 8.4). */
export function sectionHeadings(markdown: string): Set<string> {
  return new Set([...withoutCode(markdown).matchAll(/^#{1,6} (\d+(?:\.\d+)*)\.? /gm)].map((m) => m[1]!));
}

/** Fenced code blocks removed (their lines kept empty, so line numbers stay). */
function withoutCode(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((l) => {
      if (/^\s*```/.test(l)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : l;
    })
    .join('\n');
}

/**
 * The section citations of a text, each with the document it cites: the nearest document named right before it on
 * the same line (only section numbers, `§`, dashes, commas and spaces between), else the data path page. `RFC 6335
 * §5.1` cites an RFC and is left out.
 */
export function citations(text: string): { section: string; doc: 'datapath' | 'architecture' | 'other'; line: number }[] {
  const out: { section: string; doc: 'datapath' | 'architecture' | 'other'; line: number }[] = [];
  const styleName = 'STYLE' + '.md';
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/§(\d+(?:\.\d+)*)/g)) {
      const before = line.slice(0, m.index);
      const named = /(architecture\.md|STYLE\.md|datapath\.md|DATAPATH\.md|RFC \d+)[\s§\d.,–\-]*$/.exec(before);
      const name = named?.[1];
      const doc = name === undefined || /datapath/i.test(name) ? 'datapath' : name === 'architecture.md' || name === styleName ? 'architecture' : 'other';
      out.push({ section: m[1]!.replace(/\.$/, ''), doc, line: i + 1 });
    }
  });
  return out;
}

/** Citations that name no heading of the page they cite, as `file:line §N`. */
function unresolvedCitations(files: readonly string[], datapath: Set<string>, architecture: Set<string>): string[] {
  return files.flatMap((f) =>
    citations(read(f))
      .filter((c) => c.doc !== 'other' && !(c.doc === 'datapath' ? datapath : architecture).has(c.section))
      .map((c) => `${f}:${c.line} §${c.section} (${c.doc})`),
  );
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  return new Set([...withoutCode(markdown).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

/** Relative links of a markdown file (code left out) that reach no file, or no heading of a markdown file. */
export function brokenLinks(file: string, markdown: string, exists: (path: string) => string | undefined): string[] {
  const text = withoutCode(markdown).replace(/`[^`\n]*`/g, '');
  const out: string[] = [];
  for (const m of text.matchAll(/\[[^\]\n]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const resolved = path === '' ? file : join(dirname(file), path);
    const content = exists(resolved);
    if (content === undefined) {
      out.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(content).has(anchor)) out.push(`${file}: ${target} (no such heading)`);
  }
  return out;
}

function existing(rel: string): string | undefined {
  try {
    const p = join(ROOT, rel);
    return statSync(p).isDirectory() ? '' : readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** The ids with a row in the glossary: the first cell of a table row, in backticks. */
export function glossaryIds(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!));
}

/** Every step tag the reference model's node table emits (what the report's trace diff names). */
function modelStepTags(): string[] {
  const tags = new Set<string>(Object.keys(SEED_STEP_TEXT));
  for (const flow of Object.values(FEATURE_STEPS)) for (const s of Object.values(flow)) if (s) tags.add(s);
  for (const row of NODE_FEATURES.values()) for (const byFlow of Object.values(row.steps ?? {})) for (const s of Object.values(byFlow ?? {})) if (s) tags.add(s);
  return [...tags].sort();
}

const DOCS = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const DATAPATH = sectionHeadings(read('docs/datapath.md'));
const ARCHITECTURE = sectionHeadings(read('docs/architecture.md'));
const GLOSSARY = glossaryIds(read('docs/glossary.md'));

describe('sections cited', () => {
  test('every § the sources, tests, benches, README and docs cite is a heading of the page it cites', () => {
    const files = [...['src', 'test', 'bench', 'docs'].flatMap(filesUnder), 'README.md'].filter((f) => f !== SELF && isText(f));
    expect(files.length).toBeGreaterThan(100);
    expect(unresolvedCitations(files, DATAPATH, ARCHITECTURE)).toEqual([]);
  });

  test('the check finds a section that is not there, and tells the pages apart', () => {
    expect(citations('x (STYLE' + '.md §5 edge cases), y (DATA' + 'PATH.md §7.3: …), z RFC 6335 §5.1, w §2.5–§2.7').map((c) => `${c.doc} ${c.section}`)).toEqual([
      'architecture 5',
      'datapath 7.3',
      'other 5.1',
      'datapath 2.5',
      'datapath 2.7',
    ]);
    expect(citations('[architecture.md §7](architecture.md#7-adapters) then §8.4').map((c) => c.doc)).toEqual(['architecture', 'datapath']);
    expect(sectionHeadings('## 8. acl\n### 8.4 Sessions\n```\n## 9. in code\n```\n')).toEqual(new Set(['8', '8.4']));
    const missing = unresolvedCitations(['docs/glossary.md'], new Set(), ARCHITECTURE);
    expect(missing.length).toBeGreaterThan(0);
  });
});

describe('seed steps', () => {
  test("every properties' seed step is a glossary row or a section of the data path page", () => {
    const missing = PROPERTIES.flatMap((p) => p.seedSteps.filter((s) => (s.startsWith('§') ? !DATAPATH.has(s.slice(1)) : !GLOSSARY.has(s))).map((s) => `${p.id}: ${s}`));
    expect(missing).toEqual([]);
  });

  test('every step tag the reference model emits is a glossary row', () => {
    const tags = modelStepTags();
    expect(tags).toEqual(expect.arrayContaining(['q1', 'q18', 'r11', 'SN-q4', 'SN-r7']));
    expect(tags.filter((t) => !GLOSSARY.has(t))).toEqual([]);
  });

  test('the glossary check reads rows, not mentions', () => {
    expect(glossaryIds('| `q10` | the Global ACL |\nsee `q11` |\n| id | meaning |')).toEqual(new Set(['q10']));
  });
});

describe('links', () => {
  test('every relative link of README.md and docs/*.md reaches a file, and a heading when it names one', () => {
    expect(['README.md', ...DOCS].flatMap((f) => brokenLinks(f, read(f), existing))).toEqual([]);
  });

  test('README lists every page of docs/', () => {
    const readme = read('README.md');
    expect(DOCS.filter((d) => !readme.includes(`](${d})`))).toEqual([]);
  });

  test('the link check finds a missing file and a missing heading', () => {
    const files: Record<string, string> = { 'docs/a.md': '# A\n## 2.5 Per-pod configuration (CNI ADD)\n' };
    const md = '[ok](a.md#25-per-pod-configuration-cni-add) [gone](b.md) [bad](a.md#nope) [web](https://example.org) `[code](c.md)`';
    expect(brokenLinks('docs/x.md', md, (p) => files[p])).toEqual(['docs/x.md: b.md (no such file)', 'docs/x.md: a.md#nope (no such heading)']);
    expect(slug('4.3 Cross node, request C → S on node A')).toBe('43-cross-node-request-c--s-on-node-a');
  });
});

describe('lab files', () => {
  test.each(['docs/examples/lab-local.yaml', 'docs/examples/lab-ssh.yaml'])('%s is accepted by the lab-file reader', (f) => {
    const lab = parseLabFile(read(f), f);
    expect(lab.nodes.length).toBeGreaterThan(0);
  });

  test('docs/lab-file.md documents every field of the schema', () => {
    const page = read('docs/lab-file.md');
    const schema = LabFileSchema as unknown as { shape: Record<string, unknown> & { nodes: { element: { shape: Record<string, unknown> } } } };
    const fields = [...Object.keys(schema.shape), ...Object.keys(schema.shape.nodes.element.shape)];
    expect(fields).toContain('gbe');
    expect(fields.filter((k) => !page.includes(`\`${k}\``))).toEqual([]);
  });
});

/** Files of the repository: git's list when it is a checkout, else every file outside generated folders. */
function repositoryFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f !== '' && existing(f) !== undefined);
  } catch {
    return filesUnder('.').map((f) => f.replace(/^\.\//, ''));
  }
}

// Built from parts, so that this file does not name them itself (and the rename's sed leaves it alone).
const OUTSIDE = ['..' + '/shared', 'shared' + '/spec', 'STYLE' + '.md', 'DATA' + 'PATH.md'];

/**
 * Mentions of the design documents outside the repository, as `file:line text`. CI's VPP build lives beside the
 * clone (`../shared/vpp`, which the repository deliberately does not ship): a line about it may name the folder.
 */
export function outsideMentions(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => {
    const names = OUTSIDE.filter((n) => line.includes(n));
    const aboutVpp = names.length === 1 && names[0] === OUTSIDE[0] && /vpp/i.test(line);
    return names.length > 0 && !aboutVpp ? [`${file}:${i + 1} ${names.join(', ')}`] : [];
  });
}

describe('self-contained', () => {
  test('no file of the repository names the design documents outside it as files', () => {
    const files = repositoryFiles().filter((f) => isText(f));
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((f) => outsideMentions(f, read(f)))).toEqual([]);
  });

  test('the check finds such a mention, and lets the VPP build be', () => {
    expect(outsideMentions('a.ts', `// see ${OUTSIDE[3]} §7.1\n// fine: docs/datapath.md §7.1`)).toEqual([`a.ts:1 ${OUTSIDE[3]}`]);
    expect(outsideMentions('b.md', `copied from \`${OUTSIDE[1]}/traces/\``)).toHaveLength(1);
    expect(outsideMentions('.ci/run', `VPP_TARBALL="${OUTSIDE[0]}/vpp/vpp.tar.xz"`)).toEqual([]);
  });
});
