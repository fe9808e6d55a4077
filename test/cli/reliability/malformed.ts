// Malformed inputs for the reliability suite: random text and bytes, valid documents with random mutations
// (fields deleted, wrong types, prototype keys, huge numbers, NaN-ish strings, control characters, deep nesting),
// and truncations of valid files. Plus the assertion every reader must pass: it returns, or it throws its own
// error type with a message that prints as one line without raw control characters.
import fc from 'fast-check';
import { expect } from 'vitest';
import { UsageError } from '../../../src/cli/io.ts';

/** Inputs per reader: random and mutated documents (truncations come on top). */
export const RUNS = 2000;
/** Fixed seeds: a failure reproduces. */
export const SEED = 20261204;

/** Raw control characters a printed diagnostic must never carry (escaped ones like `\x07` are fine). */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** A CLI diagnostic is one line with no raw control character and no stack frame. */
export function expectCleanLine(text: string, what: string): void {
  expect(text.includes('\n'), `${what}: more than one line: ${JSON.stringify(text)}`).toBe(false);
  expect(RAW_CONTROL.test(text), `${what}: raw control character in ${JSON.stringify(text)}`).toBe(false);
  expect(/\n\s+at /.test(text), `${what}: stack trace`).toBe(false);
}

/** The line(s) the CLI prints for an error: a UsageError's own message, or main.ts's `new UsageError(e.message)`. */
export function cliLines(e: Error): string[] {
  return (e instanceof UsageError ? e.message : new UsageError(e.message).message).split('\n');
}

/**
 * Runs a reader on one input: it returns, or throws one of `expected`; anything else (a TypeError, a RangeError
 * from deep inside) is an escaped exception and fails with the input shown.
 */
export function expectClean<T>(input: unknown, read: () => T, expected: readonly (new (...a: never[]) => Error)[]): T | undefined {
  try {
    return read();
  } catch (e) {
    if (!expected.some((E) => e instanceof E)) {
      const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 2000)) : input instanceof Uint8Array ? Buffer.from(input.slice(0, 400)).toString('hex') : JSON.stringify(input)?.slice(0, 2000);
      throw new Error(`escaped exception ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n  on input ${shown}\n${e instanceof Error ? e.stack : ''}`);
    }
    for (const line of cliLines(e as Error)) expectCleanLine(`podflow: ${line}`, 'error message');
    return undefined;
  }
}

export async function expectCleanAsync<T>(input: unknown, read: () => Promise<T>, expected: readonly (new (...a: never[]) => Error)[]): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (!expected.some((E) => e instanceof E)) {
      throw new Error(`escaped exception ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n  on input ${JSON.stringify(input)?.slice(0, 2000)}\n${e instanceof Error ? e.stack : ''}`);
    }
    for (const line of cliLines(e as Error)) expectCleanLine(`podflow: ${line}`, 'error message');
    return undefined;
  }
}

// --- values -------------------------------------------------------------------------------------------------

const CONTROL = ['\u0000', '\u0007', '\b', '\t', '\n', '\r', '\u001b[31m', '\u007f', '\u0085', '\u2028', '\u202e', '\ud800', '\ufeff'];

function deepArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function deepObject(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Values that break readers: wrong types, prototype names, huge and odd numbers, NaN-ish strings, control bytes. */
export const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  -0,
  0.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  4294967296,
  65536,
  256,
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'undefined',
  '1e999',
  '0x10',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '10.1.1.300',
  '10.1.1.2/33',
  '999.1.1.1',
  '02:fe:zz:00:00:00',
  ...CONTROL.map((c) => `a${c}b`),
  'x'.repeat(5000),
  '\u0000'.repeat(50),
  {},
  [],
  [null],
  { __proto__: null },
  { constructor: 1 },
  deepArray(3000),
  deepObject(3000),
];

/** Well-formed addresses at the edges of subnets (network, gateway, broadcast, another node's, outside). */
const EDGE_IPS = ['10.1.1.0', '10.1.1.1', '10.1.1.254', '10.1.1.255', '10.1.2.7', '10.1.3.0', '10.1.3.255', '192.168.5.5', '0.0.0.0', '255.255.255.255', '10.1.0.0/16', '0.0.0.0/0', '10.1.1.5/32', '1.2.3.4/0'];

export const ODD_KEYS = ['__proto__', 'constructor', 'toString', 'prototype', 'hasOwnProperty', '', 'a\u0000b', '\u001b[2J', 'kind', 'name', 'id', 'x'.repeat(300)];

type Path = (string | number)[];

/** Every path of a JSON value (containers and leaves), root first. */
function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (out.length > 4000 || at.length > 40) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...at, k], out);
  return out;
}

function get(v: unknown, path: Path): unknown {
  let cur = v;
  for (const k of path) cur = (cur as Record<string | number, unknown>)[k];
  return cur;
}

/** Sets an own property even for `__proto__` (plain assignment would change the prototype instead). */
function setOwn(o: object, k: string | number, value: unknown): void {
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
}

/** One mutation, chosen by three numbers (so fast-check draws and shrinks them). */
function mutate(doc: unknown, [where, op, pick]: [number, number, number]): unknown {
  const all = paths(doc);
  const path = all[where % all.length]!;
  const value = ODD_VALUES[pick % ODD_VALUES.length];
  if (path.length === 0) return op % 9 === 0 ? value : doc;
  const parent = get(doc, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  switch (op % 9) {
    case 0: // delete the field (or the list element)
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, unknown>)[key as string];
      break;
    case 1: // a wrong value
    case 2:
      setOwn(parent, key, value);
      break;
    case 3: {
      // an extra key, often a prototype name
      const target = get(doc, path);
      const obj = target !== null && typeof target === 'object' && !Array.isArray(target) ? target : parent;
      if (!Array.isArray(obj)) setOwn(obj as object, ODD_KEYS[pick % ODD_KEYS.length]!, value);
      break;
    }
    case 4: {
      // a string gains control characters, a number its neighbours or extremes
      const cur = get(doc, path);
      if (typeof cur === 'string') setOwn(parent, key, `${cur}${CONTROL[pick % CONTROL.length]}`);
      else if (typeof cur === 'number') setOwn(parent, key, [cur + 1, cur - 1, -cur, cur * 65536, cur + 0.5, 2 ** 32 + cur][pick % 6]);
      else setOwn(parent, key, value);
      break;
    }
    case 5: // a list element repeated (duplicate names, IDs)
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
      else setOwn(parent, key, [get(doc, path), get(doc, path)]);
      break;
    case 6: // wrapped in a list or an object
      setOwn(parent, key, pick % 2 === 0 ? [get(doc, path)] : { value: get(doc, path) });
      break;
    case 7: {
      // a string value becomes a prototype name or another odd key (a layer kind `constructor`, a node `__proto__`)
      const cur = get(doc, path);
      if (typeof cur === 'string' && /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(cur)) setOwn(parent, key, EDGE_IPS[pick % EDGE_IPS.length]);
      else setOwn(parent, key, typeof cur === 'string' ? ODD_KEYS[pick % ODD_KEYS.length] : value);
      break;
    }
    case 8: {
      // a key renamed to a prototype name or another odd key
      if (Array.isArray(parent)) break;
      const v = get(doc, path);
      delete (parent as Record<string, unknown>)[key as string];
      setOwn(parent, ODD_KEYS[pick % ODD_KEYS.length]!, v);
      break;
    }
  }
  return doc;
}

/** A valid document with 1..4 random mutations (a fresh copy each time). */
export function mutatedArb(docs: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.tuple(fc.nat(docs.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 })).map(([i, ops]) => {
    let doc = structuredClone(docs[i]);
    for (const op of ops) doc = mutate(doc, op);
    // as a file would hold it
    return JSON.parse(JSON.stringify(doc) ?? 'null') as unknown;
  });
}

/** Every key and every string and number value of some documents (a reader's own vocabulary). */
function vocabulary(docs: readonly unknown[]): { keys: string[]; leaves: unknown[] } {
  const keys = new Set<string>(ODD_KEYS);
  const leaves = new Set<unknown>(ODD_KEYS);
  const walk = (v: unknown, depth: number): void => {
    if (depth > 40) return;
    if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        keys.add(k);
        walk(x, depth + 1);
      }
    else if (typeof v === 'string' || typeof v === 'number') leaves.add(v);
  };
  docs.forEach((d) => walk(d, 0));
  return { keys: [...keys], leaves: [...leaves] };
}

/**
 * Documents made of the reader's own words: objects with its field names (and prototype names) holding its
 * values, odd values and small nested lists and objects — `{ "kind": "constructor" }`, `{ "nodes": [{ "__proto__": 1 }] }`.
 */
export function vocabularyArb(docs: readonly unknown[]): fc.Arbitrary<unknown> {
  const { keys, leaves } = vocabulary(docs);
  const odd = ODD_VALUES.filter((v) => JSON.stringify(v).length < 200);
  const leaf = fc.oneof(fc.constantFrom(...leaves), fc.constantFrom(...odd), fc.integer(), fc.double());
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.array(fc.tuple(fc.constantFrom(...keys), tie('value')), { maxLength: 5 }).map((entries) => {
        const o = {};
        for (const [k, v] of entries) setOwn(o, k, v);
        return o;
      }),
    ),
  }));
  return value.map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown);
}

/** Random JSON-ish values, and random text. */
export const randomJsonArb: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.anything({ maxDepth: 3, withNullPrototype: true }).map((v) => JSON.parse(JSON.stringify(v ?? null) ?? 'null')));
export const randomTextArb: fc.Arbitrary<string> = fc.oneof(fc.string({ maxLength: 300, unit: 'binary' }), fc.string({ maxLength: 300 }), fc.string({ maxLength: 300, unit: fc.constantFrom('{', '}', '[', ']', ':', ',', '"', '-', ' ', '\n', 'a', '1', '#', '\t', '\u0000', '&', '*', '!', '|', '>') }));

const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__'];

/**
 * Prototype names and edge addresses at every place of valid documents, systematically: every string value
 * replaced by `constructor`, `toString`, `__proto__` (also with its object stripped down to that one field), every
 * address by subnet edges and outsiders, and every object given the prototype names as extra keys. At most `max`,
 * spread evenly.
 */
export function prototypeVariants(docs: readonly unknown[], max = 600): unknown[] {
  // Descriptions first (cheap), then copies of the documents only for the ones kept.
  type Variant = { doc: unknown; path: Path; how: 'set' | 'only' | 'key'; value: string };
  const all: Variant[] = [];
  for (const doc of docs) {
    for (const path of paths(doc)) {
      const target = get(doc, path);
      if (typeof target === 'string' && /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(target)) for (const ip of EDGE_IPS) all.push({ doc, path, how: 'set', value: ip });
      for (const name of PROTOTYPE_NAMES) {
        if (typeof target === 'string' && path.length > 0) {
          all.push({ doc, path, how: 'set', value: name });
          if (typeof path[path.length - 1] === 'string' && path.length > 1) all.push({ doc, path, how: 'only', value: name });
        }
        if (target !== null && typeof target === 'object' && !Array.isArray(target)) all.push({ doc, path, how: 'key', value: name });
      }
    }
  }
  const step = Math.max(1, Math.ceil(all.length / max));
  return all
    .filter((_, i) => i % step === 0)
    .map(({ doc, path, how, value }) => {
      const v = structuredClone(doc);
      const last = path[path.length - 1]!;
      if (how === 'set') setOwn(get(v, path.slice(0, -1)) as object, last, value);
      else if (how === 'only') {
        const only = {};
        setOwn(only, last, value);
        const parentPath = path.slice(0, -1);
        setOwn(get(v, parentPath.slice(0, -1)) as object, parentPath[parentPath.length - 1]!, only);
      } else setOwn(get(v, path) as object, value, { [value]: 1 });
      return JSON.parse(JSON.stringify(v)) as unknown;
    });
}

/** A valid text cut at every offset (every `step`-th for long ones). */
export function truncations(text: string, max = 600): string[] {
  const step = Math.max(1, Math.ceil(text.length / max));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += step) out.push(text.slice(0, i));
  return out;
}

/** Text with one character replaced by a control character, or a line duplicated or removed. */
export function textMutationArb(texts: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(texts.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 20, unit: 'binary' })), { minLength: 1, maxLength: 4 })).map(([i, ops]) => {
    let t = texts[i]!;
    for (const [at, op, s] of ops) {
      const pos = t.length === 0 ? 0 : at % t.length;
      const lines = t.split('\n');
      const ln = at % lines.length;
      switch (op % 5) {
        case 0:
          t = t.slice(0, pos) + CONTROL[at % CONTROL.length]! + t.slice(pos + 1);
          break;
        case 1:
          t = t.slice(0, pos) + s + t.slice(pos);
          break;
        case 2:
          lines.splice(ln, 1);
          t = lines.join('\n');
          break;
        case 3:
          lines.splice(ln, 0, lines[ln]!);
          t = lines.join('\n');
          break;
        case 4:
          t = t.slice(0, pos) + t.slice(pos + 1 + (s.length % 8));
          break;
      }
    }
    return t;
  });
}

/** Draws n values of an arbitrary with a fixed seed (plain loops then run them: no shrinking, clear inputs). */
export function sample<T>(arb: fc.Arbitrary<T>, n: number, seed = SEED): T[] {
  return fc.sample(arb, { numRuns: n, seed });
}
