/**
 * The outside programs the report pipeline needs (Python with nbclient and nbconvert, Chromium), how
 * to find them, and the one install command to print when one is missing.
 *
 * @module
 */

/** Debian packages for executing and exporting notebooks (Debian 12: nbconvert 6.5.3, nbclient 0.7.2). */
export const REPORT_APT_PACKAGES = ["jupyter-nbconvert", "jupyter-client", "python3-nbclient", "chromium"];

/** The command that installs {@linkcode REPORT_APT_PACKAGES}. */
export const REPORT_APT_COMMAND = `sudo apt-get install -y --no-install-recommends ${
  REPORT_APT_PACKAGES.join(" ")
}`;

/** Thrown when a program the pipeline needs is not installed; the message says how to install it. */
export class MissingToolError extends Error {
  override name = "MissingToolError";
}

/** Runs a command quietly; true when it exits 0. A missing program counts as failure. */
async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    const { code } = await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output();
    return code === 0;
  } catch {
    return false;
  }
}

let python: string | undefined;

/**
 * A Python that imports nbclient and nbconvert. `POSTERLAB_PYTHON` wins; then Debian's
 * `/usr/bin/python3` (where apt installs them, even when a pyenv `python3` comes first on PATH);
 * then `python3`.
 */
export async function findPython(): Promise<string> {
  if (python) return python;
  const candidates = [Deno.env.get("POSTERLAB_PYTHON"), "/usr/bin/python3", "python3"].filter(
    (c): c is string => !!c,
  );
  for (const candidate of candidates) {
    if (await succeeds(candidate, ["-c", "import nbclient, nbconvert, jupyter_client"])) {
      return (python = candidate);
    }
  }
  throw new MissingToolError(
    `No Python with nbclient and nbconvert found (tried ${candidates.join(", ")}). Install them:\n  ` +
      `${REPORT_APT_COMMAND}\nor set POSTERLAB_PYTHON to a python3 that has them (pip install nbclient nbconvert).`,
  );
}

/** The Chromium (or Chrome) binary for PDF export: `POSTERLAB_CHROMIUM`, then the usual names. */
export async function findChromium(): Promise<string> {
  const candidates = [
    Deno.env.get("POSTERLAB_CHROMIUM"),
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
  ].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    if (await succeeds(candidate, ["--version"])) return candidate;
  }
  throw new MissingToolError(
    `No Chromium found for the PDF export (tried ${candidates.join(", ")}). Install it:\n  ` +
      `sudo apt-get install -y --no-install-recommends chromium\nor set POSTERLAB_CHROMIUM to a Chrome binary.`,
  );
}

/** Whether the Deno Jupyter kernel is registered (a `deno` kernelspec that `jupyter` can see). */
export async function hasDenoKernel(pythonPath: string): Promise<boolean> {
  return await succeeds(pythonPath, [
    "-c",
    "import sys, jupyter_client.kernelspec as k; sys.exit(0 if 'deno' in k.find_kernel_specs() else 1)",
  ]);
}
