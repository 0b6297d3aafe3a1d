// Structured logs (pino): one line per request, with its request id.

import { pino } from 'pino';

export type Logger = pino.Logger;

/** A JSON logger at `level`, writing to stderr (or to `destination`). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: undefined, redact: ['req.headers.authorization', '*.secret', '*.accessKeySecret'] }, destination ?? pino.destination(2));
}
