/**
 * Registers TF.js's gradient functions. Deno loads the Node build of
 * `@tensorflow/tfjs-core`, which ships without them (the `@tensorflow/tfjs`
 * union package normally registers them), and the package's ES-module
 * `register_all_gradients.js` cannot be imported in Deno (extensionless
 * relative imports); `tf.grad` and the optimisers fail with "gradient function
 * not found" until this module is imported. `vendor/tfjs_core_gradients.js` is
 * that file bundled by `deno bundle` (its header says how to regenerate it);
 * it shares TF.js's global engine and registries.
 *
 * @module
 */
import "./vendor/tfjs_core_gradients.js";
