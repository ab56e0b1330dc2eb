/**
 * Showing figures, pictures and tables from inside a notebook cell (not only as its last expression).
 *
 * @module
 */
import type { MimeBundle } from "./figure.ts";
import { jupyter as kernel, type JupyterDisplay } from "../util/jupyter.ts";

/** Anything with a notebook representation: a Figure, Picture or Table. */
export interface Displayable {
  mimeBundle(): MimeBundle | Promise<MimeBundle>;
}

/** Whether the code runs in a Jupyter notebook on the Deno kernel. */
export function inNotebook(): boolean {
  return kernel() !== undefined;
}

/**
 * Shows `item` as a cell output. With `displayId`, a later `show` with the same id replaces that
 * output in place (how the TrainingMonitor of live.ts redraws its chart). Outside a
 * notebook it does nothing. It returns nothing, so a loop of `show` calls leaves no `Out[n]` value.
 * `jupyter` is the kernel's display API (tests pass a fake).
 */
export async function show(
  item: Displayable,
  displayId?: string,
  jupyter: JupyterDisplay | undefined = kernel(),
): Promise<void> {
  if (!jupyter) return;
  const bundle = await item.mimeBundle();
  if (displayId === undefined) {
    await jupyter.display(bundle, { raw: true });
  } else {
    const update = shownIds.has(displayId);
    shownIds.add(displayId);
    await jupyter.display(bundle, { raw: true, display_id: displayId, update });
  }
}

const shownIds = new Set<string>();
