// Bulk ordering (RFC 7644 §3.7, §3.7.1): dependencies first, otherwise request order; circular references found and named.
import { describe, expect, it } from 'vitest';
import { cycleOf, scheduleOperations } from '../../../src/scim/bulk/order.js';

const order = (dependsOn: number[][]) => scheduleOperations(dependsOn).map((step) => (step.circular ? step.indices : step.indices[0]));

describe('scheduleOperations', () => {
  it('keeps request order when nothing references anything', () => {
    expect(order([[], [], []])).toEqual([0, 1, 2]);
  });

  it('runs a POST before an earlier operation that references it, and nothing else moves', () => {
    // 0: group with member bulkId:user (defined by 2); 1: unrelated; 2: the user.
    expect(order([[2], [], []])).toEqual([2, 0, 1]);
  });

  it('follows chains of references, transitively', () => {
    expect(order([[1], [2], [3], []])).toEqual([3, 2, 1, 0]);
  });

  it('groups circular references into one step, ordered by index', () => {
    const steps = scheduleOperations([[1], [0], [], [3]]);
    expect(steps).toEqual([
      { indices: [0, 1], circular: true },
      { indices: [2], circular: false },
      { indices: [3], circular: true },
    ]);
  });

  it('runs what a cycle depends on before the cycle, and what depends on the cycle after it', () => {
    // 0 -> 1 -> 2 -> 1, 1 -> 3
    expect(order([[1], [2, 3], [1], []])).toEqual([3, [1, 2], 0]);
  });

  it('handles a chain of 20,000 references without recursion', () => {
    const count = 20_000;
    const dependsOn = Array.from({ length: count }, (_, i) => (i + 1 < count ? [i + 1] : []));
    const steps = scheduleOperations(dependsOn);
    expect(steps).toHaveLength(count);
    expect(steps[0]!.indices).toEqual([count - 1]);
    expect(steps[count - 1]!.indices).toEqual([0]);
  });
});

describe('cycleOf', () => {
  it('names the shortest way back to the first operation', () => {
    const dependsOn = [[2], [0], [1, 3], [0]];
    const [step] = scheduleOperations(dependsOn);
    expect(step!.indices).toEqual([0, 1, 2, 3]);
    expect(cycleOf(dependsOn, step!)).toEqual([0, 2, 1, 0]);
  });

  it('names a self-reference', () => {
    const dependsOn = [[0]];
    expect(cycleOf(dependsOn, scheduleOperations(dependsOn)[0]!)).toEqual([0, 0]);
  });
});
