// Plans of the SQL a list request really runs: the Users service's own list runner over a store that records each statement.
import type { RequestContext } from '../resources/context.js';
import type { Deps } from '../resources/context.js';
import { createUsersService } from '../resources/users/service.js';
import { parseListParams, type RawListParams } from '../scim/list.js';
import type { QueryOptions, Row, Store } from '../store/index.js';
import { explainAnalyzeJson, explainGenericJson, explainText, planNodes, tableRows, type PlanNode } from './queries.js';

/**
 * A table this big may not be read whole to answer a request. Smaller ones (the groups of a 10,000-user tenant, an
 * empty group_subgroups) are cheaper to scan than to probe, and the planner is right to scan them.
 */
export const LARGE_TABLE_ROWS = 10_000;

export interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
}

export interface StatementPlan {
  /** What the statement does for the list: count, page, or groups (rendering the page's users' groups). */
  readonly role: string;
  readonly text: string;
  readonly plan: string[];
  /** The plan nodes that touch tables, one line each, for the custom and the generic plan. */
  readonly custom: string[];
  readonly generic: string[];
  /** "Seq Scan on users of 1010000 rows (generic plan)" and the like, for tables of LARGE_TABLE_ROWS or more. */
  readonly seqScans: string[];
  /** Table rows the custom plan read (returned or filtered out), and its execution time: what an index does not show. */
  readonly rowsRead: number;
  readonly ms: number;
}

/** A store whose queries are recorded before they run; transactions are not expected in a list. */
function recording(store: Store, statements: Statement[]): Store {
  return {
    kind: store.kind,
    query<T extends Row>(text: string, params: readonly unknown[] = [], options?: QueryOptions) {
      statements.push({ text, params });
      return store.query<T>(text, params, options);
    },
    transaction: (fn) => store.transaction(fn),
    close: () => store.close(),
  };
}

function roleOf(text: string): string {
  if (/^\s*select count\(\*\)/i.test(text)) return 'count';
  if (/as sort_key/i.test(text)) return 'page';
  if (/with recursive closure/i.test(text)) return 'groups';
  return 'other';
}

function describe(node: PlanNode): string {
  const index = node['Index Name'] ? ` using ${node['Index Name']}` : '';
  return `${node['Node Type']}${index} on ${node['Relation Name']}`;
}

function tableNodes(plan: PlanNode): string[] {
  return planNodes(plan)
    .filter((node) => node['Relation Name'] !== undefined)
    .map(describe);
}

/** Rows the scans of tables produced or threw away, over all their loops. */
function rowsReadBy(plan: PlanNode): number {
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  // PostgreSQL 18 (PGlite) gives the rows per loop with two decimals, an average: the product is rounded.
  return Math.round(
    planNodes(plan)
      .filter((node) => node['Relation Name'] !== undefined)
      .reduce((sum, node) => sum + (n(node['Actual Rows']) + n(node['Rows Removed by Filter']) + n(node['Rows Removed by Index Recheck'])) * Math.max(1, n(node['Actual Loops'])), 0),
  );
}

function seqScansOf(plan: PlanNode, which: string, sizes: ReadonlyMap<string, number>): string[] {
  return planNodes(plan)
    .filter((node) => node['Node Type'] === 'Seq Scan' && (sizes.get(node['Relation Name'] ?? '') ?? 0) >= LARGE_TABLE_ROWS)
    .map((node) => `Seq Scan on ${node['Relation Name']} of ${sizes.get(node['Relation Name'] ?? '')} rows (${which} plan)`);
}

/**
 * Runs the list request (without its total when `omitTotal`, as `Prefer: totalResults=omit` asks) through the Users
 * service on a recording store, then explains every statement it ran:
 * the custom plan (parameters bound) and the generic plan (the one a prepared statement may switch to).
 */
export async function explainListRequest(deps: Deps, tenantId: string, raw: RawListParams, omitTotal = false): Promise<StatementPlan[]> {
  const statements: Statement[] = [];
  const service = createUsersService({ ...deps, store: recording(deps.store, statements) });
  const ctx: RequestContext = { tenantId, actor: { kind: 'token', id: 'bench', label: 'bench' }, requestId: 'bench-explain' };
  await service.list(ctx, { ...parseListParams(raw, deps.maxResults), omitTotal });
  const plans: StatementPlan[] = [];
  for (const { text, params } of statements) {
    const { plan: custom, ms } = await explainAnalyzeJson(deps.store, text, params);
    const generic = await deps.store.transaction((tx) => explainGenericJson(tx, text, params));
    const scanned = [custom, generic].flatMap(planNodes).filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'] ?? '');
    const sizes = await tableRows(deps.store, [...new Set(scanned)]);
    plans.push({
      role: roleOf(text),
      text,
      plan: await explainText(deps.store, text, params),
      custom: tableNodes(custom),
      generic: tableNodes(generic),
      seqScans: [...seqScansOf(custom, 'custom', sizes), ...seqScansOf(generic, 'generic', sizes)],
      rowsRead: rowsReadBy(custom),
      ms,
    });
  }
  return plans;
}
