export * from './job';
export * from './build';
export * from './workItem';
export * from './shareChecker';
