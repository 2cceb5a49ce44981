// The tenant's personas: Groups carrying Usher's persona extension, with their description and permissions.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, scim } from './api';
import { currentToken } from './session';
import { PERSONA_EXT, patchBody, quote, type Group, type ListResponse } from './scim-types';

export interface Persona {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly permissions: readonly string[];
}

const ATTRIBUTES = `displayName,${PERSONA_EXT}`;
const PAGE = 100;

function personaOf(group: Group): Persona | undefined {
  const extension = group[PERSONA_EXT];
  if (!extension) return undefined;
  return { id: group.id, displayName: group.displayName, description: extension.description ?? '', permissions: extension.permissions ?? [] };
}

async function allPages(filter: string | undefined): Promise<Group[]> {
  const groups: Group[] = [];
  let cursor = '';
  // Bounded: a tenant with more than 50 pages of groups has outgrown this list anyway.
  for (let page = 0; page < 50; page++) {
    const list = await scim<ListResponse<Group>>('GET', '/Groups', {
      query: { filter, attributes: ATTRIBUTES, sortBy: 'displayName', count: PAGE, cursor },
    });
    groups.push(...(list.Resources ?? []));
    if (!list.nextCursor) break;
    cursor = list.nextCursor;
  }
  return groups;
}

// Set once the server has refused `pr` on the extension, so the page asks the way that works from then on.
let prRefused = false;

async function fetchPersonas(): Promise<Persona[]> {
  let groups: Group[] | undefined;
  if (!prRefused) {
    try {
      groups = await allPages(`${PERSONA_EXT} pr`);
    } catch (error) {
      // A server that cannot filter on the extension itself: read every group and keep the personas.
      if (!(error instanceof ApiError && error.status === 400)) throw error;
      prRefused = true;
    }
  }
  groups ??= await allPages(undefined);
  return groups.map(personaOf).filter((p): p is Persona => p !== undefined);
}

// One read per session: personas rarely change, and another session (another tenant) has others.
let cache: { readonly token: string | undefined; readonly personas: Promise<Persona[]> } | undefined;

/** Drops the kept list, after the personas page changed one. */
export function forgetPersonas(): void {
  cache = undefined;
}

export function loadPersonas(): Promise<Persona[]> {
  const token = currentToken();
  if (cache?.token !== token) {
    const personas = fetchPersonas();
    cache = { token, personas };
    personas.catch(() => {
      if (cache?.personas === personas) cache = undefined;
    });
  }
  return cache!.personas;
}

export interface PersonasState {
  readonly personas: readonly Persona[];
  readonly error?: string;
}

export function usePersonas(): PersonasState {
  const [state, setState] = useState<PersonasState>({ personas: [] });
  useEffect(() => {
    let live = true;
    loadPersonas().then(
      (personas) => live && setState({ personas }),
      (error: unknown) => live && setState({ personas: [], error: error instanceof Error ? error.message : String(error) }),
    );
    return () => void (live = false);
  }, []);
  return state;
}

/** A persona's description and permissions, as its tooltip says them. */
export function personaSummary(persona: Persona): string {
  const permissions = persona.permissions.length ? `Permissions: ${persona.permissions.join(', ')}.` : 'No permissions.';
  return persona.description ? `${persona.description} ${permissions}` : permissions;
}

export function addMember(personaId: string, userId: string): Promise<unknown> {
  return scim('PATCH', `/Groups/${encodeURIComponent(personaId)}`, {
    body: patchBody([{ op: 'add', path: 'members', value: [{ value: userId }] }]),
  });
}

export function removeMember(personaId: string, userId: string): Promise<unknown> {
  return scim('PATCH', `/Groups/${encodeURIComponent(personaId)}`, {
    body: patchBody([{ op: 'remove', path: `members[value eq ${quote(userId)}]` }]),
  });
}
