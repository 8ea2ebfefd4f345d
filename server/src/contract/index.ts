export * from './engagement';
export * from './errors';
export * from './governance';
export * from './media';
export * from './protocol';
export * from './rest';
export * from './socket';
export * from './text';
