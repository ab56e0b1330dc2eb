/**
 * The default model of `deno task predict` and `deno task serve`: the saved model with the best
 * validation mean average precision (chosen on validation, never on test).
 *
 * @module
 */
import { SAVED_MODELS_DIR } from "../config.ts";
import { savedValidationMap } from "../evaluation/evaluate.ts";
import {
  listSavedModels,
  readMetadata,
  SavedModelError,
  type SavedModelMetadata,
  savedModelProblems,
} from "../models/saved.ts";
import { join } from "node:path";

/** Which model was chosen and why, for the first line of the output. */
export interface ModelChoice {
  name: string;
  /** Its validation mAP, when its history has one. */
  validationMap?: number;
  /** How many saved models were compared (1 when asked for by name). */
  compared: number;
  /** Saved models left out because they are damaged, each with what is wrong (see `skippedLines`). */
  skipped: { name: string; problem: string }[];
}

/**
 * `name` when given; otherwise the complete saved model with the highest validation mAP (models
 * without a history rank last; damaged folders, by their metadata.json or {@linkcode savedModelProblems},
 * are left out and named in `skipped`). Throws when there is none.
 */
export async function chooseModel(name: string | undefined, root = SAVED_MODELS_DIR): Promise<ModelChoice> {
  if (name !== undefined) {
    const metadata = await readMetadata(join(root, name)).catch(() => undefined);
    return { name, validationMap: metadata && savedValidationMap(metadata), compared: 1, skipped: [] };
  }
  const names = await listSavedModels(root);
  let best: { name: string; validationMap?: number } | undefined;
  let compared = 0;
  const skipped: ModelChoice["skipped"] = [];
  for (const each of names) {
    let metadata: SavedModelMetadata;
    try {
      metadata = await readMetadata(join(root, each));
    } catch (error) {
      if (!(error instanceof SavedModelError)) throw error;
      skipped.push({ name: each, problem: error.message });
      continue;
    }
    const problems = await savedModelProblems(join(root, each));
    if (problems.length) {
      skipped.push({ name: each, problem: problems.join("; ") });
      continue;
    }
    compared++;
    const map = savedValidationMap(metadata);
    if (!best || (map ?? -1) > (best.validationMap ?? -1)) best = { name: each, validationMap: map };
  }
  if (!best) {
    throw new SavedModelError(
      `No ${skipped.length ? "usable " : ""}saved model in ${root}` +
        (skipped.length ? ` (damaged: ${skipped.map((s) => `${s.name}: ${s.problem}`).join("; ")})` : "") +
        `: train one first (deno task train), or name one with --model.`,
    );
  }
  return { ...best, compared, skipped };
}

/** One line per damaged model the choice left out: `skipped damaged model NAME: PROBLEM`. */
export function skippedLines(choice: ModelChoice): string[] {
  return choice.skipped.map((s) => `skipped damaged model ${s.name}: ${s.problem}`);
}

/** `genres7_ratio30_v1_e2_1977-2017_bce (best validation mAP 0.312 of 3 saved models)`. */
export function describeChoice(choice: ModelChoice): string {
  const map = choice.validationMap !== undefined ? `validation mAP ${choice.validationMap.toFixed(3)}` : "";
  if (choice.compared <= 1) return map ? `${choice.name} (${map})` : choice.name;
  return `${choice.name} (best ${
    map || "model"
  } of ${choice.compared} saved models; --model NAME picks another)`;
}
