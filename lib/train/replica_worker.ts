/**
 * A worker replica of a data-parallel step (lib/train/data_parallel.ts): it
 * builds the model from the registry on the training thread's backend (the
 * built-in ConvEntion, or a model whose registering module it is sent, such
 * as the paper's baselines), then for each step loads the
 * weights it is sent and returns the gradients of its shard
 * ({@link piecewiseGradients}).
 *
 * @module
 */
import "./builtin_models.ts";
import type { ShardGradients } from "../model/infra/train_step.ts";
import { selectBackend } from "./backend.ts";
import { setWeight } from "../model/infra/assign.ts";
import { piecewiseGradients } from "./data_parallel.ts";
import { getModel, type ModelEntry, type TrainableModel } from "./models.ts";
import type { ReplicaReply, ReplicaRequest } from "./replica_messages.ts";

/** The worker global scope, typed without a triple-slash `deno.worker` lib reference. */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

let entry: ModelEntry<unknown> | null = null;
let model: TrainableModel<unknown> | null = null;

const post = (m: ReplicaReply, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

async function init(m: Extract<ReplicaRequest, { type: "init" }>): Promise<void> {
  await selectBackend(m.backend === "cpu" ? "cpu" : "wasm", { quiet: true, threads: 1 });
  if (m.module) await import(m.module);
  entry = getModel(m.model);
  model = entry.create(m.spec);
  const names = [...model.weights().keys()];
  if (names.join("\n") !== m.weightNames.join("\n")) {
    throw new Error(
      `the replica of ${m.model} has ${names.length} weights, the training thread ` +
        `${m.weightNames.length}, or in another order`,
    );
  }
}

async function step(m: Extract<ReplicaRequest, { type: "step" }>): Promise<ShardGradients> {
  if (!entry || !model) throw new Error("step before init");
  let off = 0;
  for (const v of model.weights().values()) {
    const values = m.weights.subarray(off, off + v.size);
    setWeight(v, values);
    off += v.size;
  }
  if (off !== m.weights.length) {
    throw new Error(`sent ${m.weights.length} weight values, the replica has ${off}`);
  }
  return await piecewiseGradients(model, m.names, entry, m.batch, m.opts, m.micro);
}

scope.onmessage = async (ev: MessageEvent) => {
  const m = ev.data as ReplicaRequest;
  try {
    if (m.type === "init") {
      await init(m);
      post({ id: m.id, result: null });
    } else {
      const result = await step(m);
      post({ id: m.id, result }, [
        ...result.grads.map((g) => g.buffer as ArrayBuffer),
        ...result.stats.map((g) => g.buffer as ArrayBuffer),
      ]);
    }
  } catch (e) {
    post({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
};
