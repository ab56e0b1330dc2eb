/**
 * `deno task check`: `deno check` and `deno lint` over lib/ cli/ bench/ tests/ and the code cells of
 * notebooks/*.ipynb, then `deno fmt --check` (which reads notebooks itself). Exits 1 when any fails.
 */
import { existsSync } from "node:fs";
import { runCli } from "../lib/cli_args.ts";
import { extractNotebook, mapLocations, removeExtracted } from "../lib/report/check.ts";
import { listNotebooks } from "../lib/report/build.ts";

const SOURCE_DIRS = ["lib", "cli", "bench", "tests"];

/** Runs `deno <args>`, printing its output with notebook locations translated; true when it passes. */
async function deno(args: string[], translate: (text: string) => string): Promise<boolean> {
  console.error(`$ deno ${args.join(" ")}`);
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

await runCli("Type-check, lint and format-check the code and the notebooks.", {}, async () => {
  const dirs = SOURCE_DIRS.filter((d) => existsSync(d));
  const notebooks = existsSync("notebooks") ? await listNotebooks("notebooks") : [];
  const extracted = await Promise.all(notebooks.map(extractNotebook));
  const translate = (text: string) => mapLocations(text, extracted);
  const files = extracted.map((e) => e.file);
  const results: [string, boolean][] = [];
  try {
    results.push(["deno check", await deno(["check", ...dirs, ...files], translate)]);
    results.push(["deno lint", await deno(["lint", ...dirs, ...files], translate)]);
  } finally {
    await removeExtracted(extracted);
  }
  results.push(["deno fmt --check", await deno(["fmt", "--check"], translate)]);
  console.log("");
  for (const [name, ok] of results) console.log(`${ok ? "ok    " : "FAILED"} ${name}`);
  console.log(`(${dirs.join("/ ")}/ and ${notebooks.length} notebooks)`);
  if (results.some(([, ok]) => !ok)) Deno.exit(1);
});
