#!/usr/bin/env node
// `npm run build`, and `npm ci` / `npm install` through the `prepare` script: compiles src/ into dist/ (JavaScript
// and declarations, tsconfig.build.json), copies the files the code reads beside itself (known-divergences.json,
// netns-helper.py), and stamps dist/.built with the time the build started, which bin/podflow.js compares with
// src/ to tell whether dist/ is current. The build goes to a folder beside dist/ and replaces it only when it
// succeeded, so a failed build leaves no half-built dist/ that would look current.
//
// Without TypeScript (`npm ci --omit=dev`) there is nothing to compile with: the script says so and succeeds, and
// bin/podflow.js runs the sources through tsx (a runtime dependency). Without src/ (deploy/Dockerfile's image, which
// takes dist/ from its build stage) there is nothing to compile, and bin/podflow.js runs dist/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
// Sources are compiled, not copied; the .mjs worker entry only serves running the sources through tsx.
const COMPILED = new Set(['.ts', '.mts', '.cts', '.mjs']);

if (!existsSync(src)) {
  console.error('podflow build: no src/ here, nothing to compile');
  process.exit(0);
}
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.error('podflow build: TypeScript is not installed (npm ci --omit=dev?): dist/ not built; bin/podflow.js runs the sources through tsx');
  process.exit(0);
}

// The stamp's time is the build's start: a source saved while tsc runs is newer, so dist/ counts as stale.
const started = new Date();
const out = join(root, `.dist-build-${process.pid}`);
rmSync(out, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(out, { recursive: true, force: true });
  console.error(`podflow build: tsc failed (exit ${r.status ?? r.signal}); dist/ left as it was`);
  process.exit(r.status || 1);
}
let assets = 0;
for (const e of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || COMPILED.has(extname(e.name))) continue;
  const from = join(e.parentPath ?? e.path, e.name);
  cpSync(from, join(out, relative(src, from)), { preserveTimestamps: true });
  assets++;
}
const stamp = join(out, '.built');
writeFileSync(stamp, `built from src/ by scripts/build.mjs; started ${started.toISOString()}\n`);
utimesSync(stamp, started, started);
rmSync(dist, { recursive: true, force: true });
renameSync(out, dist);
console.error(`podflow build: dist/ compiled from src/ in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s (${assets} data files copied)`);
