import { parseStatusUpdate } from '../../../shared/sell/statusUpdate';

describe('PATCH body', () => {
  test('a valid update', () => {
    expect(parseStatusUpdate('{"status":"qualified","note":" called, budget ok ","by":"Ana"}')).toEqual({
      ok: true,
      update: { status: 'qualified', note: 'called, budget ok', by: 'Ana', via: 'api' },
    });
  });

  test('a bad status names the allowed values', () => {
    const result = parseStatusUpdate('{"status":"done"}');
    expect(result).toEqual({
      ok: false,
      body: {
        error: 'invalid_request',
        message: 'status must be one of new, contacted, qualified, disqualified',
        problems: [
          {
            field: 'status',
            rule: 'enum',
            message: 'status must be one of new, contacted, qualified, disqualified',
            allowed: ['new', 'contacted', 'qualified', 'disqualified'],
          },
        ],
      },
    });
  });

  test('bad JSON, a non-object and over-long note/by are 400 problems', () => {
    expect(parseStatusUpdate('{status:')).toMatchObject({
      ok: false,
      body: { error: 'invalid_request', problems: [{ field: 'body', rule: 'json' }] },
    });
    expect(parseStatusUpdate('[]')).toMatchObject({ ok: false, body: { problems: [{ field: 'body', rule: 'type' }] } });
    const long = parseStatusUpdate(
      JSON.stringify({ status: 'contacted', note: 'x'.repeat(1001), by: 'y'.repeat(201) }),
    );
    expect(long).toMatchObject({
      ok: false,
      body: {
        problems: [
          { field: 'note', rule: 'maxLength' },
          { field: 'by', rule: 'maxLength' },
        ],
      },
    });
    expect(
      parseStatusUpdate(JSON.stringify({ status: 'contacted', note: 'x'.repeat(1000), by: 'y'.repeat(200) })).ok,
    ).toBe(true);
    expect(parseStatusUpdate('{"status":"new","note":5}')).toMatchObject({
      ok: false,
      body: { problems: [{ field: 'note', rule: 'type' }] },
    });
  });
});

describe('PATCH body: stored text is cleaned', () => {
  test('note keeps its lines but loses controls and lone surrogates; by is one clean line', () => {
    const body = JSON.stringify({
      status: 'contacted',
      note: 'Called\u0000 back\ud800.\r\nWill \u202Ecall again',
      by: ' Ola\u0007\n Nowak\udc00 ',
    });
    expect(parseStatusUpdate(body)).toMatchObject({
      ok: true,
      update: { note: 'Called back.\nWill call again', by: 'Ola Nowak' },
    });
  });
});

describe('PATCH body: where the change was made', () => {
  test('the dashboard says so; anything else is refused naming the allowed values', () => {
    expect(parseStatusUpdate('{"status":"contacted","via":"dashboard"}')).toMatchObject({
      ok: true,
      update: { via: 'dashboard' },
    });
    expect(parseStatusUpdate('{"status":"contacted","via":"email"}')).toMatchObject({
      ok: false,
      body: { problems: [{ field: 'via', rule: 'enum', message: 'via must be api or dashboard' }] },
    });
  });
});
