import { keyedTurns } from '../../shared/turns';

/** A task that records when it starts and ends, and finishes only when released. */
function gated(log: string[], name: string): { task: () => Promise<string>; release(fail?: boolean): void } {
  let release: (fail?: boolean) => void = () => undefined;
  const done = new Promise<void>(
    (resolve, reject) => (release = (fail) => (fail ? reject(new Error(name)) : resolve())),
  );
  return {
    task: async () => {
      log.push(`start ${name}`);
      try {
        await done;
      } finally {
        log.push(`end ${name}`);
      }
      return name;
    },
    release: (fail) => release(fail),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('tasks of one key run one at a time, in order, and a failure passes the turn on', async () => {
  const turns = keyedTurns();
  const log: string[] = [];
  const [a, b, c] = [gated(log, 'a'), gated(log, 'b'), gated(log, 'c')];
  const runs = [turns('k', a.task), turns('k', b.task), turns('k', c.task)];
  await tick();
  expect(log).toEqual(['start a']);
  a.release(true);
  await expect(runs[0]).rejects.toThrow('a');
  await tick();
  expect(log).toEqual(['start a', 'end a', 'start b']);
  b.release();
  c.release();
  await expect(Promise.all(runs.slice(1))).resolves.toEqual(['b', 'c']);
  expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
});

test('tasks of different keys run side by side', async () => {
  const turns = keyedTurns();
  const log: string[] = [];
  const [a, b] = [gated(log, 'a'), gated(log, 'b')];
  const runs = [turns('one', a.task), turns('two', b.task)];
  await tick();
  expect(log).toEqual(['start a', 'start b']);
  b.release();
  a.release();
  await expect(Promise.all(runs)).resolves.toEqual(['a', 'b']);
});
