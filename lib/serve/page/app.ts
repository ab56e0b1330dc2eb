/// <reference lib="dom" />
/**
 * The page of `deno task serve`: TensorFlow.js in the browser loads the saved model from the server
 * (model.json, weights.bin, metadata.json as `deno task train` writes them) and runs it on a poster
 * the user drops or picks; nothing is uploaded. "Make a poster" (make.ts) draws posters with the
 * exported generator. Bundled for the browser by lib/serve/bundle.ts; `tf` is the global of the
 * tf.min.js the page loads first.
 *
 * @module
 */
import type * as Tf from "@tensorflow/tfjs";
import { type ActivationMap, gradCam, heatmapRgba } from "../../inference/gradcam.ts";
import { PREDICT_DEFAULTS } from "../../config.ts";
import { type RegressionEstimates, regressionEstimates } from "../../models/targets.ts";
import type { SavedModelMetadata } from "../../models/saved.ts";
import { setUpMakePoster } from "./make.ts";

const tf = (globalThis as unknown as { tf: typeof Tf }).tf;
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = element<HTMLParagraphElement>("status");
const message = element<HTMLParagraphElement>("message");
const drop = element<HTMLLabelElement>("drop");
const input = element<HTMLInputElement>("poster");
const posterCanvas = element<HTMLCanvasElement>("poster-canvas");
const camCanvas = element<HTMLCanvasElement>("cam-canvas");

/** What the page knows after a poster ran. */
interface Shown {
  probabilities: Float32Array;
  maps: Map<number, ActivationMap>;
  image: Tf.Tensor4D;
}

let model: Tf.LayersModel | undefined;
let metadata: SavedModelMetadata | undefined;
let shown: Shown | undefined;

function setStatus(text: string, state: "loading" | "ready" | "error" | "busy"): void {
  status.textContent = text;
  status.dataset.state = state;
}

function showMessage(text: string | undefined): void {
  message.hidden = text === undefined;
  message.textContent = text ?? "";
}

async function loadModel(): Promise<void> {
  try {
    const response = await fetch("model/metadata.json");
    if (!response.ok) throw new Error(`model/metadata.json: HTTP ${response.status}`);
    metadata = await response.json() as SavedModelMetadata;
    model = await tf.loadLayersModel("model/model.json");
    setStatus(
      `Model ${metadata.name} (${metadata.genres.length} genres), TensorFlow.js on ${tf.getBackend()}.`,
      "ready",
    );
  } catch (error) {
    setStatus(`The model could not be loaded: ${(error as Error).message}`, "error");
  }
}

/** Decodes a file the browser can read as an image; undefined (and a message) when it can't. */
async function readImage(file: File): Promise<ImageBitmap | undefined> {
  const notImage = `${file.name} is not an image this page can read: pick a JPEG, PNG or WebP poster.`;
  if (file.type && !file.type.startsWith("image/")) {
    showMessage(notImage);
    return undefined;
  }
  try {
    return await createImageBitmap(file);
  } catch {
    showMessage(notImage);
    return undefined;
  }
}

async function predictFile(file: File): Promise<void> {
  if (!model || !metadata) return;
  showMessage(undefined);
  const bitmap = await readImage(file);
  if (!bitmap) {
    element("result").hidden = true;
    return;
  }
  setStatus(`Reading ${file.name}…`, "busy");
  const { width, height } = metadata.imageSize;
  // The whole poster stretched to the model's size, as lib/images/resize.ts does (fit: fill).
  const small = new OffscreenCanvas(width, height);
  const context = small.getContext("2d")!;
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, width, height);
  const image = tf.tidy(() =>
    tf.browser.fromPixels(context.getImageData(0, 0, width, height)).toFloat().div(255).expandDims(
      0,
    ) as Tf.Tensor4D
  );
  const outputs = model.predict(image);
  const tensors = Array.isArray(outputs) ? outputs : [outputs as Tf.Tensor];
  const probabilities = await tensors[0].data() as Float32Array;
  const estimates = regressionEstimates(metadata, await Promise.all(tensors.slice(1).map((t) => t.data())));
  tf.dispose(tensors);
  shown?.image.dispose();
  shown = { probabilities, maps: new Map(), image };
  posterCanvas.width = camCanvas.width = 273;
  posterCanvas.height = camCanvas.height = 402;
  posterCanvas.getContext("2d")!.drawImage(bitmap, 0, 0, posterCanvas.width, posterCanvas.height);
  element("file-name").textContent = file.name;
  element("result").hidden = false;
  showBars(probabilities);
  showRegression(estimates);
  const top = Array.from(probabilities.keys()).sort((a, b) => probabilities[b] - probabilities[a])[0];
  showMap(top);
  setStatus(`Model ${metadata.name}: done (${tf.getBackend()}).`, "ready");
}

function showBars(probabilities: Float32Array): void {
  const bars = element<HTMLOListElement>("bars");
  bars.replaceChildren();
  const order = Array.from(probabilities.keys()).sort((a, b) => probabilities[b] - probabilities[a]);
  for (const j of order) {
    const genre = metadata!.genres[j];
    const percent = (probabilities[j] * 100).toFixed(0);
    const bar = document.createElement("li");
    bar.className = "bar";
    bar.dataset.genre = genre;
    bar.dataset.index = String(j);
    bar.dataset.probability = String(probabilities[j]);
    bar.title = `Show where the network looked for ${genre}`;
    bar.innerHTML = `<span class="name"></span><span class="track"><span class="fill"></span></span>` +
      `<span class="value">${percent}%</span>`;
    bar.querySelector<HTMLElement>(".name")!.textContent = genre;
    bar.querySelector<HTMLElement>(".fill")!.style.width = `${percent}%`;
    bar.addEventListener("click", () => showMap(j));
    bars.append(bar);
  }
}

function showRegression(estimates: RegressionEstimates): void {
  const regression = element<HTMLParagraphElement>("regression");
  const parts = [
    estimates.year !== undefined ? `year ≈ ${Math.round(estimates.year)}` : "",
    estimates.rating !== undefined ? `rating ≈ ${estimates.rating.toFixed(1)}` : "",
  ].filter(Boolean);
  regression.hidden = parts.length === 0;
  regression.textContent = parts.join(", ");
}

/** Draws the class-activation map of genre `j` over the poster (computed once per genre). */
function showMap(j: number): void {
  if (!shown || !model || !metadata) return;
  let map = shown.maps.get(j);
  if (!map) {
    map = gradCam(tf, model, shown.image, [j]).maps[0];
    shown.maps.set(j, map);
  }
  const heat = new OffscreenCanvas(map.width, map.height);
  heat.getContext("2d")!.putImageData(
    new ImageData(heatmapRgba(map, PREDICT_DEFAULTS.overlayOpacity), map.width, map.height),
    0,
    0,
  );
  const context = camCanvas.getContext("2d")!;
  context.clearRect(0, 0, camCanvas.width, camCanvas.height);
  context.imageSmoothingEnabled = true;
  context.drawImage(heat, 0, 0, camCanvas.width, camCanvas.height);
  camCanvas.dataset.genre = metadata.genres[j];
  for (const bar of document.querySelectorAll<HTMLElement>(".bar")) {
    bar.classList.toggle("selected", bar.dataset.index === String(j));
  }
  element("cam-caption").textContent = `Where the network looked for ${metadata.genres[j]}` +
    (map.values.some((v) => v > 0) ? "" : " (no part of the poster raised it)");
}

input.addEventListener("change", () => {
  const file = input.files?.[0];
  if (file) predictFile(file);
});
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  const file = event.dataTransfer?.files[0];
  if (file) predictFile(file);
});
// Both load at once: the classifier and the generator are independent.
loadModel();
setUpMakePoster(tf);
