/**
 * `deno task check`: `deno check --doc` (doc examples included) and `deno lint` over lib/ cli/ bench/
 * tests/ and the code cells of
 * notebooks/*.ipynb, then `deno fmt --check`, then the import layers of lib/ (lib/check/layers.ts).
 * Exits 1 when any fails.
 *
 * Notebooks are format-checked by formatting a copy and comparing bytes: Deno 2.9's `fmt --check`
 * reports a formatted .ipynb as unformatted (with an empty diff) unless its own cache says otherwise,
 * so on a fresh clone it fails on notebooks that `deno fmt` leaves unchanged.
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { runCli } from "../lib/cli_args.ts";
import { extractNotebook, mapLocations, removeExtracted } from "../lib/check/notebook_cells.ts";
import { listNotebooks } from "../lib/report/build.ts";
import { checkLayers, LAYERS } from "../lib/check/layers.ts";

const SOURCE_DIRS = ["lib", "cli", "bench", "tests"];
// Browser code (the page of `deno task serve`) needs the DOM's types, which clash with Deno's in one
// program: it is type-checked on its own.
const BROWSER_DIRS = ["lib/serve/page"];

/** The .ts files under `dirs`, leaving out the browser folders. */
function denoSources(dirs: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    if (BROWSER_DIRS.includes(dir)) return;
    for (const entry of Deno.readDirSync(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) walk(path);
      else if (/\.(ts|tsx|mts)$/.test(entry.name)) files.push(path);
    }
  };
  dirs.forEach(walk);
  return files.sort();
}
// --ignore replaces deno.json's fmt.exclude, so it is read from there, plus the notebooks (checked apart).
const FMT_IGNORED = [
  "notebooks",
  ...(JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))) as {
    fmt: { exclude: string[] };
  }).fmt.exclude,
];

/** Runs `deno <args>`, printing its output with notebook locations translated; true when it passes. */
async function deno(args: string[], translate: (text: string) => string): Promise<boolean> {
  const shown = args.length > 12 ? [...args.slice(0, 4), `... (${args.length - 4} more)`] : args;
  console.error(`$ deno ${shown.join(" ")}`);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = translate(new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr)).trim();
  if (text) console.error(text);
  return code === 0;
}

/** Whether `deno fmt` leaves each notebook unchanged; names the ones it would change. */
async function notebooksFormatted(paths: string[]): Promise<boolean> {
  console.error(`$ deno fmt (copies of ${paths.length} notebooks, compared)`);
  const dir = await Deno.makeTempDir({ prefix: "posterlab-fmt-" });
  let ok = true;
  try {
    for (const path of paths) {
      const copy = join(dir, basename(path));
      await Deno.copyFile(path, copy);
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: ["fmt", "--quiet", "--config", "deno.json", copy],
        stdout: "null",
        stderr: "null",
      }).output();
      const same = code === 0 && (await Deno.readTextFile(copy)) === (await Deno.readTextFile(path));
      if (!same) console.error(`not formatted: ${path} (run deno fmt ${path})`);
      ok &&= same;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return ok;
}

await runCli("Type-check, lint and format-check the code and the notebooks.", {}, async () => {
  const dirs = SOURCE_DIRS.filter((d) => existsSync(d));
  const notebooks = existsSync("notebooks") ? await listNotebooks("notebooks") : [];
  const extracted = await Promise.all(notebooks.map(extractNotebook));
  const translate = (text: string) => mapLocations(text, extracted);
  const files = extracted.map((e) => e.file);
  const results: [string, boolean][] = [];
  try {
    // --doc: the code blocks of JSDoc comments (@example) are type-checked too.
    results.push([
      "deno check --doc",
      await deno(["check", "--quiet", "--doc", ...denoSources(dirs), ...files], translate),
    ]);
    const browser = BROWSER_DIRS.filter((d) => existsSync(d));
    if (browser.length) {
      results.push(["deno check (browser code)", await deno(["check", ...browser], translate)]);
    }
    results.push(["deno lint", await deno(["lint", ...dirs, ...files], translate)]);
  } finally {
    await removeExtracted(extracted);
  }
  results.push([
    "deno fmt --check",
    await deno(["fmt", "--check", `--ignore=${FMT_IGNORED.join(",")}`], translate),
  ]);
  results.push(["notebooks formatted", await notebooksFormatted(notebooks)]);
  console.error(`$ import layers of lib/ (${LAYERS.join(" → ")})`);
  const violations = await checkLayers();
  for (const violation of violations) console.error(violation);
  results.push(["import layers", violations.length === 0]);
  console.log("");
  for (const [name, ok] of results) console.log(`${ok ? "ok    " : "FAILED"} ${name}`);
  console.log(`(${dirs.join("/ ")}/ and ${notebooks.length} notebooks)`);
  if (results.some(([, ok]) => !ok)) Deno.exit(1);
});
