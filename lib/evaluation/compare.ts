/**
 * Saved models side by side, from their metadata.json: how each was trained (version, loss,
 * optimizer, ratio, epochs, time, backend) and its test figures (mAP, the original's accuracy,
 * macro F1) as `deno task evaluate` stored them. The seed's "compare different settings".
 *
 * ```ts
 * import { comparisonRows } from "./compare.ts";
 * import { comparisonRowsTable } from "../plots/comparison_table.ts";
 * const rows = await comparisonRows();
 * console.log(comparisonRowsTable(rows).text());
 * ```
 *
 * @module
 */
import { optimizerOf, SAVED_MODELS_DIR } from "../config.ts";
import {
  listSavedModels,
  readMetadata,
  savedModelDir,
  type SavedModelMetadata,
  savedModelProblems,
} from "../models/saved.ts";
import { LOSS_SHORT_NAMES } from "../models/losses.ts";

/** One saved model in the comparison. */
export interface ComparisonRow {
  /** The model's folder name in the models folder (what `--model` takes). */
  name: string;
  /** What is wrong with its model files ({@linkcode savedModelProblems}); absent when they are whole. */
  problems?: string[];
  version: number;
  /** `bce` or `cce`. */
  loss: string;
  optimizer: string;
  genres: number;
  ratio: number;
  /** Training films (after `--limit`). */
  trainPosters: number;
  /** Epochs trained (fewer than asked when early stopping ended the run). */
  epochs: number;
  /** Seconds of training steps. */
  trainSeconds: number;
  backend: string;
  /** Test figures; undefined until `deno task evaluate` has run on the model. */
  testPosters?: number;
  testMeanAveragePrecision?: number;
  testOriginalAccuracy?: number;
  testMacroF1?: number;
  /** The frequency baseline's test mAP, for scale. */
  baselineMeanAveragePrecision?: number;
}

/** The comparison row of one model's metadata; `name` is its folder's (default: the metadata's). */
export function comparisonRow(metadata: SavedModelMetadata, name: string = metadata.name): ComparisonRow {
  const { model, dataset, test } = metadata;
  return {
    name,
    version: model.version,
    loss: LOSS_SHORT_NAMES[model.loss] ?? model.loss,
    optimizer: optimizerOf(model),
    genres: metadata.genres.length,
    ratio: dataset.ratio,
    trainPosters: metadata.splitCounts.train,
    epochs: metadata.history.length,
    trainSeconds: metadata.timings.trainSeconds,
    backend: metadata.backend,
    testPosters: test?.model.count,
    testMeanAveragePrecision: test?.model.meanAveragePrecision,
    testOriginalAccuracy: test?.model.originalAccuracy,
    testMacroF1: test?.model.macroF1,
    baselineMeanAveragePrecision: test?.baseline.meanAveragePrecision,
  };
}

/**
 * Rows for every saved model in `root`, named by folder: folders whose metadata.json is damaged are
 * left out and reported to `onDamaged`; models whose model files are damaged keep a row with their
 * `problems`.
 */
export async function comparisonRows(
  root = SAVED_MODELS_DIR,
  onDamaged: (name: string, error: Error) => void = () => {},
): Promise<ComparisonRow[]> {
  const rows: ComparisonRow[] = [];
  for (const name of await listSavedModels(root)) {
    let row: ComparisonRow;
    try {
      row = comparisonRow(await readMetadata(savedModelDir(name, root)), name);
    } catch (error) {
      onDamaged(name, error as Error);
      continue;
    }
    const problems = await savedModelProblems(savedModelDir(name, root));
    rows.push(problems.length ? { ...row, problems } : row);
  }
  return rows.sort((a, b) =>
    a.genres - b.genres || a.ratio - b.ratio || a.version - b.version || a.loss.localeCompare(b.loss) ||
    a.name.localeCompare(b.name)
  );
}
