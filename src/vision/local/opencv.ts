// Loads OpenCV's WebAssembly build (@techstark/opencv-js) once per thread; local features and
// geometric verification use it for ORB keypoints and the RANSAC homography.

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
    // Emscripten's Node glue installs process-wide handlers (unhandledRejection → abort,
    // uncaughtException → rethrow with the 10 MB minified source as context). The server owns
    // those decisions, so any handler the import added is removed again.
    const before = { rejection: process.listeners('unhandledRejection'), exception: process.listeners('uncaughtException') };
    const mod = (await import('@techstark/opencv-js')) as unknown as { default: EmscriptenModule | Promise<Cv> };
    for (const l of process.listeners('unhandledRejection')) if (!before.rejection.includes(l)) process.off('unhandledRejection', l);
    for (const l of process.listeners('uncaughtException')) if (!before.exception.includes(l)) process.off('uncaughtException', l);
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
