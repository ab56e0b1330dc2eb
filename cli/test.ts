/**
 * `deno task test` (`./run test`): the whole test suite, then a closing line `N passed, N failed`.
 *
 * Runs `deno task check` (type-check, lint, format), `deno test` over tests/, and then the notebooks
 * (executed headless in the real Deno kernel with small parameters). The real-data tests run when POSTERLAB_REAL_DATA
 * names the shared dataset folder; `../shared/data/movie-posters` is used when it exists.
 */
import { existsSync } from "node:fs";
import { findChromium } from "../lib/report/tools.ts";
import { makeFixtureDataDir } from "../tests/fixtures.ts";

if (Deno.args.length > 0) {
  const help = Deno.args.every((a) => a === "--help" || a === "-h");
  (help ? console.log : console.error)(
    "Run the whole test suite: deno task check, deno test over tests/, then the notebooks headless.\n" +
      "It takes no flags; set POSTERLAB_REAL_DATA=DIR to run the real-data tests on another folder.",
  );
  Deno.exit(help ? 0 : 2);
}

const REAL_DATA_DEFAULT = "../shared/data/movie-posters";
const env: Record<string, string> = {};
if (!Deno.env.get("POSTERLAB_REAL_DATA") && existsSync(`${REAL_DATA_DEFAULT}/MovieGenre.csv`)) {
  env.POSTERLAB_REAL_DATA = REAL_DATA_DEFAULT;
}
const realData = Deno.env.get("POSTERLAB_REAL_DATA") ?? env.POSTERLAB_REAL_DATA;
console.error(
  realData ? `real-data tests: on (${realData})` : "real-data tests: off (set POSTERLAB_REAL_DATA to enable)",
);

/** Runs a command with inherited output, returning its exit code and the text it printed. */
async function run(cmd: string[]): Promise<{ code: number; text: string }> {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let text = "";
  const pump = async (stream: ReadableStream<Uint8Array>, out: typeof Deno.stdout) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      await out.write(chunk);
    }
  };
  await Promise.all([pump(child.stdout, Deno.stdout), pump(child.stderr, Deno.stderr)]);
  return { code: (await child.status).code, text };
}

let passed = 0;
let failed = 0;

// Type-check, lint and format-check (notebook cells included) count as one test.
const check = await run([Deno.execPath(), "run", "-A", "cli/check.ts"]);
if (check.code === 0) passed += 1;
else failed += 1;

// deno test ends with "ok | 7 passed | 0 failed | 1 ignored" (colours stripped by NO_COLOR).
env.NO_COLOR = "1";
/** Runs `deno test` over `paths` (with extra environment variables) and counts its results. */
async function denoTest(paths: string[], extraEnv: Record<string, string> = {}): Promise<void> {
  Object.assign(env, extraEnv);
  const tests = await run([Deno.execPath(), "test", "-A", ...paths]);
  for (const key of Object.keys(extraEnv)) delete env[key];
  const summary = /(\d+) passed.*?\| (\d+) failed/.exec(
    tests.text.split("\n").filter((l) => /passed/.test(l)).at(-1) ?? "",
  );
  if (summary) {
    passed += Number(summary[1]);
    failed += Number(summary[2]);
  }
  if (tests.code !== 0 && (!summary || Number(summary[2]) === 0)) failed += 1; // a crash before any summary
}
await denoTest(["tests/"]);
// The native kernels again with oneDNN and OpenBLAS held to AVX2, so a machine with AVX-512 also
// checks the sums of one without it (other kernels, other orders of float additions).
console.error("native backend tests again with oneDNN and OpenBLAS held to AVX2");
await denoTest(["tests/backend/native/"], { ONEDNN_MAX_CPU_ISA: "AVX2", OPENBLAS_CORETYPE: "Haswell" });

// Notebooks: each executed notebook counts as one test, on the real posters when they are here
// (imported once into runs/test-data), else on a small made-up dataset. With Chromium each is also
// exported, and a report that looks unfinished (stderr blocks, loader text in the PDF) fails.
const canExport = await findChromium().then(() => true, () => false);
if (!canExport) console.error("notebooks: Chromium missing, so executed only (no HTML/PDF checks)");
const notebooks = await run([
  Deno.execPath(),
  "run",
  "-A",
  "cli/report.ts",
  "--small",
  canExport ? "--strict" : "--no-export",
  "--summary",
  "--data-dir",
  await notebookDataDir(),
]);
const nb = /notebooks: (\d+) passed, (\d+) failed/.exec(notebooks.text);
if (nb) {
  passed += Number(nb[1]);
  failed += Number(nb[2]);
} else if (notebooks.code !== 0) {
  failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed > 0 ? 1 : 0);

/** A dataset folder for the notebooks: the real data imported and resized at ratio 30, or a fixture. */
async function notebookDataDir(): Promise<string> {
  if (!realData) {
    const { dataDir } = await makeFixtureDataDir({ movies: 120, ratio: 30 });
    return dataDir;
  }
  const dir = "runs/test-data";
  // `deno task data` resumes: a second run only checks what is already imported and resized.
  const imported = await run([
    Deno.execPath(),
    "run",
    "-A",
    "cli/data.ts",
    "--from",
    realData,
    "--resize",
    "30",
    "--data-dir",
    dir,
  ]);
  if (imported.code !== 0) throw new Error(`importing ${realData} for the notebooks failed`);
  return dir;
}
