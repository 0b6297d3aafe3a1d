// Public surface of the front-ends: the HTTP server and the logger.
export { startServer, createHttpApp, type RunningServer, type ServerOptions } from './server.js';
export { createLogger, type Logger } from './logger.js';
export { Readiness, type ReadinessState } from './readiness.js';
