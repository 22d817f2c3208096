/**
 * The watch page's block of template.yaml: a public, response-streaming function URL whose only
 * credential is the token checked in code, a generated link key only the functions that sign or
 * check links may read, read access to just what the page shows, and the links' settings for the
 * webhook and publisher (the publisher's through an SSM parameter: no circular dependency).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBuildScript } from '../../src/local/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let t: any;
let R: Record<string, any>;

beforeAll(async () => {
  t = (await loadBuildScript(ROOT)).parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
  R = t.Resources;
});

const statements = (role: any) => role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
const bucketArn = (suffix: string) => ({ 'Fn::Sub': `\${ArtifactBucket.Arn}${suffix}` });

describe('template.yaml: watch page', () => {
  it('serves the page from its own public, response-streaming function URL; progress keeps IAM auth', () => {
    expect(R.View.Properties.FunctionUrlConfig).toEqual({ AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
    expect(R.Progress.Properties.FunctionUrlConfig).toEqual({ AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
    expect(R.ViewUrlInvokePermission.Properties).toEqual({ Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'View' }, Principal: '*', InvokedViaFunctionUrl: true });
    expect([R.View.Metadata.BuildProperties.EntryPoints, R.View.Properties.Handler, R.View.Properties.Role]).toEqual([['functions/view.ts'], 'view.handler', { 'Fn::GetAtt': ['ViewRole', 'Arn'] }]);
    expect(R.View.Properties.Environment.Variables).toEqual({ TASK_QUEUE_URL: '', VIEW_TOKEN_SECRET_ARN: { Ref: 'ViewTokenSecret' } });
  });

  it('generates the link key in Secrets Manager', () => {
    expect(R.ViewTokenSecret.Type).toBe('AWS::SecretsManager::Secret');
    expect(R.ViewTokenSecret.Properties.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
  });

  it("lets the view function read only what the page shows (so its download links reach nothing else), list events and read the key", () => {
    expect(statements(R.ViewRole)).toEqual([
      { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['ViewLogGroup', 'Arn'] } },
      {
        Sid: 'ReadWhatThePageShows',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [bucketArn('/tasks/*/task.json'), bucketArn('/tasks/*/result.json'), bucketArn('/tasks/*/diff.patch'), bucketArn('/tasks/*/transcript.json'), bucketArn('/tasks/*/events/*')],
      },
      { Sid: 'ListTaskEvents', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': ['ArtifactBucket', 'Arn'] }, Condition: { StringLike: { 's3:prefix': 'tasks/*' } } },
      { Sid: 'ReadLinkKey', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'ViewTokenSecret' } },
    ]);
  });

  it('gives only the view, webhook and publisher roles the key, and the worker nothing of the watch page', () => {
    const readers = Object.entries(R)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .filter(([, r]) => statements(r).some((s: any) => JSON.stringify(s.Resource ?? '').includes('"ViewTokenSecret"')))
      .map(([id]) => id);
    expect(readers.sort()).toEqual(['PublisherRole', 'ViewRole', 'WebhookRole']);
    expect(JSON.stringify([R.Worker, R.WorkerRole])).not.toMatch(/View/);
  });

  it('hands the webhook the page URL and the publisher the parameter holding it, with the key and link lifetime', () => {
    expect(R.Webhook.Properties.Environment.Variables).toMatchObject({
      VIEW_URL: { 'Fn::GetAtt': ['ViewUrl', 'FunctionUrl'] },
      VIEW_TOKEN_SECRET_ARN: { Ref: 'ViewTokenSecret' },
      VIEW_LINK_TTL_SECONDS: { Ref: 'ViewLinkTtlSeconds' },
    });
    const name = { 'Fn::Sub': '/agent-runner/${AWS::StackName}/view-url' };
    expect(R.Publisher.Properties.Environment.Variables).toMatchObject({ VIEW_URL_PARAMETER: name, VIEW_TOKEN_SECRET_ARN: { Ref: 'ViewTokenSecret' }, VIEW_LINK_TTL_SECONDS: { Ref: 'ViewLinkTtlSeconds' } });
    expect(R.ViewUrlParameter.Properties).toEqual({ Name: name, Type: 'String', Value: { 'Fn::GetAtt': ['ViewUrl', 'FunctionUrl'] }, Description: expect.any(String) });
    expect(statements(R.PublisherRole).find((s: any) => s.Sid === 'ReadWatchPageUrl')).toEqual({
      Sid: 'ReadWatchPageUrl',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/agent-runner/${AWS::StackName}/view-url' },
    });
    expect(t.Parameters.ViewLinkTtlSeconds).toMatchObject({ Type: 'Number', Default: 604800 });
  });

  it('outputs the page URL and the key secret for the CLI', () => {
    expect([t.Outputs.ViewUrl.Value, t.Outputs.ViewTokenSecretArn.Value, t.Outputs.ViewFunctionName.Value]).toEqual([{ 'Fn::GetAtt': ['ViewUrl', 'FunctionUrl'] }, { Ref: 'ViewTokenSecret' }, { Ref: 'View' }]);
  });
});
