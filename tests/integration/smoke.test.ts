/**
 * `npm run smoke` against the local host, as it runs against a deployment: a test lead is posted, listed, timed
 * and erased. And what it says when the app does not get a lead through, or refuses the key.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { repoRoot, startHost, startTestAzurite } from '../support/hostProcess';
import { getJson, type LeadSummary, listAll } from '../support/leadApi';

const SCRIPT = path.join(repoRoot, 'build', 'scripts', 'smoke.js');

function smoke(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run smoke', () => {
  let azurite: RunningAzurite;

  beforeAll(async () => {
    azurite = await startTestAzurite();
  });

  afterAll(async () => {
    await azurite?.stop();
  });

  test('posts a test lead, waits until the API lists it, prints how long that took, and erases it', async () => {
    const host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
    try {
      // The lead URL azd prints (LEAD_URL) names the app as well as its base URL does.
      const result = await smoke(`${host.baseUrl}/api/leads`, 'the-master-key');
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(
        /^Posted test lead (MSFT_TEST_\d+) to http:\/\/127\.0\.0\.1:\d+\/api\/leads: 202 after \d+ ms$/m,
      );
      const leadId = /Listed by the API as lead ([0-9A-Z]{26}) \d+\.\d s after it was posted/.exec(result.stdout)?.[1];
      expect(leadId).toBeDefined();
      expect(result.stdout).toContain(`Erased lead ${leadId}`);
      expect(result.stdout).toMatch(/Smoke test passed: a lead reached the API \d+\.\d s after it was posted/);
      expect(result.stdout).not.toContain('the-master-key');

      // Stored as a test lead, then erased: only an anonymised tombstone is left.
      const { status, body } = await getJson<{ lead: LeadSummary }>(`${host.baseUrl}/api/leads/${leadId}`);
      expect(status).toBe(200);
      expect(body.lead.isTest).toBe(true);
      expect(body.lead.email).toBeUndefined();
      const { items } = await listAll(host.baseUrl, 'includeTest=true');
      expect(items.filter((l) => l.email !== undefined)).toEqual([]);
    } finally {
      await host.stop();
    }
  });

  test('fails, naming what to look at, when the lead is accepted but never processed', async () => {
    const host = await startHost({
      AzureWebJobsStorage: azurite.connectionString,
      'AzureWebJobs.processLead.Disabled': 'true',
    });
    try {
      const result = await smoke(host.baseUrl, '--timeout', '2');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^Posted test lead/m);
      expect(result.stderr).toMatch(
        /^Smoke test failed: The lead was accepted but not listed within 2 s: .*processLead.*; GET \/api\/health answered 200/m,
      );
    } finally {
      await host.stop();
    }
  });

  test('sends the key in the x-functions-key header, never in a URL, and says when it is refused', async () => {
    const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      req.resume();
      res.writeHead(401).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await smoke(`http://127.0.0.1:${port}`, 'a-wrong-key');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^Smoke test failed: POST \/api\/leads answered 401 \(is the key right\?/m);
      expect(seen).toEqual([
        { url: '/api/leads', headers: expect.objectContaining({ 'x-functions-key': 'a-wrong-key' }) },
      ]);
      expect(result.stdout + result.stderr).not.toContain('a-wrong-key');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('refuses what is not a base URL before sending anything', async () => {
    expect(await smoke('func-abc.azurewebsites.net')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/is not a URL: expected the app's base URL/),
    });
    expect(await smoke('https://func-abc.azurewebsites.net/api/leads?code=secret')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Give the key as the second argument, not in the URL/),
    });
  });
});
