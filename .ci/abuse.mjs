// CI: a running server (npm start) under the abuse the README promises to withstand, driven over HTTP as an attacker
// would: oversized chunked bodies, a sign-in flood, a large Bulk beside health checks, a costly filter, hostile strings.
// usage: node .ci/abuse.mjs BASE_URL TOKEN TENANT
import { request } from 'node:http';

const [base, token, tenant] = process.argv.slice(2);
if (!base || !token || !tenant) {
  console.error('usage: node .ci/abuse.mjs BASE_URL TOKEN TENANT');
  process.exit(2);
}
const scim = `${base}/scim/v2`;
const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};

/** Sends up to `total` bytes chunked (no Content-Length) and reports the status and how much was written when it came. */
function chunkedUpload(path, total) {
  return new Promise((resolve) => {
    const url = new URL(path, base);
    let written = 0;
    let answered;
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'Content-Type': 'application/json' } });
    req.on('response', (res) => {
      answered = { status: res.statusCode, writtenBefore: written };
      res.resume();
      res.on('end', () => resolve(answered));
    });
    req.on('error', () => resolve(answered ?? { status: 0, writtenBefore: written }));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    req.write('{"tenant": "');
    pump();
  });
}

async function timed(fn) {
  const begin = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - begin };
}

// 1. A chunked 64 MB body to every /auth route is refused before 8 MB are read.
for (const path of ['/auth/login', '/auth/password', '/auth/reset']) {
  const { status, writtenBefore } = await chunkedUpload(path, 64 * 2 ** 20);
  check(status === 413 && writtenBefore < 8 * 2 ** 20, `chunked 64 MB to ${path}: ${status} after ${(writtenBefore / 2 ** 20).toFixed(1)} MB written`);
}

// 2. Hostile strings get 400, never 500: NUL, a lone surrogate, 3,000 characters; in a login, a filter and a body.
const hostile = { NUL: 'a\u0000b', 'lone surrogate': 'a\ud800b', '3,000 characters': 'x'.repeat(3000) };
for (const [name, value] of Object.entries(hostile)) {
  const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant, userName: value, password: 'whatever it is' }) });
  check([400, 401].includes(login.status), `${name} in a login user name: ${login.status}`);
  const filter = await fetch(`${scim}/Users?filter=${encodeURIComponent(`userName eq ${JSON.stringify(value)}`)}`, { headers: auth });
  check(filter.status === 400 || (name === '3,000 characters' && filter.status === 200), `${name} in a filter value: ${filter.status}`);
  for (const [attribute, body] of [
    ['userName', { userName: value }],
    ['externalId', { userName: `ext-${name.length}@example.com`, externalId: value }],
    ['emails.value', { userName: `mail-${name.length}@example.com`, emails: [{ value }] }],
  ]) {
    const created = await fetch(`${scim}/Users`, { method: 'POST', headers: auth, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...body }) });
    const error = await created.json();
    check(created.status === 400 && error.scimType === 'invalidValue', `${name} in ${attribute}: ${created.status} ${error.scimType ?? ''}`);
  }
  const group = await fetch(`${scim}/Groups`, { method: 'POST', headers: auth, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: value }) });
  check(group.status === 400, `${name} in a group displayName: ${group.status}`);
}

// 3. A 200-term groups.display filter is answered or refused within 2 s.
const costly = Array.from({ length: 200 }, (_, i) => `groups.display co "g${i}"`).join(' or ');
const { result: costlyAnswer, ms: costlyMs } = await timed(() => fetch(`${scim}/Users?filter=${encodeURIComponent(costly)}`, { headers: auth }));
check([200, 400].includes(costlyAnswer.status) && costlyMs < 2000, `200-term groups.display filter: ${costlyAnswer.status} in ${costlyMs.toFixed(0)} ms`);

// 4. /healthz keeps answering within 500 ms while a 500-operation Bulk runs.
const operations = Array.from({ length: 500 }, (_, i) => ({
  method: 'POST',
  path: '/Users',
  bulkId: `b${i}`,
  data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `abuse-bulk-${i}@example.com`, name: { givenName: 'Bulk', familyName: `No. ${i}` } },
}));
let bulkDone = false;
const bulk = fetch(`${scim}/Bulk`, { method: 'POST', headers: auth, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: operations }) }).then(async (r) => {
  bulkDone = true;
  return { status: r.status, body: await r.json() };
});
let slowest = 0;
let probes = 0;
let unhealthy = 0;
while (!bulkDone) {
  const { result, ms } = await timed(() => fetch(`${base}/healthz`));
  if (result.status !== 200) unhealthy++;
  slowest = Math.max(slowest, ms);
  probes++;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const bulkAnswer = await bulk;
check(bulkAnswer.status === 200 && bulkAnswer.body.Operations.every((o) => o.status === '201'), `500-operation Bulk: ${bulkAnswer.status}`);
check(slowest < 500 && unhealthy === 0, `/healthz during the Bulk: ${probes - unhealthy} of ${probes} answered 200, the slowest in ${slowest.toFixed(0)} ms`);

// 5. A sign-in flood from one address gets 429 with Retry-After within 60 attempts. Last: it shuts this address out.
let limited;
for (let attempt = 1; attempt <= 60 && !limited; attempt++) {
  const r = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant, userName: 'ada@acme.example', password: `guess number ${attempt}` }) });
  await r.arrayBuffer();
  if (r.status === 429) limited = { attempt, retryAfter: r.headers.get('retry-after') };
  else if (r.status !== 401) check(false, `failed sign-in ${attempt}: ${r.status}`);
}
check(limited !== undefined && /^\d+$/.test(limited.retryAfter ?? ''), `sign-in flood: 429 at attempt ${limited?.attempt}, Retry-After ${limited?.retryAfter}`);

console.log(failures === 0 ? 'abuse checks passed' : `${failures} abuse check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
