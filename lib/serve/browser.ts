/**
 * Headless Chromium driven by Playwright (npm:playwright-core, which downloads no browser: it drives
 * the system's `chromium`), for the page's browser test and its screenshot.
 *
 * ```ts
 * const bars = await withBrowserPage(async (page) => {
 *   await openPosterPage(page, "http://127.0.0.1:8080/", "poster.jpg");
 *   return await readBars(page);
 * });
 * ```
 *
 * @module
 */
import { chromium, type Page } from "playwright-core";
import { CHROMIUM_FLAGS } from "../config.ts";
import { findChromium } from "../report/tools.ts";

/** The absolute path of a command found on PATH (Playwright does not search PATH). */
async function executablePath(command: string): Promise<string> {
  if (command.includes("/")) return command;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    const path = `${dir}/${command}`;
    if ((await Deno.stat(path).catch(() => undefined))?.isFile) return path;
  }
  return command;
}

/** Runs `use` on a page of a fresh headless Chromium (own profile, removed afterwards). */
export async function withBrowserPage<T>(use: (page: Page) => Promise<T>): Promise<T> {
  const profile = await Deno.makeTempDir({ prefix: "posterlab-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: await executablePath(await findChromium()),
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: { width: 900, height: 640 },
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    return await use(page);
  } finally {
    await context.close();
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** Opens the page at `url`, waits for the model, and sets `posterPath` in the file picker. */
export async function openPosterPage(page: Page, url: string, posterPath: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector("#status[data-state=ready], #status[data-state=error]", { timeout: 60_000 });
  const status = await page.textContent("#status");
  if ((await page.getAttribute("#status", "data-state")) === "error") {
    throw new Error(`The page says: ${status}`);
  }
  await page.setInputFiles("#poster", posterPath);
}

/** A genre bar as the page shows it. */
export interface PageBar {
  genre: string;
  probability: number;
  /** The percentage text beside the bar. */
  text: string;
}

/** Waits for the genre bars and reads them, top first. */
export async function readBars(page: Page): Promise<PageBar[]> {
  await page.waitForSelector("#bars .bar", { timeout: 60_000 });
  // A string is evaluated in the page, so no DOM types are needed on the Deno side.
  return await page.evaluate(`[...document.querySelectorAll("#bars .bar")].map((bar) => ({
    genre: bar.dataset.genre,
    probability: Number(bar.dataset.probability),
    text: bar.querySelector(".value").textContent,
  }))`) as PageBar[];
}

/** Waits until the page has drawn a class-activation map; returns its genre. */
export async function waitForMap(page: Page): Promise<string> {
  await page.waitForSelector("#cam-canvas[data-genre]", { state: "attached", timeout: 60_000 });
  return (await page.getAttribute("#cam-canvas", "data-genre")) ?? "";
}

/** Waits until "make a poster" has loaded its generator (or said there is none); returns its state. */
export async function waitForGenerator(page: Page): Promise<{ state: string; text: string }> {
  const selector = ["ready", "missing", "error"].map((s) => `#make-status[data-state=${s}]`).join(", ");
  await page.waitForSelector(selector, { timeout: 60_000 });
  return {
    state: (await page.getAttribute("#make-status", "data-state")) ?? "",
    text: (await page.textContent("#make-status")) ?? "",
  };
}

/** A grid that "make a poster" drew: its size, RGB pixels and what it was asked. */
export interface DrawnGrid {
  width: number;
  height: number;
  /** width x height x 3 bytes, row-major. */
  pixels: Uint8Array;
  genre: string;
  decade: number;
  seed: number;
  truncation: number;
  candidates: number;
}

/**
 * Picks `genre` and `decade` (when given), sets the seed, truncation and candidates (when given), presses "Make posters" and reads
 * the grid back from the canvas once drawn. The generator must be ready ({@linkcode waitForGenerator}).
 */
export async function makePosterGrid(
  page: Page,
  ask: { genre?: string; decade?: number; seed?: number; truncation?: number; candidates?: number },
): Promise<DrawnGrid> {
  if (ask.genre !== undefined) await page.selectOption("#make-genre", ask.genre);
  if (ask.decade !== undefined) await page.selectOption("#make-decade", String(ask.decade));
  if (ask.seed !== undefined) await page.fill("#make-seed", String(ask.seed));
  if (ask.truncation !== undefined) await page.fill("#make-truncation", String(ask.truncation));
  if (ask.candidates !== undefined) await page.fill("#make-candidates", String(ask.candidates));
  const before = Number((await page.getAttribute("#make-canvas", "data-drawn")) ?? 0);
  await page.click("#make-button");
  await page.waitForSelector(`#make-canvas[data-drawn="${before + 1}"]`, {
    state: "attached",
    timeout: 60_000,
  });
  const drawn = await page.evaluate(`(() => {
    const canvas = document.getElementById("make-canvas");
    const rgba = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let text = "";
    for (let i = 0; i < rgba.length; i += 4) {
      text += String.fromCharCode(rgba[i], rgba[i + 1], rgba[i + 2]);
    }
    return {
      width: canvas.width,
      height: canvas.height,
      rgb: btoa(text),
      genre: canvas.dataset.genre,
      decade: Number(canvas.dataset.decade),
      seed: Number(canvas.dataset.seed),
      truncation: Number(canvas.dataset.truncation),
      candidates: Number(canvas.dataset.candidates),
    };
  })()`) as {
    width: number;
    height: number;
    rgb: string;
    genre: string;
    decade: number;
    seed: number;
    truncation: number;
    candidates: number;
  };
  const binary = atob(drawn.rgb);
  const pixels = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return {
    width: drawn.width,
    height: drawn.height,
    pixels,
    genre: drawn.genre,
    decade: drawn.decade,
    seed: drawn.seed,
    truncation: drawn.truncation,
    candidates: drawn.candidates,
  };
}
