export * from './sink.js';
export * from './outcome.js';
export * from './runner.js';
export * from './processor.js';
export * from './retry-loop.js';
