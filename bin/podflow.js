#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `podflow` works from a checkout without a build step. The CLI runs in
// a child process; a signal sent to this wrapper alone (`kill <pid>`, a supervisor's SIGTERM) is passed on to it,
// so podflow fuzz finishes its chunk and writes the report; Ctrl-C reaches both through the process group, and
// the child handles it. The wrapper exits with the child's exit code.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tsx = join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs');
const child = spawn(process.execPath, ['--import', tsx, join(here, '..', 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
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
