/**
 * `deno task serve [--port 8080] [--host 127.0.0.1] [--model NAME] [--models-dir DIR] [--generator NAME|DIR]
 *  [--screenshot OUT.png [--poster FILE] [--make GENRE --decade 1980 --seed 1]]`
 *
 * A local page where a user drops or picks a poster: TensorFlow.js in the browser runs the saved
 * model (by default the best by validation mAP) and shows the genre bars, the class-activation map
 * and year and rating when the model has them. "Make a poster" on the same page draws a grid of
 * posters of a genre and decade with the exported DCGAN generator (models/generators/, or
 * --generator). `--screenshot` renders the page with `--poster` and/or a grid made with `--make` in
 * headless Chromium, saves a PNG and stops. A damaged model (checkSavedModel: weights.bin of the wrong
 * size, NaN weights) is refused before listening; without --model, damaged ones are skipped and named.
 * All work is in lib/serve; this file reads flags and prints.
 */
import { MODELS_DIR_FLAG, parseArgs, runCli, SHIPPED_DIR_FLAG, UsageError } from "../lib/cli_args.ts";
import { MAKE_POSTER_DEFAULTS, PREDICT_DEFAULTS } from "../lib/config.ts";
import { chooseGenerator } from "../lib/gan/shipped.ts";
import { parseGenre } from "../lib/models/dcgan.ts";
import { describeGenerator } from "../lib/gan/generator_record.ts";
import { writeFileAtomic } from "../lib/util/files.ts";
import { chooseModel, describeChoice, skippedLines } from "../lib/inference/best_model.ts";
import { checkSavedModel, readMetadata, savedModelDir } from "../lib/models/saved.ts";
import { startPageServer } from "../lib/serve/server.ts";
import {
  makePosterGrid,
  openPosterPage,
  readBars,
  waitForGenerator,
  waitForMap,
  withBrowserPage,
} from "../lib/serve/browser.ts";

const FLAGS = {
  port: { type: "number", help: "port to listen on (0: any free one)", default: PREDICT_DEFAULTS.port },
  host: { type: "string", help: "interface to listen on", default: PREDICT_DEFAULTS.host },
  model: { type: "string", help: "saved model (folder name in --models-dir); default: best validation mAP" },
  ...MODELS_DIR_FLAG,
  ...SHIPPED_DIR_FLAG,
  generator: {
    type: "string",
    help: "poster generator: a folder dcgan:export wrote, or a name in <shipped-dir>/generators/ " +
      "(default: the shipped one)",
  },
  screenshot: { type: "string", help: "write a PNG of the page showing --poster and/or --make, then stop" },
  poster: { type: "string", help: "the poster for --screenshot" },
  make: { type: "string", help: "for --screenshot: make posters of this genre (with --decade, --seed)" },
  decade: { type: "number", help: "the decade for --make", default: MAKE_POSTER_DEFAULTS.decade },
  seed: { type: "number", help: "the noise seed for --make", default: 1 },
} as const;

await runCli("Serve a page that runs the genre model in the browser.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  const port = flags.port!;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535.`);
  if (flags.screenshot && !flags.poster && !flags.make) {
    throw new UsageError("--screenshot needs --poster FILE, --make GENRE, or both.");
  }
  if (flags.make && !flags.screenshot) {
    throw new UsageError("--make is for --screenshot (the page has a form).");
  }
  const choice = await chooseModel(flags.model, flags["models-dir"], { shipped: flags["shipped-dir"] });
  for (const line of skippedLines(choice)) console.error(line);
  const modelDir = savedModelDir(choice.name, choice.root);
  // A damaged model folder stops here, named with what is wrong, before the page could fail on it.
  await readMetadata(modelDir);
  await checkSavedModel(modelDir);
  const generator = await chooseGenerator(flags.generator, flags["shipped-dir"]!);
  if (generator.skipped) console.error(`skipped damaged ${generator.skipped}`);
  if (flags.make && !generator.dir) {
    throw new UsageError("--make needs a generator: export one (dcgan:export).");
  }
  const server = await startPageServer({
    modelDir,
    ...(generator.dir ? { generatorDir: generator.dir } : {}),
    port: flags.screenshot ? 0 : port,
    hostname: flags.host,
    onListen: () => {},
  });
  const url = `http://${flags.host!.includes(":") ? `[${flags.host}]` : flags.host}:${server.addr.port}/`;
  if (flags.screenshot) {
    const png = await withBrowserPage(async (page) => {
      if (flags.poster) {
        await openPosterPage(page, url, flags.poster);
        const bars = await readBars(page);
        await waitForMap(page);
        console.log(bars.map((bar) => `${bar.genre} ${bar.text}`).join(", "));
      } else {
        await page.goto(url);
      }
      if (flags.make) {
        const { state, text } = await waitForGenerator(page);
        if (state !== "ready") throw new Error(`The page says: ${text}`);
        const genre = parseGenre(flags.make);
        const grid = await makePosterGrid(page, { genre, decade: flags.decade, seed: flags.seed });
        console.log(`${grid.genre} ${grid.decade}s, seed ${grid.seed}: a ${grid.width}x${grid.height} grid`);
      }
      return await page.screenshot({ fullPage: true });
    });
    await writeFileAtomic(flags.screenshot, new Uint8Array(png));
    console.log(`screenshot: ${flags.screenshot}`);
    await server.shutdown();
    return;
  }
  console.log(`model: ${describeChoice(choice)}`);
  console.log(
    generator.record
      ? `generator: ${describeGenerator(generator.record)} (${generator.dir})`
      : "generator: none, so the page can't make posters (deno task dcgan:export --name RUN makes one)",
  );
  if (!["127.0.0.1", "localhost", "::1"].includes(flags.host!)) {
    console.log(`note: listening on ${flags.host}, so other machines on the network can open the page too.`);
  }
  console.log(`open ${url}  (Ctrl-C stops)`);
  await server.finished;
});
