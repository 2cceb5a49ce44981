// What the server says it supports, from GET /ServiceProviderConfig (RFC 7643 §5, RFC 7644 §4).
import { FEATURES, type Feature } from './case-file.js';
import type { Client } from './client.js';
import { lookup } from './match.js';

export interface Features {
  /** Features the server announces as unsupported; cases that require one of them are skipped. */
  readonly unsupported: ReadonlySet<Feature>;
  /** Set when the configuration could not be read: then no case is skipped, and the discovery cases will say why. */
  readonly problem?: string;
}

export async function readFeatures(client: Client, baseUrl: string): Promise<Features> {
  let exchange;
  try {
    exchange = await client.send({ method: 'GET', url: `${baseUrl}/ServiceProviderConfig`, headers: {}, auth: true });
  } catch (error) {
    return { unsupported: new Set(), problem: `GET /ServiceProviderConfig failed: ${(error as Error).message}` };
  }
  const config = exchange.body;
  if (exchange.status !== 200 || typeof config !== 'object' || config === null || Array.isArray(config)) {
    return { unsupported: new Set(), problem: `GET /ServiceProviderConfig answered ${exchange.status} without a JSON object` };
  }
  const unsupported = new Set<Feature>();
  for (const feature of FEATURES) {
    const entry = lookup(config as Record<string, unknown>, feature);
    const supported = typeof entry === 'object' && entry !== null ? lookup(entry as Record<string, unknown>, 'supported') : undefined;
    // RFC 7643 §5 makes each `supported` REQUIRED; anything but true counts as "not supported".
    if (supported !== true) unsupported.add(feature);
  }
  return { unsupported };
}
