#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `podflow` works from a checkout without a build step.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tsxCli = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
// Ctrl-C reaches the whole process group: the child handles it (podflow fuzz finishes its chunk and writes the
// report); this wrapper only waits for it and passes its exit code on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
const result = spawnSync(process.execPath, [tsxCli, join(here, '..', 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
if (result.error) {
  console.error(`podflow: cannot start tsx: ${result.error.message}`);
  process.exit(2);
}
process.exit(result.status ?? (result.signal ? 1 : 0));
