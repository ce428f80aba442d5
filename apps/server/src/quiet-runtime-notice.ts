/**
 * oidc-provider prints "Unsupported runtime" on Node 20 when it is loaded. Node 20.19+ is this
 * product's supported floor and the library works on it (the OAuth e2e tests run there), so the
 * notice would only break the promise that start-up problems are one clear line. Imported first
 * by the entry points; every other warning passes through.
 */
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING: Unsupported runtime')) return;
  warn(...args);
};
