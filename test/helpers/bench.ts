// Runs `npm run bench` (dist/bench/run.js, as people run it) on the test's database: PostgreSQL when DATABASE_URL is
// set (a database of its own), otherwise PGlite in a temporary directory; and cleans up after it.
import { join } from 'node:path';
import type { FigureRow } from '../../src/bench/figures.js';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openConfiguredStore } from '../../src/server.js';
import type { Store } from '../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { MAIN, killAll, removeDir, run, tempDataDir } from './processes.js';

const BENCH = join(MAIN, '..', 'bench', 'run.js');

export interface BenchRun {
  readonly stdout: string;
  /** The database the bench used, opened for the test to read; close it when done. */
  open(): Promise<{ store: Store; close: () => Promise<void> }>;
}

let database: TestDatabase | undefined;
let dataDir: string | undefined;

/** Runs the bench with `args` and expects it to exit 0. One run per test file: call cleanUpBench in afterAll. */
export async function runBench(args: readonly string[], timeoutMs: number): Promise<BenchRun> {
  if (process.env.DATABASE_URL) {
    database = await createTestDatabase();
    const result = await run(BENCH, [...args], { BENCH_DATABASE_URL: database.url! }, timeoutMs);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const store = database.store;
    return { stdout: result.stdout, open: async () => ({ store, close: async () => {} }) };
  }
  const dir = (dataDir = tempDataDir());
  const result = await run(BENCH, [...args, '--pglite'], { BENCH_DATA_DIR: dir }, timeoutMs);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return {
    stdout: result.stdout,
    open: async () => {
      const { store, release } = await openConfiguredStore(loadConfig({ DATA_DIR: dir }), 'cli');
      return {
        store,
        close: async () => {
          await store.close();
          release();
        },
      };
    },
  };
}

export async function cleanUpBench(): Promise<void> {
  killAll();
  await database?.close();
  if (dataDir) removeDir(dataDir);
  database = undefined;
  dataDir = undefined;
}

/** A number in a bench report line, as a regular expression group. */
export const NUMBER = String.raw`(\d+(?:\.\d+)?)`;

/** The numbers a report line holds, or a failure that shows the whole output. */
export function numbersOf(stdout: string, pattern: string): number[] {
  const match = new RegExp(pattern, 'm').exec(stdout);
  expect(match, `no line matching ${pattern} in:\n${stdout}`).not.toBeNull();
  return match!.slice(1).map(Number);
}


/** The rows of the table of figures the bench ends with (Markdown, after a "Figures (" line). */
export function figureRowsOf(stdout: string): FigureRow[] {
  const start = stdout.lastIndexOf('\nFigures (');
  expect(start, `no table of figures in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const lines = stdout.slice(start).split('\n').filter((line) => line.startsWith('| '));
  expect(lines[0]).toBe('| id | database | what | measured | target | result |');
  return lines.slice(2).map((line) => {
    const cells = line.slice(2, -2).split(/ \| (?![^"]*"\])/);
    expect(cells, line).toHaveLength(6);
    const [id, database, what, measured, target, result] = cells.map((c) => c.replace(/\\\|/g, '|')) as [string, string, string, string, string, string];
    return { id, database, what, measured, target, result };
  });
}
