/**
 * Tasks that share a key run one after another in this process, in the order they asked; other keys run side by
 * side. For a read-modify-write with an ETag that many invocations of one instance aim at the same row: taking
 * turns costs one read and one write each, where racing costs a 412 and a retry for all but one of them.
 */
export type Turns = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function keyedTurns(): Turns {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(task);
    // The next task waits for this one to settle, whatever its outcome; the caller still sees its failure.
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
