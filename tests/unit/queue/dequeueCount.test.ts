import { dequeueCountOf } from '../../../shared/queue/dequeueCount';

test('a dequeue count is a whole number of at least 1; missing reads as the first try', () => {
  expect(dequeueCountOf(3)).toBe(3);
  expect(dequeueCountOf('2')).toBe(2);
  expect(dequeueCountOf(undefined)).toBe(1);
});

test.each([0, -1, 1.5, Number.NaN, '', 'two', '1e400', {}, true])('dequeueCount %p is refused, named', (value) => {
  expect(() => dequeueCountOf(value)).toThrow(
    /^The trigger's dequeueCount is .+: expected a whole number of at least 1$/,
  );
});

test('the error names the value', () => {
  expect(() => dequeueCountOf('two')).toThrow(`The trigger's dequeueCount is 'two'`);
});
