/**
 * Worker entry of the survey simulator: answers numbered "select" and
 * "render" jobs from {@link simulateSurvey} (lib/simulate/survey.ts), run
 * through the project's worker pool (lib/util/worker_pool.ts). Objects are
 * independent (each has its own seeded streams), so the files do not depend
 * on which worker renders which object.
 *
 * @module
 */
import { type JobSettings, renderAndWrite, type RenderItem, selectInfos } from "./job.ts";
import type { SimClass } from "./params.ts";

/** Jobs the worker accepts; `seq` numbers the answer `{ seq, value }`. */
export type WorkerRequest =
  | {
    type: "select";
    seq: number;
    settings: JobSettings;
    items: { index: number; trueClass: SimClass }[];
  }
  | { type: "render"; seq: number; settings: JobSettings; items: RenderItem[] };

/** The worker global scope, typed without a triple-slash `deno.worker` lib reference. */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const msg = e.data;
  try {
    if (msg.type === "select") {
      scope.postMessage({ seq: msg.seq, value: selectInfos(msg.settings, msg.items) });
    } else {
      const value = [];
      for (const item of msg.items) value.push(await renderAndWrite(msg.settings, item));
      scope.postMessage({ seq: msg.seq, value });
    }
  } catch (err) {
    scope.postMessage({ error: `${(err as Error)?.message ?? String(err)}` });
  }
};
