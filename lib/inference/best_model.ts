/**
 * The default model of `deno task predict` and `deno task serve`: the saved model with the best
 * validation mean average precision (chosen on validation, never on test).
 *
 * @module
 */
import { SAVED_MODELS_DIR } from "../config.ts";
import { savedValidationMap } from "../evaluation/evaluate.ts";
import { listSavedModels, readMetadata, SavedModelError, type SavedModelMetadata } from "../models/saved.ts";
import { join } from "node:path";

/** Which model was chosen and why, for the first line of the output. */
export interface ModelChoice {
  name: string;
  /** Its validation mAP, when its history has one. */
  validationMap?: number;
  /** How many saved models were compared (1 when asked for by name). */
  compared: number;
}

/**
 * `name` when given; otherwise the complete saved model with the highest validation mAP (models
 * without a history rank last; damaged folders are left out). Throws when there is none.
 */
export async function chooseModel(name: string | undefined, root = SAVED_MODELS_DIR): Promise<ModelChoice> {
  if (name !== undefined) {
    const metadata = await readMetadata(join(root, name)).catch(() => undefined);
    return { name, validationMap: metadata && savedValidationMap(metadata), compared: 1 };
  }
  const names = await listSavedModels(root);
  let best: ModelChoice | undefined;
  let compared = 0;
  for (const each of names) {
    let metadata: SavedModelMetadata;
    try {
      metadata = await readMetadata(join(root, each));
    } catch (error) {
      if (error instanceof SavedModelError) continue;
      throw error;
    }
    compared++;
    const map = savedValidationMap(metadata);
    if (!best || (map ?? -1) > (best.validationMap ?? -1)) {
      best = { name: each, validationMap: map, compared: 0 };
    }
  }
  if (!best) {
    throw new SavedModelError(
      `No saved model in ${root}: train one first (deno task train), or name one with --model.`,
    );
  }
  return { ...best, compared };
}

/** `genres7_ratio30_v1_e2_1977-2017_bce (best validation mAP 0.312 of 3 saved models)`. */
export function describeChoice(choice: ModelChoice): string {
  const map = choice.validationMap !== undefined ? `validation mAP ${choice.validationMap.toFixed(3)}` : "";
  if (choice.compared <= 1) return map ? `${choice.name} (${map})` : choice.name;
  return `${choice.name} (best ${
    map || "model"
  } of ${choice.compared} saved models; --model NAME picks another)`;
}
