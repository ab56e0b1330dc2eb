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
