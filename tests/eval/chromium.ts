/**
 * Headless Chromium for the report tests: Debian's `/usr/bin/chromium`
 * driven by `playwright-core` (no browser download, no network).
 *
 * Permissions: playwright-core talks to Chromium over a pipe
 * (`--remote-debugging-pipe`), so no `--allow-net` is needed. It does probe
 * `/proc/sys/fs/binfmt_misc/WSLInterop` with `fs.existsSync`, which Deno
 * only allows under `--allow-all`; the probe (a WSL check) is answered
 * `false` here instead, so the tests run with the test task's permissions
 * (`--allow-read --allow-write --allow-env --allow-sys --allow-run`).
 *
 * @module
 */
import fs from "node:fs";
import type { Browser } from "playwright-core";

import { CHROMIUM_PATH } from "../util/tools.ts";

let patched = false;
function patchWslProbe(): void {
  if (patched) return;
  patched = true;
  const original = fs.existsSync;
  const probe = (p: fs.PathLike): boolean =>
    String(p).startsWith("/proc/sys/fs/binfmt_misc/") ? false : original(p);
  (fs as unknown as { existsSync: typeof probe }).existsSync = probe;
}

/** Launches headless Chromium, or throws saying what to install. */
export async function launchChromium(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the HTML report test needs it. ` +
        "Install it with `apt-get install chromium` (Debian) or set CHROMIUM_PATH.",
    );
  }
  patchWslProbe();
  const { chromium } = await import("playwright-core");
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/** What {@link checkReport} found in the page. */
export interface ReportCheck {
  /** Width/height of each plot's SVG. */
  plots: { title: string; width: number; height: number; visible: boolean }[];
  /** Gallery objects shown. */
  objects: number;
  /** Per stamp image: natural size and whether it loaded. */
  images: { naturalWidth: number; naturalHeight: number; complete: boolean; visible: boolean }[];
  /** Tables in the page. */
  tables: number;
  /** Requests the page tried to make (must be none: self-contained). */
  requests: string[];
}

/** Opens the report file in `browser` and measures what rendered. */
export async function checkReport(browser: Browser, path: string): Promise<ReportCheck> {
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith("data:")) requests.push(r.url());
  });
  await page.setContent(await Deno.readTextFile(path), { waitUntil: "load" });
  const plots = [];
  for (const fig of await page.locator("figure.plot").all()) {
    const svg = fig.locator("svg").first();
    const box = await svg.boundingBox();
    plots.push({
      title: (await fig.getAttribute("data-plot")) ?? "",
      width: box?.width ?? 0,
      height: box?.height ?? 0,
      visible: await svg.isVisible(),
    });
  }
  const images = [];
  for (const img of await page.locator(".gallery img").all()) {
    const info = await img.evaluate((e) => {
      const i = e as unknown as { naturalWidth: number; naturalHeight: number; complete: boolean };
      return { naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight, complete: i.complete };
    });
    images.push({ ...info, visible: await img.isVisible() });
  }
  const objects = await page.locator(".gallery .object").count();
  const tables = await page.locator("table").count();
  await page.close();
  return { plots, objects, images, tables, requests };
}
