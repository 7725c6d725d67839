import { monotonicFactory } from 'ulid';

/** ULIDs sort by creation time; the monotonic factory keeps that order within one millisecond too. */
export const newUlid: () => string = monotonicFactory();
