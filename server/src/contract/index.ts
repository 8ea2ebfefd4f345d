export * from './engagement';
export * from './errors';
export * from './media';
export * from './protocol';
export * from './rest';
export * from './socket';
