// Resource versions as weak entity tags, and the If-Match / If-None-Match checks on them (RFC 7644 §3.14, RFC 9110 §13.1).
import { ScimError } from '../errors.js';

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

function tagsOf(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}

/** The opaque part of a tag, so that W/"3" and "3" compare equal (weak comparison, RFC 9110 §8.8.3.2). */
function opaque(tag: string): string {
  return tag.replace(/^W\//i, '');
}

/** Throws 412 unless If-Match is absent, `*`, or lists the current version. */
export function checkIfMatch(header: string | undefined, currentVersion: number): void {
  if (header === undefined) return;
  const tags = tagsOf(header);
  if (tags.includes('*')) return;
  const current = opaque(etagOf(currentVersion));
  if (!tags.some((tag) => opaque(tag) === current)) {
    throw ScimError.preconditionFailed(`The resource has changed: its version is ${etagOf(currentVersion)}, the request named ${header}.`);
  }
}

/** True when If-None-Match names the current version, so a GET can answer 304 Not Modified. */
export function matchesIfNoneMatch(header: string | undefined, currentVersion: number): boolean {
  if (header === undefined) return false;
  const tags = tagsOf(header);
  const current = opaque(etagOf(currentVersion));
  return tags.includes('*') || tags.some((tag) => opaque(tag) === current);
}
