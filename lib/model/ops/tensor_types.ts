/**
 * Names for the TensorFlow.js types that appear in the public API. They are
 * the TF.js types themselves (aliases), declared here so that the API's
 * documentation can name them.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";

/** A TensorFlow.js tensor of any rank. */
export type Tensor = tf.Tensor;
/** A TensorFlow.js scalar (rank 0). */
export type Scalar = tf.Scalar;
/** A TensorFlow.js tensor of rank 1. */
export type Tensor1D = tf.Tensor1D;
/** A TensorFlow.js tensor of rank 2 (e.g. logits `[batch, classes]`). */
export type Tensor2D = tf.Tensor2D;
/** A TensorFlow.js tensor of rank 3. */
export type Tensor3D = tf.Tensor3D;
/** A TensorFlow.js tensor of rank 4 (e.g. frames `[batch, l, h, w]`). */
export type Tensor4D = tf.Tensor4D;
/** A trainable or persistent TensorFlow.js variable. */
export type Variable = tf.Variable;
/** A TensorFlow.js optimiser. */
export type Optimizer = tf.Optimizer;
