/**
 * Worker entry of the survey simulator: answers "select" and "render"
 * messages from {@link simulateSurvey} (lib/simulate/survey.ts). Objects are
 * independent (each has its own seeded streams), so the files do not depend
 * on which worker renders which object.
 *
 * @module
 */
import { type JobSettings, renderAndWrite, type RenderItem, selectInfos } from "./job.ts";
import type { SimClass } from "./params.ts";

/** Messages the worker accepts. */
export type WorkerRequest =
  | { type: "select"; settings: JobSettings; items: { index: number; trueClass: SimClass }[] }
  | { type: "render"; settings: JobSettings; items: RenderItem[] };

/** The worker global scope, typed without a triple-slash `deno.worker` lib reference. */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const msg = e.data;
  try {
    if (msg.type === "select") {
      scope.postMessage({ type: "selected", infos: selectInfos(msg.settings, msg.items) });
    } else {
      for (const item of msg.items) {
        scope.postMessage({ type: "rendered", result: await renderAndWrite(msg.settings, item) });
      }
      scope.postMessage({ type: "chunk" });
    }
  } catch (err) {
    scope.postMessage({
      type: "error",
      message: (err as Error)?.message ?? String(err),
      stack: (err as Error)?.stack,
    });
  }
};
