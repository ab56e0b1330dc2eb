/// <reference lib="dom" />
/**
 * "Make a poster" on the page of `deno task serve`: TensorFlow.js in the browser loads the exported
 * generator from the server (generator/model.json, weights.bin, generator.json as `deno task
 * dcgan:export` writes them) and draws a grid of posters of the picked genre and decade from seeded
 * noise. The posters come from lib/gan/make_posters.ts, the code `dcgan:sample` runs, so the same seed
 * gives the same posters here and there; the grid is laid out by lib/gan/grid_layout.ts.
 *
 * @module
 */
import type * as Tf from "@tensorflow/tfjs";
import { MAKE_POSTER_DEFAULTS } from "../../config.ts";
import { composeGrid } from "../../gan/grid_layout.ts";
import { describeGenerator, type GeneratorRecord } from "../../gan/generator_record.ts";
import { checkTruncation, makePosters } from "../../gan/make_posters.ts";
import { checkCandidates, defaultCandidates, type PosterChooser } from "../../gan/choose_posters.ts";

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Largest seed the page picks (any whole number works; tfjs seeds its normal generator with it). */
const MAX_SEED = 2 ** 31 - 1;

function setStatus(text: string, state: "loading" | "ready" | "missing" | "error" | "busy"): void {
  const status = element<HTMLParagraphElement>("make-status");
  status.textContent = text;
  status.dataset.state = state;
}

function fillSelect(
  select: HTMLSelectElement,
  options: readonly (string | number)[],
  label: (o: string) => string,
) {
  select.replaceChildren(...options.map((value) => {
    const option = document.createElement("option");
    option.value = String(value);
    option.textContent = label(String(value));
    return option;
  }));
}

/** Loads the generator (or says there is none and how to get one) and wires the form. */
export async function setUpMakePoster(tf: typeof Tf): Promise<void> {
  let record: GeneratorRecord;
  let model: Tf.LayersModel;
  let chooser: PosterChooser | undefined;
  try {
    const response = await fetch("generator/generator.json");
    if (response.status === 404) {
      setStatus(
        "No poster generator is served. Train one (deno task dcgan:train --conditional ...) and export it " +
          "(deno task dcgan:export --name RUN), or serve an exported folder with --generator DIR.",
        "missing",
      );
      return;
    }
    if (!response.ok) throw new Error(`generator/generator.json: HTTP ${response.status}`);
    record = await response.json() as GeneratorRecord;
    model = await tf.loadLayersModel("generator/model.json");
    if (record.classifier) {
      chooser = {
        classifier: await tf.loadLayersModel(`generator/${record.classifier.folder}/model.json`),
        genres: record.classifier.genres,
      };
    }
  } catch (error) {
    setStatus(`The generator could not be loaded: ${(error as Error).message}`, "error");
    return;
  }
  const genre = element<HTMLSelectElement>("make-genre");
  const decade = element<HTMLSelectElement>("make-decade");
  const seed = element<HTMLInputElement>("make-seed");
  const truncation = element<HTMLInputElement>("make-truncation");
  const candidates = element<HTMLInputElement>("make-candidates");
  truncation.value = String(MAKE_POSTER_DEFAULTS.truncation);
  candidates.value = String(defaultCandidates(chooser));
  // Without the classifier there is nothing to choose by: one candidate, the field hidden.
  element("make-candidates-label").hidden = !chooser;
  const canvas = element<HTMLCanvasElement>("make-canvas");
  const { rows, columns } = MAKE_POSTER_DEFAULTS;
  if (record.condition) {
    fillSelect(genre, record.condition.genres, (g) => g);
    fillSelect(decade, record.condition.decades, (d) => `${d}s`);
    if (record.condition.genres.includes(MAKE_POSTER_DEFAULTS.genre)) {
      genre.value = MAKE_POSTER_DEFAULTS.genre;
    }
    if (record.condition.decades.includes(MAKE_POSTER_DEFAULTS.decade)) {
      decade.value = String(MAKE_POSTER_DEFAULTS.decade);
    }
  } else {
    element("make-condition").hidden = true;
  }
  seed.value = String(Math.floor(Math.random() * MAX_SEED));
  let drawn = 0;

  const draw = async () => {
    const asked = {
      genres: record.condition ? [genre.value] : [],
      decade: record.condition ? Number(decade.value) : 0,
      count: rows * columns,
      seed: Math.floor(Number(seed.value)),
      truncation: truncation.value.trim() === "" ? 1 : Number(truncation.value),
      candidates: candidates.value.trim() === "" ? 1 : Number(candidates.value),
    };
    if (seed.value.trim() === "" || !Number.isFinite(asked.seed)) {
      setStatus(`The seed must be a whole number, got "${seed.value}".`, "error");
      return;
    }
    try {
      checkTruncation(asked.truncation);
      checkCandidates(asked.candidates);
    } catch (error) {
      setStatus((error as Error).message, "error");
      return;
    }
    setStatus(`Drawing ${asked.count} posters…`, "busy");
    const batch = await makePosters(tf, model, { ...record, ...(chooser ? { chooser } : {}) }, asked);
    const grid = composeGrid(batch, { rows, columns });
    const rgba = new Uint8ClampedArray(grid.width * grid.height * 4);
    for (let i = 0, j = 0; i < grid.pixels.length; i += 3, j += 4) {
      rgba[j] = grid.pixels[i];
      rgba[j + 1] = grid.pixels[i + 1];
      rgba[j + 2] = grid.pixels[i + 2];
      rgba[j + 3] = 255;
    }
    canvas.width = grid.width;
    canvas.height = grid.height;
    canvas.style.setProperty("--grid-width", String(grid.width));
    canvas.getContext("2d")!.putImageData(new ImageData(rgba, grid.width, grid.height), 0, 0);
    const what = record.condition ? `${asked.genres[0]} posters of the ${asked.decade}s` : "posters";
    const truncated = asked.truncation === 1 ? "" : `, truncation ${asked.truncation}`;
    const best = asked.candidates === 1 ? "" : `, each the best of ${asked.candidates}`;
    const flags = `--seed ${asked.seed} --truncation ${asked.truncation} --candidates ${asked.candidates}`;
    element("make-caption").textContent =
      `${asked.count} ${what}, seed ${asked.seed}${truncated}${best} (the same ` +
      `seed gives the same posters, here and in deno task dcgan:sample ${flags})`;
    Object.assign(canvas.dataset, {
      genre: asked.genres[0] ?? "",
      decade: String(asked.decade),
      seed: String(asked.seed),
      truncation: String(asked.truncation),
      candidates: String(asked.candidates),
      drawn: String(++drawn),
    });
    canvas.hidden = false;
    setStatus(`Generator ${describeGenerator(record)}, TensorFlow.js on ${tf.getBackend()}.`, "ready");
  };

  element<HTMLFormElement>("make-form").addEventListener("submit", (event) => {
    event.preventDefault();
    draw();
  });
  element("make-again").addEventListener("click", () => {
    seed.value = String(Math.floor(Math.random() * MAX_SEED));
    draw();
  });
  element("make-form").hidden = false;
  element<HTMLButtonElement>("make-button").disabled = false;
  element<HTMLButtonElement>("make-again").disabled = false;
  setStatus(`Generator ${describeGenerator(record)}, TensorFlow.js on ${tf.getBackend()}.`, "ready");
}
