export * from './errors';
export * from './protocol';
export * from './rest';
export * from './socket';
