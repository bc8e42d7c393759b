/** The per-key async mutex of the store: the shared one of @chuk/models. */
export { KeyedMutex } from '@chuk/models';
