/**
 * What can be checked of infra/ and azure.yaml without a Bicep compiler or an Azure subscription: the files are
 * well formed as far as brackets and strings go, every parameter and variable is used, modules get exactly the
 * parameters they declare, API versions are pinned GA versions, no registry modules, the role assignments are the
 * documented built-in roles (named in a comment) and no more, the security properties the design relies on, Flex
 * Consumption with Node.js 22 and a capped scale-out, and the app settings set in one place.
 */
import fs from 'node:fs';
import path from 'node:path';

import {
  blockAt,
  type Declaration,
  declarations,
  scan,
  type Scanned,
  topLevelKeys,
  usedOutside,
} from '../../support/bicep';

const root = path.resolve(__dirname, '..', '..', '..');
const infra = path.join(root, 'infra');

interface BicepFile {
  file: string;
  text: string;
  scanned: Scanned;
  decls: Declaration[];
}

function load(file: string): BicepFile {
  const text = fs.readFileSync(path.join(infra, file), 'utf8');
  const scanned = scan(text);
  return { file, text, scanned, decls: declarations(scanned) };
}

const files: BicepFile[] = [
  'main.bicep',
  ...fs
    .readdirSync(path.join(infra, 'app'))
    .filter((f) => f.endsWith('.bicep'))
    .map((f) => `app/${f}`),
].map(load);
const byName = (file: string): BicepFile => {
  const found = files.find((f) => f.file === file);
  if (found === undefined) throw new Error(`no ${file}`);
  return found;
};
const main = byName('main.bicep');
const functionApp = byName('app/function.bicep');

/** The body of a declaration: from its keyword to the end of its `{...}` block (or its line). */
function extent(f: BicepFile, d: Declaration): { from: number; to: number } {
  const lineEnd = f.scanned.code.indexOf('\n', d.at);
  const brace = f.scanned.code.indexOf('{', d.at);
  if ((d.kind === 'resource' || d.kind === 'module') && brace >= 0)
    return { from: d.at, to: blockAt(f.scanned, brace).end };
  return { from: d.at, to: lineEnd < 0 ? f.text.length : lineEnd };
}

// Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
const ROLES: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  '09976791-48a7-449e-bb21-39d1a415f350': 'Communication and Email Service Owner',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
};
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe.each(files.map((f) => [f.file, f] as const))('%s', (_name, f) => {
  test('brackets balance and every string and comment closes', () => {
    expect(f.scanned.problems).toEqual([]);
  });

  test('every parameter and variable is used', () => {
    const unused = f.decls
      .filter((d) => d.kind === 'param' || d.kind === 'var')
      .filter((d) => {
        const { from, to } = extent(f, d);
        return !usedOutside(f.scanned, d.name, from, to);
      })
      .map((d) => `${d.kind} ${d.name}`);
    expect(unused).toEqual([]);
  });

  test('every resource pins a GA API version; modules are local files, never registry modules', () => {
    for (const d of f.decls.filter((x) => x.kind === 'resource')) {
      expect(d.target).toMatch(/^[A-Za-z]+\.[A-Za-z]+(\/[A-Za-z]+)+@\d{4}-\d{2}-\d{2}$/);
    }
    expect(f.text).not.toMatch(/['"](br|ts)[:/]/);
    for (const d of f.decls.filter((x) => x.kind === 'module')) {
      expect(d.target).toMatch(/^[\w./-]+\.bicep$/);
      expect(fs.existsSync(path.join(infra, path.dirname(f.file), d.target ?? ''))).toBe(true);
    }
  });

  test('role ids are the documented built-in roles, each named in a comment on its line or the line above', () => {
    f.text.split('\n').forEach((line, index) => {
      for (const id of line.match(GUID) ?? []) {
        expect(ROLES).toHaveProperty([id]);
        const nearby = f.scanned.comments.filter((c) => c.line === index + 1 || c.line === index);
        expect(nearby.map((c) => c.text).join(' ')).toContain(ROLES[id]);
      }
    });
  });
});

describe('modules', () => {
  test('each module call passes exactly the parameters the module declares, and every one without a default', () => {
    for (const m of main.decls.filter((d) => d.kind === 'module')) {
      const module = byName(path.posix.normalize(m.target ?? ''));
      const block = blockAt(main.scanned, main.scanned.code.indexOf('{', m.at));
      const paramsAt = block.code.search(/\bparams\s*:/);
      const passed = topLevelKeys(blockAt(main.scanned, block.start + paramsAt).code);
      const declared = module.decls.filter((d) => d.kind === 'param');
      const required = declared
        .filter((d) => !/=/.test(module.scanned.code.slice(d.at, module.scanned.code.indexOf('\n', d.at))))
        .map((d) => d.name);
      expect({ module: m.name, unknown: passed.filter((p) => !declared.some((d) => d.name === p)) }).toEqual({
        module: m.name,
        unknown: [],
      });
      expect({ module: m.name, missing: required.filter((r) => !passed.includes(r)) }).toEqual({
        module: m.name,
        missing: [],
      });
    }
  });
});

describe('security and hosting', () => {
  const all = files.map((f) => f.scanned.code).join('\n');

  test('storage refuses shared keys; Application Insights and Communication Services refuse local auth', () => {
    expect(byName('app/storage.bicep').scanned.code).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(byName('app/storage.bicep').scanned.code).toMatch(/allowBlobPublicAccess:\s*false/);
    expect(byName('app/monitoring.bicep').scanned.code).toMatch(/DisableLocalAuth:\s*true/);
    expect(byName('app/communication.bicep').scanned.code).toMatch(/disableLocalAuth:\s*true/);
    expect(byName('app/keyvault.bicep').scanned.code).toMatch(/enableRbacAuthorization:\s*true/);
    expect(all).not.toMatch(/listKeys\(|listConnectionStrings\(/);
  });

  test('the app identity gets exactly the roles it needs, and the only other role is the deployer’s on the vault', () => {
    const appRoles: string[] = [];
    const otherRoles: string[] = [];
    for (const f of files) {
      for (const d of f.decls.filter(
        (x) => x.kind === 'resource' && x.target?.startsWith('Microsoft.Authorization/roleAssignments@'),
      )) {
        const { from, to } = extent(f, d);
        const body = f.text.slice(from, to);
        const role =
          /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', (\w+)\)/.exec(
            body,
          )?.[1];
        if (role === undefined)
          throw new Error(`${f.file} ${d.name}: roleDefinitionId is not a built-in role id by name`);
        // The role id is a variable, or the loop variable over a list variable.
        const loop = new RegExp(`for\\s+${role}\\s+in\\s+(\\w+)`).exec(body)?.[1];
        const holder = f.decls.find((x) => x.kind === 'var' && x.name === (loop ?? role));
        if (holder === undefined) throw new Error(`${f.file} ${d.name}: no var ${loop ?? role}`);
        const holderText = f.text.slice(
          holder.at,
          loop === undefined ? f.text.indexOf('\n', holder.at) : f.text.indexOf(']', holder.at),
        );
        const ids = [...holderText.matchAll(GUID)].map((m) => m[0]);
        expect(ids.length).toBeGreaterThan(0);
        const names = [...new Set(ids)].map((id) => ROLES[id] ?? id);
        (/principalId:\s*appPrincipalId/.test(body) ? appRoles : otherRoles).push(...names);
      }
    }
    expect(appRoles.sort()).toEqual(
      [
        'Communication and Email Service Owner',
        'Key Vault Secrets User',
        'Monitoring Metrics Publisher',
        'Storage Blob Data Owner',
        'Storage Queue Data Contributor',
        'Storage Table Data Contributor',
      ].sort(),
    );
    expect(otherRoles).toEqual(['Key Vault Secrets Officer']);
  });

  test('Flex Consumption, Node.js 22, a capped scale-out, the app identity for the package and Key Vault', () => {
    const code = functionApp.scanned.withStrings;
    expect(code).toMatch(/sku:\s*\{\s*tier:\s*'FlexConsumption',\s*name:\s*'FC1'\s*\}/);
    expect(code).toMatch(/runtime:\s*\{\s*name:\s*'node',\s*version:\s*'22'\s*\}/);
    expect(code).toMatch(/maximumInstanceCount:\s*maximumInstanceCount/);
    expect(code).toMatch(/@maxValue\(1000\)\s*param maximumInstanceCount int/);
    const cap = /param maximumInstanceCount int = (\d+)/.exec(main.text)?.[1];
    expect(Number(cap)).toBeGreaterThanOrEqual(1);
    expect(Number(cap)).toBeLessThanOrEqual(40);
    expect(code).toMatch(/type:\s*'UserAssignedIdentity',\s*userAssignedIdentityResourceId:\s*identityId/);
    expect(code).toMatch(/keyVaultReferenceIdentity:\s*identityId/);
    expect(code).toMatch(/type:\s*'UserAssigned'/);
  });
});

describe('app settings', () => {
  const settingsVar = functionApp.decls.find((d) => d.kind === 'var' && d.name === 'appSettings');
  if (settingsVar === undefined) throw new Error('function.bicep has no var appSettings');
  const block = blockAt(functionApp.scanned, settingsVar.at);
  const keys = topLevelKeys(block.code);
  const valueOf = (key: string): string => {
    const at = block.start + block.code.search(new RegExp(`\\b${key}\\s*:`));
    return functionApp.scanned.withStrings.slice(at, functionApp.scanned.withStrings.indexOf('\n', at));
  };

  test('are set in one place: one appsettings resource, fed by var appSettings, and no siteConfig.appSettings', () => {
    expect(files.filter((f) => /appSettings\s*:\s*\[/.test(f.scanned.code))).toEqual([]);
    expect(functionApp.scanned.withStrings).toMatch(/name:\s*'appsettings'\s*properties:\s*appSettings/);
    expect(new Set(keys).size).toBe(keys.length);
  });

  // Which settings are set here, against the code, the sample and the README: tests/unit/settingsContract.test.ts.

  test('nothing Flex Consumption rejects, and no storage connection string', () => {
    for (const deprecated of [
      'AzureWebJobsStorage',
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_NODE_DEFAULT_VERSION',
      'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_CONTENTSHARE',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
      'SCM_DO_BUILD_DURING_DEPLOYMENT',
      'WEBSITE_TIME_ZONE',
    ]) {
      expect(keys).not.toContain(deprecated);
    }
  });

  test('secrets come from Key Vault references; the identity signs in to storage and Application Insights', () => {
    expect(valueOf('CONTACT_LINK_SECRET')).toContain("'@Microsoft.KeyVault(SecretUri=${contactLinkSecretUri})'");
    expect(valueOf('CONTACT_LINK_PREVIOUS_SECRET')).toContain('@Microsoft.KeyVault(SecretUri=');
    expect(valueOf('SMTP_PASSWORD')).toContain('@Microsoft.KeyVault(SecretUri=');
    // Each webhook URL is its own credential, and the secret signs: none of them is a plain app setting.
    for (const secret of ['TEAMS_WEBHOOK_URL', 'WEBHOOK_URL', 'WEBHOOK_SECRET'])
      expect(valueOf(secret)).toContain('@Microsoft.KeyVault(SecretUri=');
    expect(valueOf('AzureWebJobsStorage__credential')).toContain("'managedidentity'");
    expect(valueOf('AzureWebJobsStorage__clientId')).toContain('identityClientId');
    expect(valueOf('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toContain(
      "'ClientId=${identityClientId};Authorization=AAD'",
    );
  });
});

describe('azd', () => {
  const parameters = (
    JSON.parse(fs.readFileSync(path.join(infra, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: string }>;
    }
  ).parameters;
  const mainParams = main.decls.filter((d) => d.kind === 'param');

  test('main.parameters.json names only parameters of main.bicep, and gives every one without a default', () => {
    const names = mainParams.map((d) => d.name);
    expect(Object.keys(parameters).filter((p) => !names.includes(p))).toEqual([]);
    const required = mainParams.filter(
      (d) => !/=/.test(main.scanned.code.slice(d.at, main.scanned.code.indexOf('\n', d.at))),
    );
    expect(required.map((d) => d.name).filter((n) => !(n in parameters))).toEqual([]);
  });

  test('contact-link secrets come back from the vault on every deployment instead of a new random value', () => {
    const vault = byName('app/keyvault.bicep').text;
    for (const [param, secret] of [
      ['contactLinkSecret', 'contact-link-secret'],
      ['contactLinkPreviousSecret', 'contact-link-previous-secret'],
    ] as const) {
      expect(parameters[param]?.value).toBe(`$(secretOrRandomPassword \${AZURE_KEY_VAULT_NAME} ${secret})`);
      expect(vault).toContain(`name: '${secret}'`);
    }
    expect(main.text).toMatch(/^output AZURE_KEY_VAULT_NAME string = /m);
    // newGuid() only as the default of the extra randomness, never as a secret's own default.
    expect(main.text.match(/newGuid\(\)/g)).toHaveLength(1);
    expect(main.text).toMatch(/param secretEntropy string = newGuid\(\)/);
  });

  test('outputs the lead URL without a key, and the commands that print its key and the master key', () => {
    const host = JSON.parse(fs.readFileSync(path.join(root, 'host.json'), 'utf8')) as {
      extensions: { http: { routePrefix: string } };
    };
    const leadUrl = /^output LEAD_URL string = '(.*)'$/m.exec(main.text)?.[1];
    expect(leadUrl).toBe(`https://\${functionApp.outputs.defaultHostName}/${host.extensions.http.routePrefix}/leads`);
    expect(main.text).toMatch(
      /^output LEAD_KEY_COMMAND string = 'az functionapp function keys list .*--function-name ingestLead/m,
    );
    // npm run smoke erases its lead: the master key, which opens every function (docs/deploy.md).
    expect(main.text).toMatch(/^output ADMIN_KEY_COMMAND string = 'az functionapp keys list .* --query masterKey /m);
  });

  test('azure.yaml deploys the staged package of the service the site is tagged with', () => {
    const yaml = fs.readFileSync(path.join(root, 'azure.yaml'), 'utf8');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(yaml).toMatch(/^services:\n {2}api:\n/m);
    expect(functionApp.text).toContain("'azd-service-name': 'api'");
    expect(yaml).toMatch(/^ {4}host: function$/m);
    expect(yaml).toMatch(/^ {4}language: ts$/m);
    expect(yaml).toMatch(/^ {4}dist: publish$/m);
    expect(yaml).toMatch(/^ {4}remoteBuild: false$/m);
    expect(yaml.match(/run: npm run stage$/gm)).toHaveLength(2);
    expect(pkg.scripts.stage).toContain('stage-package');
  });
});
