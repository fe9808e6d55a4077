// podflow.config.ts: what a user adds to the CLI — properties, adapters (name → factory) and mutants — beside the
// built-in ones. Found in the current directory (podflow.config.ts, .mts, .js, .mjs, in that order) as
// vitest.config.ts is, or named with --config <file>. The CLI runs from compiled dist/, so a TypeScript config is
// loaded through tsx's ESM API (tsx is a runtime dependency). A config that cannot be used is one line naming the
// file and the field (UsageError, exit 2); nothing of it is used then.
//
// The registry is the built-in lists plus the config's: `podflow list` shows where each entry comes from, `podflow
// fuzz` resolves --property and --adapter in it, and fuzz workers load the same config file (its path is in the job).
import { existsSync, statSync } from 'node:fs';
import { extname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Adapter } from '../adapters/adapter.ts';
import { PROPERTIES } from '../properties/index.ts';
import type { PropertyDef } from '../properties/types.ts';
import { MUTANTS, type Mutant } from '../reference/mutants/index.ts';
import { UsageError } from './io.ts';

/** Makes the adapter for a `--adapter <name>` (a fresh one per call: each fuzz worker makes its own). */
export type AdapterFactory = () => Adapter;

/** What a config's default export may hold (every field optional). */
export interface PodflowConfig {
  /** properties beside the built-in catalogue (ids must differ from the built-in ones) */
  properties?: readonly PropertyDef<any>[];
  /** adapters by name: a factory, or a factory with a one-line description for `podflow list adapters` */
  adapters?: Readonly<Record<string, AdapterFactory | { create: AdapterFactory; description?: string }>>;
  /** mutants beside the built-in ones, run as `--adapter mutant:<id>` */
  mutants?: readonly Mutant[];
}

/** Types a config's default export (`export default defineConfig({ ... })`); returns it unchanged. */
export function defineConfig(config: PodflowConfig): PodflowConfig {
  return config;
}

/** The file names looked for in the current directory when no --config is given, in this order. */
export const CONFIG_FILES = ['podflow.config.ts', 'podflow.config.mts', 'podflow.config.js', 'podflow.config.mjs'] as const;

export const BUILT_IN = 'built-in';

/** One entry of the registry and where it comes from: `built-in`, or the config file's path as given. */
export interface Registered<T> {
  value: T;
  origin: string;
}

export interface RegisteredAdapter {
  name: string;
  create: AdapterFactory;
  description?: string;
  origin: string;
}

export interface Registry {
  /** the config file loaded (absolute), if any: fuzz workers load it again */
  configPath?: string;
  /** the config file as the user named it (relative to the current directory when found there) */
  configLabel?: string;
  properties: readonly Registered<PropertyDef<any>>[];
  /** the config's adapters only (built-in adapter names are parsed by cli/adapters.ts) */
  adapters: readonly RegisteredAdapter[];
  mutants: readonly Registered<Mutant>[];
}

/** The built-in lists alone (no config). */
export const BUILT_IN_REGISTRY: Registry = {
  properties: PROPERTIES.map((value) => ({ value, origin: BUILT_IN })),
  adapters: [],
  mutants: MUTANTS.map((value) => ({ value, origin: BUILT_IN })),
};

export function registryProperty(r: Registry, id: string): PropertyDef<unknown> | undefined {
  return r.properties.find((p) => p.value.id === id)?.value;
}

export function registryMutant(r: Registry, id: string): Mutant | undefined {
  return r.mutants.find((m) => m.value.id === id)?.value;
}

export function registryAdapter(r: Registry, name: string): RegisteredAdapter | undefined {
  return r.adapters.find((a) => a.name === name);
}

/** Names the built-in adapters take (cli/adapters.ts): a config adapter may not use them. */
const BUILT_IN_ADAPTER = /^(reference|mutant|kernel|vpp)(:|$)/;
/** Ids and names a config may give: they appear in report folder names and on command lines. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const FIELDS = ['properties', 'adapters', 'mutants'] as const;
const MUTANT_LAYERS: readonly string[] = ['data path', 'configuration', 'rendering'];

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** The config file to load: the one named, else the first of CONFIG_FILES in `cwd`, else none. */
export function findConfig(named: string | undefined, cwd = process.cwd()): { path: string; label: string } | undefined {
  if (named !== undefined) {
    const path = resolve(cwd, named);
    if (!existsSync(path)) throw new UsageError(`--config ${named}: no such file`);
    if (!statSync(path).isFile()) throw new UsageError(`--config ${named}: not a file`);
    return { path, label: named };
  }
  for (const name of CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path) && statSync(path).isFile()) return { path, label: relative(cwd, path) || name };
  }
  return undefined;
}

/** Imports a config module: TypeScript through tsx's ESM API (the CLI runs compiled), JavaScript as it is. */
async function importConfig(path: string): Promise<unknown> {
  const url = pathToFileURL(path).href;
  if (['.ts', '.mts', '.cts'].includes(extname(path))) {
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(url, import.meta.url);
  }
  return import(url);
}

/** The first line of an error, for a one-line diagnostic. */
function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

/**
 * The registry with the config found (named, or in `cwd`) added to the built-in lists; the built-in registry when
 * there is no config. Every problem is a UsageError naming the file and the field.
 */
export async function loadRegistry(named: string | undefined, cwd = process.cwd()): Promise<Registry> {
  const found = findConfig(named, cwd);
  return found ? loadConfigFile(found) : BUILT_IN_REGISTRY;
}

/** The registry with the config file findConfig found added to the built-in lists. */
export async function loadConfigFile(found: { path: string; label: string }): Promise<Registry> {
  const { path, label } = found;
  let mod: unknown;
  try {
    mod = await importConfig(path);
  } catch (e) {
    throw new UsageError(`${label}: cannot load the config: ${firstLine(e)}`);
  }
  let config = (mod as { default?: unknown } | null)?.default;
  // A TypeScript config outside an ES module package is compiled as CommonJS: its default export arrives wrapped.
  const inner = config as { default?: unknown } | null | undefined;
  if (typeof inner === 'object' && inner !== null && 'default' in inner && Object.keys(inner).every((k) => k === 'default' || k === '__esModule')) config = inner.default;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new UsageError(`${label}: the default export must be an object ({ properties, adapters, mutants }), got ${config === undefined ? 'no default export' : kind(config)}`);
  }
  return { configPath: path, configLabel: label, ...checkConfig(config as Record<string, unknown>, label) };
}

/** The config's entries, checked, after the built-in ones. */
export function checkConfig(config: Record<string, unknown>, label: string): Pick<Registry, 'properties' | 'adapters' | 'mutants'> {
  const bad = (field: string, what: string): never => {
    throw new UsageError(`${label}: ${field}: ${what}`);
  };
  for (const k of Object.keys(config)) {
    if (!(FIELDS as readonly string[]).includes(k)) bad(k, `unknown field (a config exports ${FIELDS.join(', ')})`);
  }
  const list = (field: 'properties' | 'mutants'): unknown[] => {
    const v = config[field];
    if (v === undefined) return [];
    if (!Array.isArray(v)) return bad(field, `expected an array, got ${kind(v)}`);
    return v;
  };
  const name = (field: string, v: unknown): string => {
    if (typeof v !== 'string' || v === '') return bad(field, `expected a non-empty string, got ${kind(v)}`);
    if (!NAME.test(v)) return bad(field, `'${v}' has characters other than letters, digits, '.', '_' and '-' (or does not start with a letter or digit)`);
    return v;
  };

  const properties: Registered<PropertyDef<any>>[] = PROPERTIES.map((value) => ({ value, origin: BUILT_IN }));
  for (const [i, raw] of list('properties').entries()) {
    const at = `properties[${i}]`;
    if (typeof raw !== 'object' || raw === null) bad(at, `expected a property object, got ${kind(raw)}`);
    const p = raw as Record<string, unknown>;
    const id = name(`${at}.id`, p.id);
    if (typeof p.description !== 'string' || p.description === '') bad(`${at}.description`, `expected a non-empty string, got ${kind(p.description)}`);
    for (const f of ['arbitrary', 'check'] as const) if (typeof p[f] !== 'function') bad(`${at}.${f}`, `expected a function, got ${kind(p[f])}`);
    if (p.seedSteps !== undefined && !(Array.isArray(p.seedSteps) && p.seedSteps.every((s) => typeof s === 'string'))) bad(`${at}.seedSteps`, 'expected an array of strings');
    if (p.claims !== undefined && (typeof p.claims !== 'object' || p.claims === null)) bad(`${at}.claims`, `expected an object of claim messages, got ${kind(p.claims)}`);
    if (p.needs !== undefined && (typeof p.needs !== 'object' || p.needs === null)) bad(`${at}.needs`, `expected an object, got ${kind(p.needs)}`);
    const clash = properties.find((q) => q.value.id === id);
    if (clash) bad(`${at}.id`, clash.origin === BUILT_IN ? `'${id}' is a built-in property` : `'${id}' appears twice`);
    // Optional fields a property may leave out get their empty values (the runner and reports read them).
    properties.push({ value: { seedSteps: [], claims: {}, ...p } as unknown as PropertyDef<any>, origin: label });
  }

  const adapters: RegisteredAdapter[] = [];
  const rawAdapters = config.adapters;
  if (rawAdapters !== undefined) {
    if (typeof rawAdapters !== 'object' || rawAdapters === null || Array.isArray(rawAdapters)) bad('adapters', `expected an object of name → factory, got ${kind(rawAdapters)}`);
    for (const [n, v] of Object.entries(rawAdapters as Record<string, unknown>)) {
      const at = `adapters['${n}']`;
      if (BUILT_IN_ADAPTER.test(n)) bad(at, `'${n}' is a built-in adapter name (reference, mutant:<id>, kernel, vpp and their variants)`);
      name(`${at} (the name)`, n);
      if (typeof v === 'function') adapters.push({ name: n, create: v as AdapterFactory, origin: label });
      else if (typeof v === 'object' && v !== null && typeof (v as { create?: unknown }).create === 'function') {
        const d = (v as { description?: unknown }).description;
        if (d !== undefined && typeof d !== 'string') bad(`${at}.description`, `expected a string, got ${kind(d)}`);
        adapters.push({ name: n, create: (v as { create: AdapterFactory }).create, ...(d !== undefined ? { description: d as string } : {}), origin: label });
      } else bad(at, `expected a factory function () => Adapter, or { create, description }, got ${kind(v)}`);
    }
  }

  const mutants: Registered<Mutant>[] = MUTANTS.map((value) => ({ value, origin: BUILT_IN }));
  for (const [i, raw] of list('mutants').entries()) {
    const at = `mutants[${i}]`;
    if (typeof raw !== 'object' || raw === null) bad(at, `expected a mutant object, got ${kind(raw)}`);
    const m = raw as Record<string, unknown>;
    const id = name(`${at}.id`, m.id);
    if (typeof m.description !== 'string' || m.description === '') bad(`${at}.description`, `expected a non-empty string, got ${kind(m.description)}`);
    if (typeof m.layer !== 'string' || !MUTANT_LAYERS.includes(m.layer)) bad(`${at}.layer`, `expected one of ${MUTANT_LAYERS.map((l) => `'${l}'`).join(', ')}`);
    for (const f of ['configure', 'onFault'] as const) if (m[f] !== undefined && typeof m[f] !== 'function') bad(`${at}.${f}`, `expected a function, got ${kind(m[f])}`);
    for (const f of ['nat', 'sessions', 'render', 'faults'] as const) if (m[f] !== undefined && (typeof m[f] !== 'object' || m[f] === null)) bad(`${at}.${f}`, `expected an object, got ${kind(m[f])}`);
    const clash = mutants.find((q) => q.value.id === id);
    if (clash) bad(`${at}.id`, clash.origin === BUILT_IN ? `'${id}' is a built-in mutant` : `'${id}' appears twice`);
    mutants.push({ value: m as unknown as Mutant, origin: label });
  }
  return { properties, adapters, mutants };
}

const ADAPTER_METHODS = ['setup', 'apply', 'inject', 'reset', 'teardown'] as const;

/** A config adapter made by its factory, checked to be an adapter; a factory that throws is a usage error too. */
export function createConfigAdapter(a: RegisteredAdapter): Adapter {
  let made: unknown;
  try {
    made = a.create();
  } catch (e) {
    throw new UsageError(`${a.origin}: adapters['${a.name}']: the factory failed: ${firstLine(e)}`);
  }
  const o = made as Partial<Record<string, unknown>> | null;
  if (typeof o !== 'object' || o === null) throw new UsageError(`${a.origin}: adapters['${a.name}']: the factory returned ${kind(o)}, not an adapter`);
  if (o instanceof Promise) throw new UsageError(`${a.origin}: adapters['${a.name}']: the factory returned a promise; it must return the adapter itself`);
  if (typeof o.name !== 'string') throw new UsageError(`${a.origin}: adapters['${a.name}']: the adapter has no name (a string)`);
  if (typeof o.capabilities !== 'object' || o.capabilities === null) throw new UsageError(`${a.origin}: adapters['${a.name}']: the adapter has no capabilities object`);
  for (const m of ADAPTER_METHODS) if (typeof o[m] !== 'function') throw new UsageError(`${a.origin}: adapters['${a.name}']: the adapter has no ${m}() method`);
  return made as Adapter;
}
