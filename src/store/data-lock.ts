// One process at a time per data directory: a lock file holding the owner's pid. A lock whose
// process is gone is taken over (it was left by a crash), and the caller is told so it can
// clean up what a crash may leave behind.

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TusouError } from '../domain/index.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A held data directory lock. */
export interface DataLock {
  release(): void;
  /** True when the previous owner died without releasing it (a crash, kill -9 or power loss). */
  crashed: boolean;
}

/**
 * Take the lock of a data directory.
 * @throws STORE_UNAVAILABLE when another live process holds it
 */
export function lockDataDir(dir: string): DataLock {
  const file = join(dir, 'tusou.lock');
  let crashed = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        crashed,
        release() {
          try { unlinkSync(file); } catch { /* already gone: nothing to release */ }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new TusouError('STORE_UNAVAILABLE', { reason: `cannot create ${file} (${(err as NodeJS.ErrnoException).code})` }, { cause: err });
      }
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new TusouError('STORE_UNAVAILABLE', { reason: `process ${pid} is using this data directory (stop it, or use the REST API of the running server)` });
      }
      unlinkSync(file);
      crashed = true;
    }
  }
  throw new TusouError('STORE_UNAVAILABLE', { reason: `cannot take the lock ${file}` });
}
