// A tusou server in a child process (the real CLI), for tests that kill it or restart it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testStoreEnv } from './stores.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Every JSON log line the server wrote so far. */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code or signal once the process ended. */
  exited: Promise<number | string>;
}

/** Start `tusou serve` on a free loopback port with `dataDir` (and its test store; new instances default to the colour histogram, as in startTestServer); resolves once it listens. */
export async function spawnServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
    env: { ...process.env, TUSOU_DATA_DIR: dataDir, TUSOU_PORT: '0', TUSOU_LOG_LEVEL: 'info', TUSOU_DEFAULT_DESCRIPTOR: 'colour-hist-rgb512@1', TUSOU_DEFAULT_RERANKER: 'none', ...testStoreEnv(dataDir), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    let nl: number;
    while ((nl = stderr.indexOf('\n')) >= 0) {
      const line = stderr.slice(0, nl);
      stderr = stderr.slice(nl + 1);
      try { logs.push(JSON.parse(line) as Record<string, unknown>); } catch { logs.push({ text: line }); }
    }
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s; logs: ${JSON.stringify(logs)}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving at (http:\/\/[^/\s]+)\//.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before listening; logs: ${JSON.stringify(logs)}`)); });
  });
  return { url, child, logs, exited };
}

/**
 * Run a `tusou` command to its end on `dataDir` with the same store a spawned server of that
 * directory uses (SQLite, or its schema on the PostgreSQL pass); logs are silent unless `env` says.
 */
export function runCli(dataDir: string, args: readonly string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--data-dir', dataDir, ...args], {
    encoding: 'utf8', env: { ...process.env, TUSOU_LOG_LEVEL: 'silent', ...testStoreEnv(dataDir), ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
