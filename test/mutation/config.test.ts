// The mutation-testing setup (no Stryker run): Stryker mutates exactly the reference model's graph nodes and
// state, runs through the catalogue-only vitest config, and that config includes only the catalogue mutation
// test — so the unit tests (golden traces, node tests) can never kill a mutant.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import mutationVitestConfig from '../../vitest.mutation.config.ts';

// stryker.config.mjs is plain JavaScript (Stryker loads it without a TypeScript loader): import it untyped.
const STRYKER_CONFIG: string = '../../stryker.config.mjs';
interface StrykerConfig {
  mutate: string[];
  testRunner: string;
  plugins: string[];
  vitest: { configFile: string };
  incremental: boolean;
  incrementalFile: string;
  tempDirName: string;
  ignorePatterns: string[];
}
const strykerConfig = ((await import(STRYKER_CONFIG)) as { default: StrykerConfig }).default;

const CATALOGUE_TEST = 'test/mutation/catalogue.mutation.test.ts';

describe('mutation testing setup', () => {
  test('Stryker mutates exactly src/reference/nodes and src/reference/state', () => {
    expect([...strykerConfig.mutate].sort()).toEqual(['src/reference/nodes/**/*.ts', 'src/reference/state/**/*.ts']);
  });

  test('Stryker runs vitest with the catalogue-only config', () => {
    expect(strykerConfig.testRunner).toBe('vitest');
    expect(strykerConfig.vitest.configFile).toBe('vitest.mutation.config.ts');
    expect(strykerConfig.plugins).toContain('@stryker-mutator/vitest-runner');
  });

  test('the catalogue-only config includes the catalogue mutation test and nothing else', () => {
    const include = mutationVitestConfig.test?.include;
    expect(include).toEqual([CATALOGUE_TEST]);
    expect(existsSync(CATALOGUE_TEST)).toBe(true);
    const source = readFileSync(CATALOGUE_TEST, 'utf8');
    expect(source).toContain("from '../../src/properties/index.ts'");
  });

  test('reports and the incremental file go to a git-ignored place; npm test never runs Stryker', () => {
    const ignored = readFileSync('.gitignore', 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toContain('reports/mutation/');
    expect(ignored).toContain('.stryker-tmp/');
    expect(strykerConfig.incremental).toBe(true);
    expect(strykerConfig.incrementalFile.startsWith('reports/mutation/')).toBe(true);
    expect(strykerConfig.tempDirName).toBe('.stryker-tmp');
    // run output stays out of the sandbox: reports/latest is a link to a folder, which Stryker cannot copy
    expect(strykerConfig.ignorePatterns).toEqual(expect.arrayContaining(['/reports', '/corpus']));
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    expect(scripts.mutation).toBe('stryker run');
    expect(scripts.test).not.toMatch(/stryker/);
  });
});
