/**
 * Whether code runs in the Deno Jupyter kernel, and its display API.
 *
 * @module
 */

/** The part of `Deno.jupyter` the project uses. */
export interface JupyterDisplay {
  display(obj: unknown, options?: { raw?: boolean; display_id?: string; update?: boolean }): Promise<void>;
}

/** The Jupyter display API when running in the Deno kernel, else undefined. */
export function jupyter(): JupyterDisplay | undefined {
  // `Deno.jupyter` exists only inside the Deno Jupyter kernel; elsewhere its getter throws.
  try {
    return (Deno as unknown as { jupyter?: JupyterDisplay }).jupyter;
  } catch {
    return undefined;
  }
}
