// The order a bulk request runs in (RFC 7644 §3.7, §3.7.1): every operation after the POSTs whose bulkIds it uses, otherwise in request order, with circular references grouped.

export interface BulkStep {
  /** Indexes of the operations this step runs, ascending. */
  readonly indices: readonly number[];
  /** True when these operations reference one another (or one references itself): they must run together. */
  readonly circular: boolean;
}

/**
 * Orders operations given, for each, the indexes of the operations it depends on. The steps are the strongly
 * connected components of that graph (Tarjan), emitted dependencies first; taking the roots in request order makes
 * the result request order wherever no reference asks otherwise. Iterative, so a chain of 1,000 references cannot
 * exhaust the stack; linear in operations plus references.
 */
export function scheduleOperations(dependsOn: readonly (readonly number[])[]): BulkStep[] {
  const count = dependsOn.length;
  const order = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const steps: BulkStep[] = [];
  let visited = 0;

  const enter = (node: number, frames: { node: number; edge: number }[]) => {
    order[node] = low[node] = visited++;
    stack.push(node);
    onStack[node] = 1;
    frames.push({ node, edge: 0 });
  };

  for (let root = 0; root < count; root++) {
    if (order[root] !== -1) continue;
    const frames: { node: number; edge: number }[] = [];
    enter(root, frames);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const edges = dependsOn[frame.node]!;
      if (frame.edge < edges.length) {
        const next = edges[frame.edge++]!;
        if (order[next] === -1) enter(next, frames);
        else if (onStack[next] === 1) low[frame.node] = Math.min(low[frame.node]!, order[next]!);
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!);
      if (low[frame.node] !== order[frame.node]) continue;
      const members: number[] = [];
      let member: number;
      do {
        member = stack.pop()!;
        onStack[member] = 0;
        members.push(member);
      } while (member !== frame.node);
      members.sort((a, b) => a - b);
      steps.push({ indices: members, circular: members.length > 1 || edges.includes(frame.node) });
    }
  }
  return steps;
}

/**
 * One cycle through a circular step, for error details: a path of operation indexes from the step's first operation
 * back to it (breadth-first, so the shortest), e.g. [0, 3, 0]. Each operation in the path depends on the next.
 */
export function cycleOf(dependsOn: readonly (readonly number[])[], step: BulkStep): number[] {
  const start = step.indices[0]!;
  const inStep = new Set(step.indices);
  const cameFrom = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const next of dependsOn[node]!) {
      if (!inStep.has(next)) continue;
      if (next === start) {
        const back: number[] = [];
        for (let at = node; at !== start; at = cameFrom.get(at)!) back.push(at);
        return [start, ...back.reverse(), start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}
