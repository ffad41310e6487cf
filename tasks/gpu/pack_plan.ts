/**
 * What the GPU pack holds and the size limits it must respect.
 *
 * @module
 */

/** The pack itself must stay under this (60 MiB, leaving room for the tree). */
export const PACK_LIMIT_BYTES = 60 * 1024 * 1024;

/** Everything that travels to the GPU machine (tree + carried paths): 64 MiB. */
export const TREE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Debian packages carried to the GPU machine. The loaders: Vulkan (Deno's
 * wgpu dlopens libvulkan.so.1; the NVIDIA ICD is the driver's
 * libGLX_nvidia.so.0, which needs libGLdispatch from libglvnd0) and EGL (wgpu's
 * GL backend dlopens libEGL.so.1). Then the X11 client libraries that
 * libGLX_nvidia.so.0 links to, in case the CUDA image lacks them; run.sh only
 * exposes the libraries the machine does not already have.
 */
export function defaultDebs(): string[] {
  return [
    "libvulkan1",
    "libegl1",
    "libglvnd0",
    "libopengl0",
    "libgl1",
    "libglx0",
    "libgles2",
    "libx11-6",
    "libxext6",
    "libxcb1",
    "libxau6",
    "libxdmcp6",
    "libbsd0",
    "libmd0",
  ];
}

/** Bytes as MiB with one decimal, e.g. "29.7 MiB". */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
