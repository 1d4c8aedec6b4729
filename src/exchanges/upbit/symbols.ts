/** Upbit codes (`KRW-BTC`, quote first) ↔ unified symbols (`BTC/KRW`). */

/** `KRW-BTC` → `{ base: 'BTC', quote: 'KRW' }`; undefined for a code without a dash. */
export function splitUpbitCode(code: string): { base: string; quote: string } | undefined {
  const dash = code.indexOf('-');
  if (dash <= 0 || dash === code.length - 1) return undefined;
  return { quote: code.slice(0, dash).toUpperCase(), base: code.slice(dash + 1).toUpperCase() };
}

/** Unified symbol for a code; a code we cannot split stays as it is (the pipeline's validation decides). */
export function upbitSymbol(code: string): string {
  const parts = splitUpbitCode(code);
  return parts === undefined ? code : `${parts.base}/${parts.quote}`;
}
