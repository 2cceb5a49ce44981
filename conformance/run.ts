// The conformance runner: replays the case files under cases/ against a live SCIM 2.0 server (RFC 7644) and
// prints one line per case, then "N passed, N failed, N skipped" alone on the last line; exits 1 on any failure.
//
//   node dist/conformance/run.js --url http://127.0.0.1:8080/scim/v2 --token <token> [--only okta/] [--cases dir]
//
// The token may also come from SCIM_TOKEN, which keeps it out of the process list.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCases } from './case-file.js';
import { createClient } from './client.js';
import { runCase } from './execute.js';
import { readFeatures } from './features.js';
import { resultLines, summaryLine } from './report.js';

const USAGE = 'usage: conformance --url <SCIM base URL> --token <bearer token> [--only <case id prefix>] [--cases <dir>] [--timeout <ms>]';

function defaultCasesDir(): string {
  // Next to run.ts when run from source; from dist/conformance/run.js, the source folder two levels up.
  for (const candidate of ['./cases/', '../../conformance/cases/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  return fileURLToPath(new URL('./cases/', import.meta.url));
}

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        only: { type: 'string', multiple: true },
        cases: { type: 'string' },
        timeout: { type: 'string', default: '30000' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usageError((error as Error).message);
  }

  const token = values.token ?? process.env.SCIM_TOKEN ?? '';
  if (!values.url) usageError('--url is required');
  if (token === '') usageError('--token (or SCIM_TOKEN) is required');
  let baseUrl: string;
  try {
    const url = new URL(values.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    baseUrl = url.href.replace(/\/+$/, '');
  } catch {
    usageError(`--url must be an http(s) URL, got ${values.url}`);
  }
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) usageError('--timeout must be a positive number of milliseconds');

  // Nothing printed may carry the token, even if a server echoes it back.
  const print = (line: string) => console.log(line.split(token).join('***'));

  const { cases, broken } = await loadCases(values.cases ?? defaultCasesDir());
  const only = values.only ?? [];
  const wanted = (id: string) => only.length === 0 || only.some((prefix) => id.startsWith(prefix));
  const selected = cases.filter((c) => wanted(c.id));
  const unreadable = broken.filter((b) => wanted(b.id));
  if (selected.length === 0 && unreadable.length === 0) usageError(`no cases found${only.length > 0 ? ` for --only ${only.join(', ')}` : ''}`);

  const client = createClient({ baseUrl, token, timeoutMs });
  const features = await readFeatures(client, baseUrl);
  if (features.problem) print(`note  ${features.problem}; running every case`);
  else if (features.unsupported.size > 0) print(`note  not supported by the server: ${[...features.unsupported].join(', ')}`);

  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const { id, error } of unreadable) {
    counts.failed += 1;
    print(`FAIL  ${id}  (case file)`);
    print(`    ${error}`);
  }
  const unique = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  for (const testCase of selected) {
    const result = await runCase(testCase, { client, baseUrl, features, unique });
    counts[result.outcome] += 1;
    for (const line of resultLines(testCase, result)) print(line);
  }
  print(summaryLine(counts));
  return counts.failed > 0 ? 1 : 0;
}

process.exitCode = await main();
