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
import { blendOutputs, type ModelOutputs } from "../../models/blend.ts";
import { chain, type Network, predictViews } from "../../models/test_views.ts";
import { type RgbImage, shrinkRgb } from "../../images/shrink.ts";
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
/** A model's pretrained branch (metadata.json `blend`): the frozen network and the head on its features. */
let branch: { extractor: Tf.LayersModel; head: Tf.LayersModel } | undefined;
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
    if (metadata.blend) {
      branch = {
        extractor: await tf.loadLayersModel("model/feature_extractor/model.json"),
        head: await tf.loadLayersModel("model/feature_head/model.json"),
      };
    }
    setStatus(
      `Model ${metadata.name} (${metadata.genres.length} genres), TensorFlow.js on ${tf.getBackend()}.`,
      "ready",
    );
  } catch (error) {
    setStatus(`The model could not be loaded: ${(error as Error).message}`, "error");
  }
}

/**
 * The poster's RGB pixels at its own size, transparent parts on white (as lib/images/resize.ts flattens
 * them).
 */
function fullPixels(bitmap: ImageBitmap): RgbImage {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d")!;
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const pixels = new Uint8Array(bitmap.width * bitmap.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    const alpha = rgba[i + 3] / 255;
    for (let c = 0; c < 3; c++) pixels[j + c] = Math.round(rgba[i + c] * alpha + 255 * (1 - alpha));
  }
  return { pixels, width: bitmap.width, height: bitmap.height };
}

/** Whether a file starts as a JPEG does (what decides libvips's shrink-on-load). */
async function isJpeg(file: File): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 3).arrayBuffer());
  return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
}

/**
 * The whole poster stretched to `size` as `predict` shrinks it (lib/images/shrink.ts after libvips; the
 * canvas's own resize moves the model's answers), in [0, 1].
 */
function posterTensor(poster: RgbImage, jpeg: boolean, size: { width: number; height: number }): Tf.Tensor4D {
  const pixels = Float32Array.from(shrinkRgb(poster, size, { jpeg }));
  return tf.tidy(() => tf.tensor4d(pixels, [1, size.height, size.width, 3]).div(255) as Tf.Tensor4D);
}

/**
 * A network's outputs for one poster, with the model's test-time views: the first as probabilities, the
 * others as heads.
 */
async function outputsOf(network: Network, input: Tf.Tensor4D): Promise<ModelOutputs> {
  const tensors = predictViews(tf, network, input, metadata?.model.testTimeMirror ?? false);
  const [first, ...rest] = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(tensors);
  return { probabilities: first, heads: rest };
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
  const poster = fullPixels(bitmap);
  const jpeg = await isJpeg(file);
  const image = posterTensor(poster, jpeg, metadata.imageSize);
  const cnn = await outputsOf(model, image);
  let outputs = cnn;
  if (branch && metadata.blend) {
    // The branch reads the poster at its own size; the answer is the blend, as in Deno.
    const large = posterTensor(poster, jpeg, metadata.blend.imageSize);
    outputs = blendOutputs(cnn, await outputsOf(chain(branch.extractor, branch.head), large), metadata.blend);
    large.dispose();
  }
  const { probabilities } = outputs;
  const estimates = regressionEstimates(metadata, outputs.heads);
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
