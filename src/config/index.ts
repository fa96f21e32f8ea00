export * from './schema.js';
export * from './load.js';
export * from './host-env.js';
export * from './api-client-settings.js';
export * from './store-schema.js';
