/**
 * The original's named titles as printed lines: the found ones in the original's format under the
 * genre it listed them for, then one summary line for those the data lacks.
 *
 * ```ts
 * import { DEFAULT_DATASET } from "../config.ts";
 * import { loadCatalog } from "../dataset/catalog.ts";
 * import type { SavedGenreModel } from "../models/saved.ts";
 * import { namedTitleLines } from "./named_lines.ts";
 * import { predictNamedTitles } from "./prediction_lines.ts";
 * declare const saved: SavedGenreModel;
 * const catalog = await loadCatalog(DEFAULT_DATASET.dataDir);
 * const named = await predictNamedTitles(saved, catalog, DEFAULT_DATASET);
 * for (const line of namedTitleLines(named)) console.log(line);
 * ```
 *
 * @module
 */
import type { NamedPrediction } from "./prediction_lines.ts";

/** Missing titles named in the summary line before "and N more". */
const MISSING_SHOWN = 8;

/** Lines for {@linkcode NamedPrediction}s (see the module doc). */
export function namedTitleLines(named: readonly NamedPrediction[]): string[] {
  const lines: string[] = [];
  let section = "";
  for (const p of named) {
    if (!p.line) continue;
    if (p.expected !== section) lines.push(` -- ${(section = p.expected)} -- `);
    lines.push(`${p.line}  (${p.split})`);
  }
  const missing = named.filter((p) => !p.line);
  if (missing.length) {
    const shown = missing.slice(0, MISSING_SHOWN).map((p) => p.title).join(", ");
    const more = missing.length > MISSING_SHOWN ? ` and ${missing.length - MISSING_SHOWN} more` : "";
    lines.push(`not in this data (${missing.length} of ${named.length} named titles): ${shown}${more}`);
  }
  return lines;
}
