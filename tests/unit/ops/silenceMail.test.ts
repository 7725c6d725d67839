import { renderLeadsBack, renderSilenceAlarm } from '../../../shared/ops/silenceMail';

const silentSince = new Date('2025-03-01T14:03:00Z');
const now = new Date('2025-03-16T15:00:00Z');

describe('renderSilenceAlarm', () => {
  const mail = renderSilenceAlarm({
    silentSince,
    now,
    days: 14,
    lastTestLeadAt: new Date('2025-03-10T08:00:00Z'),
    lastOffer: 'Contoso <Widget>\n& more',
  });

  test('the subject names how long and since when', () => {
    expect(mail.subject).toBe('No marketplace leads for 15 d (last one 2025-03-01 14:03 UTC)');
  });

  test('names the last test lead, the checks to make and the setting, in both parts', () => {
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('2025-03-10 08:00 UTC');
      expect(part).toContain('Validate');
      expect(part).toContain('/api/health');
      expect(part).toContain('SILENCE_ALERT_DAYS');
    }
    expect(mail.text).toContain('(offer Contoso <Widget> & more)');
  });

  test('the offer, the only text not of our making, is escaped and kept on one line', () => {
    expect(mail.html).toContain('(offer Contoso &lt;Widget&gt; &amp; more)');
    expect(mail.html).not.toContain('<Widget>');
    expect(mail.text).not.toContain('<Widget>\n');
  });

  test('says when no test lead came either', () => {
    expect(renderSilenceAlarm({ silentSince, now, days: 14 }).text).toContain('No test lead has arrived either.');
  });
});

describe('renderLeadsBack', () => {
  test('names the silence and the lead that ended it', () => {
    const mail = renderLeadsBack({ silentSince, backAt: new Date('2025-03-20T09:30:00Z') });
    expect(mail.subject).toBe('Marketplace leads are arriving again (after 18 d 19 h without one)');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('2025-03-20 09:30 UTC');
      expect(part).toContain('2025-03-01 14:03 UTC');
    }
  });
});
