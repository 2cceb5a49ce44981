// Serialises a resource whose one large list (a group's members) arrives in batches, in bounded memory.

/**
 * Yields the JSON text of `head` with `listKey` set to the concatenation of the batches, placed just before
 * `meta` as the schema orders it. An empty list leaves the attribute out (RFC 7643 §2.5: unassigned).
 */
export async function* streamWithList(
  head: Record<string, unknown>,
  listKey: string,
  batches: AsyncIterable<readonly unknown[]>,
): AsyncGenerator<string> {
  const { meta, ...rest } = head;
  const opening = JSON.stringify(rest);
  const tail = meta === undefined ? '}' : `,"meta":${JSON.stringify(meta)}}`;
  let started = false;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    const items = batch.map((item) => JSON.stringify(item)).join(',');
    if (!started) {
      started = true;
      const prefix = opening === '{}' ? '{' : `${opening.slice(0, -1)},`;
      yield `${prefix}${JSON.stringify(listKey)}:[${items}`;
    } else {
      yield `,${items}`;
    }
  }
  if (!started) {
    yield meta === undefined ? opening : `${opening === '{}' ? '{' : `${opening.slice(0, -1)},`}"meta":${JSON.stringify(meta)}}`;
    return;
  }
  yield `]${tail}`;
}
