export { createServer, type ExecGuardServer, SERVER_VERSION, type ServerOptions } from './app.js';
export { DEFAULT_LIMITS, type Limits } from './context.js';
