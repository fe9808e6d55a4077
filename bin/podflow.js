#!/usr/bin/env node
// The `podflow` command. It runs the compiled CLI, dist/cli/main.js, in this process: `npm ci` builds dist/ (the
// `prepare` script, scripts/build.mjs). When dist/ is missing or older than src/ — sources edited after the last
// build, a checkout switched to another commit, an install without TypeScript (`npm ci --omit=dev`) — it says so in
// one line on stderr and runs the sources through tsx instead, so what runs is always what src/ says (only slower
// to start); `npm run build` makes dist/ current again.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

/** The first entry of `dir` (a file, or a folder whose entries changed) modified after `since`, or undefined. */
function newerThan(dir, since) {
  if (statSync(dir).mtimeMs > since) return dir;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const hit = e.isDirectory() ? newerThan(p, since) : statSync(p).mtimeMs > since ? p : undefined;
    if (hit) return hit;
  }
  return undefined;
}

/** Why dist/ is not what src/ says (not built, or a source newer than the build), or undefined when it is current. */
function staleness() {
  const hasSrc = existsSync(src);
  let built;
  try {
    built = statSync(join(dist, '.built')).mtimeMs;
  } catch {
    return hasSrc ? 'dist/ is not built' : undefined;
  }
  if (!hasSrc) return undefined; // an installation without sources: dist/ is all there is
  const newer = newerThan(src, built);
  return newer ? `${relative(root, newer)} changed after dist/ was built` : undefined;
}

const why = staleness();
if (why === undefined) {
  let main;
  try {
    ({ main } = await import(pathToFileURL(join(dist, 'cli', 'main.js')).href));
  } catch (e) {
    console.error(`podflow: cannot load ${join(dist, 'cli', 'main.js')} (${e instanceof Error ? e.message.split('\n')[0] : e}); npm run build compiles it`);
    process.exit(2);
  }
  process.exit(await main(process.argv.slice(2)));
}

// The sources through tsx, in a child process (tsx's loader is registered with --import). A signal sent to this
// wrapper alone (`kill <pid>`, a supervisor's SIGTERM) is passed on to the child, so podflow fuzz finishes its chunk
// and writes the report; Ctrl-C reaches both through the process group, and the child handles it. The wrapper
// exits with the child's exit code.
console.error(`podflow: running the sources through tsx (slower start): ${why}; npm run build compiles them`);
const require = createRequire(import.meta.url);
const tsx = join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs');
const child = spawn(process.execPath, ['--import', tsx, join(src, 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    // Ctrl-C already reached the child through the terminal's process group; a signal to the wrapper alone did not.
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  });
}
child.on('error', (e) => {
  console.error(`podflow: cannot start the CLI: ${e.message}`);
  process.exit(2);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9, SIGHUP: 1 }[signal] ?? 1) : 1)));
