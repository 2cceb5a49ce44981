// Plain-text lines for the terminal: one per case, and for a failure what was sent, expected and received, trimmed.
import type { ConformanceCase } from './case-file.js';
import type { CaseResult, StepFailure } from './execute.js';

const EXPECTED_LIMIT = 400;
const BODY_LIMIT = 800;

export function trim(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters)`;
}

function show(value: unknown, limit: number): string {
  if (value === undefined) return '(nothing)';
  return trim(typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value), limit);
}

function failureLines(failure: StepFailure): string[] {
  const step = failure.stepName ? `step ${failure.step} (${failure.stepName})` : `step ${failure.step}`;
  const lines = [`    ${step}: ${failure.request}`, `    ${failure.reason}`];
  if ('expected' in failure) lines.push(`    expected: ${show(failure.expected, EXPECTED_LIMIT)}`);
  if ('got' in failure) lines.push(`    got:      ${show(failure.got, EXPECTED_LIMIT)}`);
  if (failure.response) {
    const body = failure.response.text.trim() === '' ? '(empty body)' : trim(failure.response.text.replace(/\s*\n\s*/g, ' '), BODY_LIMIT);
    lines.push(`    response: ${failure.response.status} ${body}`);
  }
  return lines;
}

export function resultLines(testCase: Pick<ConformanceCase, 'id' | 'name'>, result: CaseResult): string[] {
  switch (result.outcome) {
    case 'passed':
      return [`ok    ${testCase.id}  ${testCase.name}`];
    case 'skipped':
      return [`skip  ${testCase.id}  ${testCase.name}`, `    ${result.reason}`];
    case 'failed':
      return [`FAIL  ${testCase.id}  ${testCase.name}`, ...failureLines(result.failure)];
  }
}

export function summaryLine(counts: { passed: number; failed: number; skipped: number }): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}
