/**
 * The GitHub block of template.yaml: a public webhook function URL, a publisher triggered by the
 * result object, the secrets' parameters, least-privilege roles (only webhook and publisher read
 * GitHub secrets), valid against the SAM schema, and no circular dependency through the bucket's
 * notification.
 */
import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const TAGS = ['Ref', 'Condition', 'GetAtt', 'Sub', 'If', 'Not', 'Equals', 'And', 'Or', 'Join', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Base64', 'GetAZs', 'Cidr'];
const long = (t: string) => (t === 'Ref' || t === 'Condition' ? t : `Fn::${t}`);
const customTags = TAGS.flatMap((t) => [
  { tag: `!${t}`, resolve: (v: string) => ({ [long(t)]: t === 'GetAtt' ? v.split('.') : v }) },
  { tag: `!${t}`, collection: 'seq' as const, resolve: (s: { toJSON(): unknown }) => ({ [long(t)]: s.toJSON() }) },
  { tag: `!${t}`, collection: 'map' as const, resolve: (m: { toJSON(): unknown }) => ({ [long(t)]: m.toJSON() }) },
]);

const template = parse(readFileSync(new URL('../../template.yaml', import.meta.url), 'utf8'), { customTags }) as Record<string, any>;
const R = template.Resources as Record<string, any>;
const SECRET_PARAMS = ['GitHubWebhookSecretArn', 'GitHubTokenSecretArn', 'GitHubAppPrivateKeySecretArn'];

/** Logical ids a value refers to (Ref, GetAtt, ${X} in Sub). */
function refsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt') out.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? String(v[0]) : String(v);
        for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) out.add(m[1]);
        if (Array.isArray(v)) refsIn(v[1], out);
      } else refsIn(v, out);
    }
  }
  return out;
}

function statements(roleOrPolicy: any): any[] {
  const docs = roleOrPolicy.Type === 'AWS::IAM::Policy' ? [roleOrPolicy.Properties.PolicyDocument] : (roleOrPolicy.Properties.Policies ?? []).map((p: any) => p.PolicyDocument);
  return docs.flatMap((d: any) => d.Statement);
}

describe('template.yaml: GitHub block', () => {
  it('validates against the SAM schema', () => {
    const schema = JSON.parse(readFileSync(new URL('../fixtures/sam/sam.schema.json', import.meta.url), 'utf8'));
    // The package is CommonJS: its class is the default export's `default` under NodeNext.
    type Validator = new (opts: object) => { validate(schema: unknown, data: unknown): boolean; errors?: unknown[] | null };
    const Ajv = ((AjvDraft04 as any).default ?? AjvDraft04) as Validator;
    const ajv = new Ajv({ strict: false, allErrors: true });
    expect([ajv.validate(schema, template), ajv.errors ?? null]).toEqual([true, null]);
  });

  it('has the secrets as parameters and both functions on nodejs22.x with esbuild metadata', () => {
    for (const p of [...SECRET_PARAMS, 'GitHubAppId', 'GitHubApiUrl', 'TriggerLabel', 'TriggerCheckRuns', 'CiFixLabel', 'CiFixMaxAttempts']) expect(template.Parameters[p]).toBeDefined();
    for (const [id, entry] of [['Webhook', 'functions/webhook.ts'], ['Publisher', 'functions/publisher.ts']]) {
      expect(R[id].Type).toBe('AWS::Serverless::Function');
      expect(R[id].Properties.Runtime ?? template.Globals.Function.Runtime).toBe('nodejs22.x');
      expect(R[id].Metadata.BuildMethod).toBe('esbuild');
      expect(R[id].Metadata.BuildProperties.EntryPoints).toEqual([entry]);
    }
  });

  it('exposes the webhook as a public function URL and triggers the publisher by the result object', () => {
    expect(R.Webhook.Properties.FunctionUrlConfig).toEqual({ AuthType: 'NONE' });
    expect(R.WebhookUrlInvokePermission.Properties).toEqual({ Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Webhook' }, Principal: '*', InvokedViaFunctionUrl: true });
    expect(R.Publisher.Properties.Events).toEqual({
      TaskResult: {
        Type: 'S3',
        Properties: {
          Bucket: { Ref: 'ArtifactBucket' },
          Events: 's3:ObjectCreated:*',
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'tasks/' }, { Name: 'suffix', Value: '/result.json' }] } },
        },
      },
    });
  });

  it('lets only the webhook, publisher and source-token roles read the GitHub secrets (the worker only its provider keys), and gives the worker no GitHub setting', () => {
    const readers = Object.entries(R)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::Policy')
      .filter(([, r]) => statements(r).some((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue')))
      .map(([id]) => id);
    expect(readers.sort()).toEqual(['PublisherRole', 'SourceTokenRole', 'ViewRole', 'WebhookRole', 'WorkerProviderSecretsPolicy']);
    // The view function reads only the key of its links.
    expect(statements(R.ViewRole).filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))).toEqual([
      { Sid: 'ReadLinkKey', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'ViewTokenSecret' } },
    ]);
    expect(statements(R.WorkerProviderSecretsPolicy)).toEqual([
      { Sid: 'ReadProviderKeys', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'ProviderSecretsArn' } },
    ]);
    const workerRefs = refsIn([R.Worker, R.WorkerRole, template.Globals]);
    expect(SECRET_PARAMS.filter((p) => workerRefs.has(p))).toEqual([]);
    expect(Object.keys(R.Worker.Properties.Environment.Variables).filter((k) => k.startsWith('GITHUB_'))).toEqual([]);
  });

  it('allows no wildcard action or resource in the GitHub roles', () => {
    for (const id of ['WebhookRole', 'PublisherRole', 'PublisherArtifactsPolicy', 'PullStatePolicy', 'WebhookTaskControlPolicy', 'SourceTokenRole', 'WorkerSourceTokenPolicy']) {
      for (const s of statements(R[id])) {
        expect([s.Action].flat().some((a: string) => a === '*' || a.endsWith(':*'))).toBe(false);
        expect([s.Resource].flat().some((r: unknown) => r === '*')).toBe(false);
      }
    }
  });

  it('keeps the publisher free of references to the bucket that notifies it (no circular dependency)', () => {
    const globalsEnv = { ...template.Globals.Function.Environment.Variables, ...R.Publisher.Properties.Environment.Variables };
    const { Events: _events, ...props } = R.Publisher.Properties;
    const seen = new Set<string>();
    const todo = [...refsIn([props, globalsEnv, R.Publisher.Metadata])];
    while (todo.length) {
      const id = todo.pop()!;
      if (seen.has(id) || !R[id]) continue;
      seen.add(id);
      todo.push(...refsIn(R[id]));
    }
    expect(seen.has('ArtifactBucket')).toBe(false);
    expect(refsIn(R.PublisherArtifactsPolicy).has('ArtifactBucket')).toBe(true);
  });

  it('keeps CI fixing off by default, and lets the webhook and publisher touch only the pull request records when it is on', () => {
    expect([template.Parameters.TriggerCheckRuns.Default, template.Parameters.CiFixLabel.Default, template.Parameters.CiFixMaxAttempts.Default]).toEqual(['false', 'agent-fix', 2]);
    expect(template.Conditions.CiFixEnabled).toEqual({ 'Fn::And': [{ Condition: 'GitHubEnabled' }, { 'Fn::Equals': [{ Ref: 'TriggerCheckRuns' }, 'true'] }] });
    expect(R.PullStatePolicy.Condition).toBe('CiFixEnabled');
    expect(R.PullStatePolicy.Properties.Roles).toEqual([{ Ref: 'WebhookRole' }, { Ref: 'PublisherRole' }]);
    expect(statements(R.PullStatePolicy).map((s) => [s.Action, s.Resource, s.Condition ?? null])).toEqual([
      [['s3:GetObject', 's3:PutObject'], { 'Fn::Sub': '${ArtifactBucket.Arn}/webhook/ci-fix/*' }, null],
      ['s3:ListBucket', { 'Fn::GetAtt': ['ArtifactBucket', 'Arn'] }, { StringLike: { 's3:prefix': 'webhook/ci-fix/*' } }],
    ]);
    expect(R.Webhook.Properties.Environment.Variables).toMatchObject({
      TRIGGER_CHECK_RUNS: { Ref: 'TriggerCheckRuns' },
      CI_FIX_LABEL: { Ref: 'CiFixLabel' },
      CI_FIX_MAX_ATTEMPTS: { Ref: 'CiFixMaxAttempts' },
      TIMEOUT_SECONDS: { Ref: 'TaskTimeoutSeconds' },
    });
    expect(R.Publisher.Properties.Environment.Variables.TRIGGER_CHECK_RUNS).toEqual({ Ref: 'TriggerCheckRuns' });
  });

  it('lets the webhook index tasks, write cancel requests and read results and the ledger, nothing more; the publisher opts out of partial drafts by parameter', () => {
    const p = R.WebhookTaskControlPolicy;
    expect([p.Condition, p.Properties.Roles]).toEqual(['GitHubEnabled', [{ Ref: 'WebhookRole' }]]);
    expect(statements(p).map((s) => [s.Action, s.Resource, s.Condition ?? null])).toEqual([
      [['s3:PutObject', 's3:DeleteObject'], { 'Fn::Sub': '${ArtifactBucket.Arn}/webhook/threads/*' }, null],
      ['s3:PutObject', { 'Fn::Sub': '${ArtifactBucket.Arn}/tasks/*/cancel.json' }, null],
      [
        's3:GetObject',
        [{ 'Fn::Sub': '${ArtifactBucket.Arn}/tasks/*/result.json' }, { 'Fn::Sub': '${ArtifactBucket.Arn}/tasks/*/task.json' }, { 'Fn::Sub': '${ArtifactBucket.Arn}/budget/*' }],
        null,
      ],
      ['s3:ListBucket', { 'Fn::GetAtt': ['ArtifactBucket', 'Arn'] }, { StringLike: { 's3:prefix': ['webhook/threads/*', 'tasks/*', 'budget/*'] } }],
    ]);
    expect(R.Webhook.Properties.Environment.Variables).toMatchObject({ MONTHLY_BUDGET_USD: { Ref: 'MonthlyBudgetUsd' }, REPOSITORY_MONTHLY_BUDGET_USD: { Ref: 'RepositoryMonthlyBudgetUsd' } });
    expect([template.Parameters.PublishPartialWork.Default, R.Publisher.Properties.Environment.Variables.PUBLISH_PARTIAL_WORK]).toEqual(['true', { Ref: 'PublishPartialWork' }]);
  });
});
