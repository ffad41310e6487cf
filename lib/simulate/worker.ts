/**
 * Worker entry of the survey simulator: answers "select" and "render"
 * messages from {@link simulateSurvey} (lib/simulate/survey.ts). Objects are
 * independent (each has its own seeded streams), so the files do not depend
 * on which worker renders which object.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type JobSettings, renderAndWrite, type RenderItem, selectInfos } from "./job.ts";
import type { SimClass } from "./params.ts";

/** Messages the worker accepts. */
export type WorkerRequest =
  | { type: "select"; settings: JobSettings; items: { index: number; trueClass: SimClass }[] }
  | { type: "render"; settings: JobSettings; items: RenderItem[] };

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const msg = e.data;
  try {
    if (msg.type === "select") {
      self.postMessage({ type: "selected", infos: selectInfos(msg.settings, msg.items) });
    } else {
      for (const item of msg.items) {
        self.postMessage({ type: "rendered", result: await renderAndWrite(msg.settings, item) });
      }
      self.postMessage({ type: "chunk" });
    }
  } catch (err) {
    self.postMessage({
      type: "error",
      message: (err as Error)?.message ?? String(err),
      stack: (err as Error)?.stack,
    });
  }
};
