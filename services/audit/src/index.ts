export * from './server';
export * from './schema';
export * from './orm.config';
export * from './context';
