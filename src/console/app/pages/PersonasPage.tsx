// Personas: each one's description and what it lets its members do, in words; add one, or change its name,
// description and permissions. The server decides what the signed-in person may grant and says why it refuses.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, scim } from '../api';
import { Dialog } from '../components/Dialog';
import { DialogForm } from '../components/DialogForm';
import { Field } from '../components/Field';
import { LoadedList } from '../components/LoadedList';
import { PageHeading } from '../components/PageHeading';
import { ActionsHeader, Table } from '../components/Table';
import { PERMISSION_WORDS, inTableOrder, inWords, permissionWords } from '../permission-words';
import { forgetPersonas, loadPersonas, type Persona } from '../personas';
import { PERSONA_EXT, patchBody } from '../scim-types';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface Draft {
  readonly displayName: string;
  readonly description: string;
  readonly permissions: ReadonlySet<string>;
}

function save(persona: Persona | undefined, draft: Draft): Promise<unknown> {
  const extension = { description: draft.description.trim(), permissions: [...draft.permissions].sort() };
  if (!persona) {
    return scim('POST', '/Groups', { body: { schemas: [GROUP_SCHEMA, PERSONA_EXT], displayName: draft.displayName.trim(), [PERSONA_EXT]: extension } });
  }
  return scim('PATCH', `/Groups/${encodeURIComponent(persona.id)}`, {
    body: patchBody([{ op: 'replace', value: { displayName: draft.displayName.trim(), [PERSONA_EXT]: extension } }]),
  });
}

function PersonaDialog({ persona, onClose, onSaved }: { persona?: Persona; onClose: () => void; onSaved: () => void }) {
  const [draft, setDraft] = useState<Draft>({
    displayName: persona?.displayName ?? '',
    description: persona?.description ?? '',
    permissions: new Set(persona?.permissions ?? []),
  });
  const [error, setError] = useState<string>();
  const [nameError, setNameError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  // Permissions the persona carries that the console has no words for stay listed, so saving keeps them.
  const known = new Set(PERMISSION_WORDS.map(([permission]) => permission));
  const choices = [...PERMISSION_WORDS, ...[...draft.permissions].filter((p) => !known.has(p)).map((p) => [p, p] as const)];

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!draft.displayName.trim()) {
      setNameError('Enter a name for the persona.');
      nameRef.current?.focus();
      return;
    }
    setNameError(undefined);
    setBusy(true);
    setError(undefined);
    try {
      await save(persona, draft);
      onSaved();
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'uniqueness' ? 'Another persona or group already has this name; choose another.' : inWords(e instanceof Error ? e.message : String(e)));
      setBusy(false);
    }
  };
  const toggle = (permission: string, checked: boolean) => {
    const permissions = new Set(draft.permissions);
    if (checked) permissions.add(permission);
    else permissions.delete(permission);
    setDraft({ ...draft, permissions });
  };

  return (
    <Dialog title={persona ? `Edit ${persona.displayName}` : 'Add a persona'} onClose={onClose} size="medium" initialFocus={nameRef}>
      <DialogForm onSubmit={submit} submitLabel={persona ? 'Save' : 'Add persona'} busy={busy} error={error} onCancel={onClose}>
        <Field label="Name" value={draft.displayName} onValue={(displayName) => setDraft({ ...draft, displayName })} required inputRef={nameRef} error={nameError} autoComplete="off" />
        <div class="field">
          <div class="field__label-row">
            <label for="persona-description" class="field__label">
              Description
            </label>
          </div>
          <textarea
            id="persona-description"
            class="input persona-form__description"
            rows={3}
            value={draft.description}
            onInput={(event) => setDraft({ ...draft, description: event.currentTarget.value })}
          />
        </div>
        <fieldset class="personas">
          <legend class="personas__legend">What its members may do</legend>
          <div class="personas__grid">
            {choices.map(([permission, words]) => (
              <div key={permission} class="check">
                <label class="check__control">
                  <input type="checkbox" checked={draft.permissions.has(permission)} onChange={(event) => toggle(permission, event.currentTarget.checked)} />
                  <span class="check__label">{words}</span>
                </label>
              </div>
            ))}
          </div>
          <p class="field__hint">You can only give permissions that you hold yourself.</p>
        </fieldset>
      </DialogForm>
    </Dialog>
  );
}

export function PersonasPage() {
  const [personas, setPersonas] = useState<readonly Persona[]>();
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<{ persona?: Persona }>();
  const [saved, setSaved] = useState<string>();

  const reload = () => {
    forgetPersonas();
    loadPersonas().then(
      (list) => setPersonas(list),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  useEffect(reload, []);

  return (
    <main id="main" class="page">
      <div class="page__header">
        <div>
          <PageHeading title="Personas">Personas</PageHeading>
          <p class="page__subtitle">A persona is a set of permissions. Give a user a persona to let them do what it allows.</p>
        </div>
        <button type="button" class="button button--primary" onClick={() => setEditing({})}>
          Add persona
        </button>
      </div>
      <section class="card" aria-labelledby="page-title">
        <LoadedList items={personas} notice={saved} loading="Loading personas…" error={error} empty="No personas yet.">
          {(items) => (
            <Table
              caption={{ id: 'personas-caption', text: 'Personas and their permissions' }}
              head={
                <>
                  <th scope="col">Persona</th>
                  <th scope="col">Description</th>
                  <th scope="col">Its members may</th>
                  <ActionsHeader />
                </>
              }
            >
              {items.map((persona) => (
                <tr key={persona.id}>
                  <td class="strong">{persona.displayName}</td>
                  <td class="wrap">{persona.description || <span class="muted">—</span>}</td>
                  <td class="wrap">
                    {persona.permissions.length === 0 ? (
                      <span class="muted">Nothing yet</span>
                    ) : (
                      <ul class="permission-list">
                        {inTableOrder(persona.permissions).map((permission) => (
                          <li key={permission} title={permission}>
                            {permissionWords(permission)}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td class="nowrap">
                    <button type="button" class="button button--secondary" onClick={() => setEditing({ persona })} aria-label={`Edit ${persona.displayName}`}>
                      Edit
                    </button>
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </LoadedList>
      </section>
      {editing && (
        <PersonaDialog
          persona={editing.persona}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setSaved(editing.persona ? `${editing.persona.displayName} saved.` : 'Persona added.');
            setEditing(undefined);
            reload();
          }}
        />
      )}
    </main>
  );
}
