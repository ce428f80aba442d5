export * from './errors';
export * from './pagination';
export * from './principal';
export * from './scopes';
export * from './ids';
export * from './schema';
export * from './tracing';
export * from './net/safe-url';
