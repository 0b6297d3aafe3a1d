// Loads OpenCV's WebAssembly build (@techstark/opencv-js) once per thread; local features and
// geometric verification use it for ORB, brute-force Hamming matching and RANSAC.

import type * as OpenCv from '@techstark/opencv-js';

export type Cv = typeof OpenCv;

interface EmscriptenModule {
  Mat?: unknown;
  then?(ready: () => void): void;
}

let loading: Promise<{ cv: Cv }> | undefined;

/** The initialised OpenCV module (compiled on first use, ~0.2 s; the same instance afterwards). */
export async function loadOpenCv(): Promise<Cv> {
  loading ??= (async () => {
    const mod = (await import('@techstark/opencv-js')) as unknown as { default: EmscriptenModule | Promise<Cv> };
    const m = mod.default;
    if (m instanceof Promise) return { cv: await m };
    // The Emscripten module is a thenable whose `then` passes the module itself: awaiting it, or
    // returning it from an async function, unwraps it forever and blocks the thread. Wait for
    // readiness through its callback, then drop `then` so the module is a plain object.
    if (!m.Mat) await new Promise<void>((resolve) => m.then?.(() => resolve()));
    delete m.then;
    return { cv: m as unknown as Cv };
  })();
  return (await loading).cv;
}
