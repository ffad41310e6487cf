/**
 * The messages between the training thread (lib/train/data_parallel.ts) and
 * its replica workers (lib/train/replica_worker.ts).
 *
 * @module
 */
import type { Batch } from "../data/batch.ts";
import type { ShardGradients, StepOptions } from "../model/infra/train_step.ts";
import type { ModelSpec } from "./models.ts";

/** Messages to a replica worker. */
export type ReplicaRequest =
  | {
    type: "init";
    id: number;
    backend: string;
    model: string;
    /** The module that registers `model` (its entry's `module`), imported first; none: built-in. */
    module?: string;
    spec: ModelSpec;
    /** The training thread's weight names, in order (the replica must have the same). */
    weightNames: string[];
  }
  | {
    type: "step";
    id: number;
    /** Every weight of the model, in `weights()` order, concatenated. */
    weights: Float32Array;
    /** Names of the variables to differentiate (the optimiser's). */
    names: string[];
    batch: Batch;
    opts: StepOptions;
    /** Largest piece of the shard per forward pass, or null. */
    micro: number | null;
  };

/**
 * Messages from a replica worker: the reply to request `id`, null for an
 * init, the shard's gradients for a step; or why it failed.
 */
export type ReplicaReply =
  | { id: number; result: ShardGradients | null }
  | { id: number; error: string };
