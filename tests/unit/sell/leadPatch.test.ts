import { DEFAULT_CRITERIA, DEFAULT_DISQUALIFY_REASONS } from '../../../shared/config/nurture';
import { parseLeadPatch } from '../../../shared/sell/leadPatch';

const KNOWN = ['Ana@Sales.example', 'ben@sales.example'];
const QUALIFICATION = { criteria: [...DEFAULT_CRITERIA], disqualifyReasons: [...DEFAULT_DISQUALIFY_REASONS] };

test('an owner is taken as the settings spell it; status and owner may come together', () => {
  expect(
    parseLeadPatch('{"owner":" ana@sales.EXAMPLE ","by":"Ola","note":"knows them"}', KNOWN, QUALIFICATION),
  ).toEqual({
    ok: true,
    patch: { owner: { owner: 'Ana@Sales.example', by: 'Ola', note: 'knows them', via: 'api' } },
  });
  const both = parseLeadPatch(
    '{"status":"contacted","owner":"ben@sales.example","note":"called","via":"dashboard"}',
    KNOWN,
    QUALIFICATION,
  );
  expect(both).toMatchObject({
    ok: true,
    patch: {
      status: { status: 'contacted', note: 'called', via: 'dashboard' },
      owner: { owner: 'ben@sales.example', note: undefined, via: 'dashboard' },
    },
  });
});

test('an address the settings do not name, an empty body and a bad status each name their field and rule', () => {
  const problems = (text: string) => {
    const result = parseLeadPatch(text, KNOWN, QUALIFICATION);
    return result.ok ? [] : (result.body.problems ?? []).map((p) => `${p.field}:${p.rule}`);
  };
  expect(problems('{"owner":"stranger@elsewhere.example"}')).toEqual(['owner:known']);
  expect(problems('{"owner":42}')).toEqual(['owner:type']);
  expect(problems('{}')).toEqual(['body:required']);
  expect(problems('{"status":"won","owner":"ben@sales.example"}')).toEqual(['status:enum']);
  expect(problems('[]')).toEqual(['body:type']);
});
