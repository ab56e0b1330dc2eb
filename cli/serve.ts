/**
 * `deno task serve [--port 8080] [--host 127.0.0.1] [--model NAME] [--models-dir DIR]
 *  [--screenshot OUT.png --poster FILE]`
 *
 * A local page where a user drops or picks a poster: TensorFlow.js in the browser runs the saved
 * model (by default the best by validation mAP) and shows the genre bars, the class-activation map
 * and year and rating when the model has them. `--screenshot` renders the page with `--poster` in
 * headless Chromium, saves a PNG and stops. A damaged model (checkSavedModel: weights.bin of the wrong
 * size, NaN weights) is refused before listening; without --model, damaged ones are skipped and named.
 * All work is in lib/serve; this file reads flags and prints.
 */
import { MODELS_DIR_FLAG, parseArgs, runCli, SHIPPED_DIR_FLAG, UsageError } from "../lib/cli_args.ts";
import { PREDICT_DEFAULTS } from "../lib/config.ts";
import { writeFileAtomic } from "../lib/util/files.ts";
import { chooseModel, describeChoice, skippedLines } from "../lib/inference/best_model.ts";
import { checkSavedModel, readMetadata, savedModelDir } from "../lib/models/saved.ts";
import { startPageServer } from "../lib/serve/server.ts";
import { openPosterPage, readBars, waitForMap, withBrowserPage } from "../lib/serve/browser.ts";

const FLAGS = {
  port: { type: "number", help: "port to listen on (0: any free one)", default: PREDICT_DEFAULTS.port },
  host: { type: "string", help: "interface to listen on", default: PREDICT_DEFAULTS.host },
  model: { type: "string", help: "saved model (folder name in --models-dir); default: best validation mAP" },
  ...MODELS_DIR_FLAG,
  ...SHIPPED_DIR_FLAG,
  screenshot: { type: "string", help: "write a PNG of the page showing --poster, then stop" },
  poster: { type: "string", help: "the poster for --screenshot" },
} as const;

await runCli("Serve a page that runs the genre model in the browser.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  const port = flags.port!;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535.`);
  if (flags.screenshot && !flags.poster) throw new UsageError("--screenshot needs --poster FILE.");
  const choice = await chooseModel(flags.model, flags["models-dir"], { shipped: flags["shipped-dir"] });
  for (const line of skippedLines(choice)) console.error(line);
  const modelDir = savedModelDir(choice.name, choice.root);
  // A damaged model folder stops here, named with what is wrong, before the page could fail on it.
  await readMetadata(modelDir);
  await checkSavedModel(modelDir);
  const server = await startPageServer({
    modelDir,
    port: flags.screenshot ? 0 : port,
    hostname: flags.host,
    onListen: () => {},
  });
  const url = `http://${flags.host!.includes(":") ? `[${flags.host}]` : flags.host}:${server.addr.port}/`;
  if (flags.screenshot) {
    const png = await withBrowserPage(async (page) => {
      await openPosterPage(page, url, flags.poster!);
      const bars = await readBars(page);
      await waitForMap(page);
      console.log(bars.map((bar) => `${bar.genre} ${bar.text}`).join(", "));
      return await page.screenshot({ fullPage: true });
    });
    await writeFileAtomic(flags.screenshot, new Uint8Array(png));
    console.log(`screenshot: ${flags.screenshot}`);
    await server.shutdown();
    return;
  }
  console.log(`model: ${describeChoice(choice)}`);
  if (!["127.0.0.1", "localhost", "::1"].includes(flags.host!)) {
    console.log(`note: listening on ${flags.host}, so other machines on the network can open the page too.`);
  }
  console.log(`open ${url}  (Ctrl-C stops)`);
  await server.finished;
});
