export * from './format.js';
export * from './parse.js';
export * from './render.js';
export * from './accumulator.js';
export * from './definitions.js';
