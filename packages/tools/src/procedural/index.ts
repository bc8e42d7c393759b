export * from './models.js';
export * from './manager.js';
export * from './formatter.js';
export { ToolOutcome, ToolOutcomeSchema } from '@chuk/models';
export * from './hints.js';
