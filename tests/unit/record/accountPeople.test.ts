import { accountNote, accountPosition, ordinal } from '../../../shared/record/accountPeople';

const NOW = new Date('2025-03-14T12:00:00Z');
const DAY = 24 * 3_600_000;
const ago = (days: number): string => new Date(NOW.getTime() - days * DAY).toISOString();

describe('ordinal', () => {
  test.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [10, '10th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [23, '23rd'],
    [101, '101st'],
    [111, '111th'],
    [112, '112th'],
    [1002, '1002nd'],
  ])('%i → %s', (n, text) => {
    expect(ordinal(n)).toBe(text);
  });
});

describe('accountPosition', () => {
  test('counts this person and every other person seen in the last 7 days, once each', () => {
    const sightings = [
      { personKey: 'a', at: ago(1) },
      { personKey: 'a', at: ago(2) },
      { personKey: 'b', at: ago(6.9) },
      { personKey: 'me', at: ago(0) },
    ];
    expect(accountPosition(sightings, 'me', NOW)).toBe(3);
  });

  test('people seen only before the window, or in the future, do not count', () => {
    const sightings = [
      { personKey: 'old', at: ago(7.1) },
      { personKey: 'future', at: ago(-1) },
      { personKey: 'bad', at: 'not a time' },
    ];
    expect(accountPosition(sightings, 'me', NOW)).toBe(1);
  });

  test('a person coming back is still counted once', () => {
    expect(accountPosition([{ personKey: 'me', at: ago(3) }], 'me', NOW)).toBe(1);
  });
});

describe('accountNote', () => {
  test('says nothing for the first person', () => {
    expect(accountNote({ label: 'fabrikam.com' }, 1)).toBeUndefined();
    expect(accountNote({ label: 'fabrikam.com' }, 0)).toBeUndefined();
  });

  test('names the position and the account', () => {
    expect(accountNote({ label: 'fabrikam.com' }, 2)).toBe('2nd person from fabrikam.com this week');
    expect(accountNote({ label: 'fabrikam.com' }, 3)).toBe('3rd person from fabrikam.com this week');
    expect(accountNote({ label: 'Fabrikam sp. z o.o.' }, 11)).toBe('11th person from Fabrikam sp. z o.o. this week');
  });
});
