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
import { pathExists } from "../util/files.ts";

/** Which model was chosen and why, for the first line of the output. */
export interface ModelChoice {
  name: string;
  /** The folder that holds it (`root` or the shipped models' folder). */
  root: string;
  /** It is a model that came with posterlab (see SHIPPED_MODELS_DIR). */
  shipped: boolean;
  /** Its validation mAP, when its history has one. */
  validationMap?: number;
  /** How many saved models were compared (1 when asked for by name). */
  compared: number;
  /** Saved models left out because they are damaged, each with what is wrong (see `skippedLines`). */
  skipped: { name: string; problem: string }[];
}

/** Where chooseModel looks besides `root`. */
export interface ChooseOptions {
  /** A folder of models that came with posterlab (lib/config.ts SHIPPED_MODELS_DIR), ranked with the rest. */
  shipped?: string;
}

/**
 * `name` when given (looked up in `root`, then among the shipped models); otherwise the complete
 * model with the highest validation mAP in `root` and the shipped folder (models without a history
 * rank last; damaged folders, by their metadata.json or {@linkcode savedModelProblems}, are left out
 * and named in `skipped`). Throws when there is none.
 */
export async function chooseModel(
  name: string | undefined,
  root = SAVED_MODELS_DIR,
  options: ChooseOptions = {},
): Promise<ModelChoice> {
  const roots = [root, ...(options.shipped && options.shipped !== root ? [options.shipped] : [])];
  const isShipped = (folder: string) => folder !== root;
  if (name !== undefined) {
    const folder = (await firstHolding(roots, name)) ?? root;
    const metadata = await readMetadata(join(folder, name)).catch(() => undefined);
    return {
      name,
      root: folder,
      shipped: isShipped(folder),
      validationMap: metadata && savedValidationMap(metadata),
      compared: 1,
      skipped: [],
    };
  }
  let best: { name: string; root: string; validationMap?: number } | undefined;
  let compared = 0;
  const skipped: ModelChoice["skipped"] = [];
  for (const folder of roots) {
    for (const each of await listSavedModels(folder)) {
      let metadata: SavedModelMetadata;
      try {
        metadata = await readMetadata(join(folder, each));
      } catch (error) {
        if (!(error instanceof SavedModelError)) throw error;
        skipped.push({ name: each, problem: error.message });
        continue;
      }
      const problems = await savedModelProblems(join(folder, each));
      if (problems.length) {
        skipped.push({ name: each, problem: problems.join("; ") });
        continue;
      }
      compared++;
      const map = savedValidationMap(metadata);
      if (!best || (map ?? -1) > (best.validationMap ?? -1)) {
        best = { name: each, root: folder, validationMap: map };
      }
    }
  }
  if (!best) {
    throw new SavedModelError(
      `No ${skipped.length ? "usable " : ""}saved model in ${roots.join(" or ")}` +
        (skipped.length ? ` (damaged: ${skipped.map((s) => `${s.name}: ${s.problem}`).join("; ")})` : "") +
        `: train one first (deno task train), or name one with --model.`,
    );
  }
  return { ...best, shipped: isShipped(best.root), compared, skipped };
}

/** The first of `roots` that holds a folder `name`. */
async function firstHolding(roots: readonly string[], name: string): Promise<string | undefined> {
  for (const folder of roots) {
    if (await pathExists(join(folder, name))) return folder;
  }
  return undefined;
}

/** One line per damaged model the choice left out: `skipped damaged model NAME: PROBLEM`. */
export function skippedLines(choice: ModelChoice): string[] {
  return choice.skipped.map((s) => `skipped damaged model ${s.name}: ${s.problem}`);
}

/** `genres7_ratio30_v1_e2_1977-2017_bce (best validation mAP 0.312 of 3 saved models)`. */
export function describeChoice(choice: ModelChoice): string {
  const map = choice.validationMap !== undefined ? `validation mAP ${choice.validationMap.toFixed(3)}` : "";
  const name = choice.shipped ? `${choice.name} [shipped with posterlab]` : choice.name;
  if (choice.compared <= 1) return map ? `${name} (${map})` : name;
  return `${name} (best ${map || "model"} of ${choice.compared} saved models; --model NAME picks another)`;
}
