/** Time as a dependency, so domain code can be tested with a fixed clock instead of sleeping. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
