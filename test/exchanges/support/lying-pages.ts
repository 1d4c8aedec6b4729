/**
 * A RestClient wrapper whose trade-history pages lie the way the simulator's `rest-partial` and
 * `rest-empty` faults make them lie: a page holds only its first `n` rows (in the venue's own order)
 * or none at all, although the exchange has more. One planned lie per trade-page call, in order;
 * once the plan runs out every page is honest again (the "page that heals on retry").
 */
import type { RestClient, RestResponse } from '../../../src/exchanges/types.js';

/** `n`: keep the first n rows; 'empty': no rows; 'honest': leave the page alone */
export type PageLie = number | 'empty' | 'honest';

function rowsOf(body: unknown): { rows: unknown[]; set(rows: unknown[]): unknown } | undefined {
  if (Array.isArray(body)) return { rows: body, set: (rows) => rows };
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { data?: unknown; result?: { list?: unknown } };
  if (Array.isArray(b.data)) return { rows: b.data, set: (rows) => ({ ...b, data: rows }) };
  const result = b.result;
  if (result !== undefined && Array.isArray(result.list)) return { rows: result.list, set: (rows) => ({ ...b, result: { ...result, list: rows } }) };
  return undefined;
}

/** `isTradePage` picks which calls are trade pages (default: the path names trades). */
export function lyingPages(
  http: RestClient,
  plan: PageLie[],
  isTradePage: (url: URL) => boolean = (u) => /trade/i.test(u.pathname),
): { http: RestClient; lies: () => number } {
  const queue = [...plan];
  let told = 0;
  const wrapped: RestClient = async (url) => {
    const response = await http(url);
    if (!isTradePage(new URL(url)) || queue.length === 0) return response;
    const lie = queue.shift() as PageLie;
    const page = rowsOf(response.body);
    if (lie === 'honest' || page === undefined || response.status !== 200) return response;
    told++;
    const kept = lie === 'empty' ? [] : page.rows.slice(0, lie);
    const out: RestResponse = { ...response, body: page.set(kept) };
    return out;
  };
  return { http: wrapped, lies: () => told };
}
