export * from './composition';
export * from './gateway';
