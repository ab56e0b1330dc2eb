/**
 * The layers of lib/ and the check that keeps imports running one way (part of `deno task check`).
 *
 * Every top-level entry of lib/ (a folder, or a file such as config.ts) belongs to one layer; a file may
 * import files of its own layer and of the layers before it, never of a later one. So no two folders
 * import each other, directly or around a longer circle. lib/ never imports cli/, bench/, tests/ or
 * notebooks/, which sit above all of it.
 *
 * Imports are read from Deno's own module graph (`deno info --json`), so type-only and dynamic imports
 * count and comments don't.
 *
 * @example The order, lowest first
 * ```ts
 * import { LAYERS } from "./layers.ts";
 * console.log(LAYERS.join(" → ")); // config → util → backend → images → dataset → ...
 * ```
 *
 * @module
 */
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { pathExists } from "../util/files.ts";

/**
 * lib/'s layers, lowest first. Why each sits where it does:
 * - config: every default and the genre groups; imports nothing of lib/.
 * - util: general helpers with no domain (atomic files and folders, bounded concurrency, seeded
 *   randomness, Jupyter detection, progress bars).
 * - backend: choosing the TensorFlow.js backend and the kernels it registers; used by everything that runs
 *   tensors, needs nothing above util.
 * - images: decoding and resizing with sharp.
 * - dataset: the CSV, splits, import, download, resize, cache and loading.
 * - models: the networks, losses and the saved-model format with its record types.
 * - evaluation: metrics and predictions (training measures validation with them).
 * - training: the model-agnostic loop (run folder, resume, batches, checkpoints, stopping, progress),
 *   its optimizers and learning-rate schedules.
 * - genre: the genre CNN as a task of that loop (validation, best epoch, early stopping), its recipe
 *   and the transfer-learning experiment.
 * - gan: the DCGAN as a task of that loop: its data, grids, weight average, video and quality.
 * - inference: the genre model on any poster (files, folders, URLs), the best saved model, Grad-CAM
 *   maps and their overlays, neurons per genre; its Grad-CAM also runs in the page of serve.
 * - plots: figures and the data they show (exploration, diagnostics, tables), notebook display.
 * - report: executing notebooks and exporting them.
 * - serve: the local page of `deno task serve` (server, browser code, headless-Chromium driver).
 * - check: this check and the notebook-cell extraction of `deno task check`.
 * - cli_args: the flags of every command, just below cli/.
 */
export const LAYERS: readonly string[] = [
  "config",
  "util",
  "backend",
  "images",
  "dataset",
  "models",
  "evaluation",
  "training",
  "genre",
  "gan",
  "inference",
  "plots",
  "report",
  "serve",
  "check",
  "cli_args",
];

/** Folders of the project that sit above lib/: lib/ may not import them. */
export const ABOVE_LIB: readonly string[] = ["cli", "bench", "tests", "notebooks"];

/** One import between two files of the project, paths relative to the project root. */
export interface ImportEdge {
  from: string;
  to: string;
  /** 1-based line of the import in `from`. */
  line: number;
}

/**
 * The layer of a project file: its top-level entry under `lib/` (`lib/models/cnn.ts` → `models`,
 * `lib/config.ts` → `config`), `"above lib"` for cli/, bench/, tests/ and notebooks/, or undefined
 * for anything else.
 */
export function unitOf(path: string): string | undefined {
  const parts = path.split(/[\\/]/);
  if (parts[0] === "lib" && parts.length >= 2) {
    return parts.length === 2 ? parts[1].replace(/\.ts$/, "") : parts[1];
  }
  if (ABOVE_LIB.includes(parts[0])) return "above lib";
  return undefined;
}

/**
 * The imports that run against `layers`, one message per import naming both files. Imports within a
 * layer, and from files outside lib/, are not checked.
 *
 * @example
 * ```ts
 * import { layerViolations } from "./layers.ts";
 * const problems = layerViolations([
 *   { from: "lib/models/saved.ts", to: "lib/genre/history.ts", line: 20 },
 * ]);
 * console.log(problems[0]); // lib/models/saved.ts:20 imports lib/genre/history.ts: models ...
 * ```
 */
export function layerViolations(edges: readonly ImportEdge[], layers: readonly string[] = LAYERS): string[] {
  const order = `lib/'s layers, lowest first: ${layers.join(" → ")}`;
  const problems: string[] = [];
  const unplaced = new Set<string>();
  for (const { from, to, line } of edges) {
    const source = unitOf(from);
    if (source === undefined || source === "above lib") continue;
    const target = unitOf(to);
    if (target === undefined) continue;
    const where = `${from}:${line} imports ${to}`;
    if (!layers.includes(source)) {
      unplaced.add(source);
      continue;
    }
    if (target === "above lib") {
      problems.push(`${where}: lib/ may not import ${ABOVE_LIB.map((d) => `${d}/`).join(", ")}`);
      continue;
    }
    if (!layers.includes(target)) {
      unplaced.add(target);
      continue;
    }
    const [s, t] = [layers.indexOf(source), layers.indexOf(target)];
    if (t > s) {
      problems.push(
        `${where}: ${source} (layer ${s + 1}) may not import ${target} (layer ${t + 1}); ` +
          `move the shared code down or the importing code up. ${order}`,
      );
    }
  }
  for (const unit of [...unplaced].sort()) {
    problems.push(`lib/${unit} is in no layer: add it to LAYERS in lib/check/layers.ts. ${order}`);
  }
  return problems;
}

/** `deno info --json` output, the parts read here. */
interface ModuleGraph {
  modules: {
    specifier: string;
    dependencies?: {
      code?: { specifier: string; span: { start: { line: number } } };
      type?: { specifier: string; span: { start: { line: number } } };
    }[];
  }[];
}

/**
 * The imports between project files reachable from `files`, read from `deno info --json` with the
 * project's `deno.json` (so the npm import map resolves).
 */
export async function importEdges(files: readonly string[], root = "."): Promise<ImportEdge[]> {
  const dir = await Deno.makeTempDir({ prefix: "posterlab-layers-" });
  try {
    const entry = join(dir, "entry.ts");
    const urls = files.map((f) => pathToFileURL(resolve(root, f)).href);
    await Deno.writeTextFile(entry, urls.map((u) => `import "${u}";\n`).join(""));
    const config = resolve(root, "deno.json");
    const args = ["info", "--json", ...(await pathExists(config) ? ["--config", config] : []), entry];
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (code !== 0) {
      throw new Error(`deno info could not read the imports: ${new TextDecoder().decode(stderr).trim()}`);
    }
    const graph = JSON.parse(new TextDecoder().decode(stdout)) as ModuleGraph;
    const absoluteRoot = resolve(root);
    const local = (specifier: string): string | undefined => {
      if (!specifier.startsWith("file://")) return undefined;
      const path = relative(absoluteRoot, fileURLToPath(specifier));
      return path.startsWith("..") ? undefined : path.split(sep).join("/");
    };
    const edges: ImportEdge[] = [];
    for (const module of graph.modules) {
      const from = local(module.specifier);
      if (from === undefined) continue;
      for (const dependency of module.dependencies ?? []) {
        // A module imported for its values and its types is one import.
        const resolved = dependency.code ?? dependency.type;
        const to = resolved && local(resolved.specifier);
        if (resolved && to !== undefined) edges.push({ from, to, line: resolved.span.start.line + 1 });
      }
    }
    return edges;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every `.ts` file under `dir` (relative to `root`), sorted. */
export async function typeScriptFiles(dir: string, root = "."): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string) => {
    for await (const entry of Deno.readDir(join(root, path))) {
      const child = `${path}/${entry.name}`;
      if (entry.isDirectory) await walk(child);
      else if (entry.isFile && entry.name.endsWith(".ts")) found.push(child);
    }
  };
  await walk(dir);
  return found.sort();
}

/** The layer violations of lib/ under `root`: the check `deno task check` runs. */
export async function checkLayers(root = "."): Promise<string[]> {
  const files = await typeScriptFiles("lib", root);
  return layerViolations(await importEdges(files, root));
}
