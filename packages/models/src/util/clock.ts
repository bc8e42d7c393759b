/** Injectable time source (`clock` option everywhere). */
export type Clock = () => Date;
/** Injectable id source (`idGenerator` option everywhere). */
export type IdGenerator = () => string;

export const systemClock: Clock = () => new Date();
/** `crypto.randomUUID()` through the global `crypto` (no `node:` import). */
export const randomId: IdGenerator = () => crypto.randomUUID();
