/**
 * The deployment template's least privilege: no wildcard action anywhere, the worker's role
 * limited to its task, and the optional VPC mode (worker in private subnets with endpoints,
 * progress function outside).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadBuildScript } from '../../src/local/index.ts';
import { allStatements, wildcardActions, workerGrants } from './support/template-checks.ts';
import { securityReport } from './report.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const report = securityReport('template');
let t: any;

beforeAll(async () => {
  t = (await loadBuildScript(ROOT)).parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
});
afterAll(() => report.flush());

const text = (v: unknown) => JSON.stringify(v);
// foundation-model/* only with the bedrock:InferenceProfileArn condition (checked below).
const BEDROCK = /foundation-model\/\$\{FoundationModelId\}|inference-profile\/\$\{ModelId\}|"ApplicationInferenceProfileArns"|foundation-model\/\*/;

describe('IAM', () => {
  it('no Allow statement has a wildcard action', () => {
    report.check(`${allStatements(t).length} policy statements (roles, policies, bucket, queue and endpoint policies)`, 'no "*" in any allowed action, no NotAction', wildcardActions(t), []);
  });

  it('the worker can do nothing beyond its task', () => {
    const grants = workerGrants(t);
    const allowed: Record<string, (resource: string) => boolean> = {
      'logs:CreateLogStream': (r) => r.includes('WorkerLogGroup'),
      'logs:PutLogEvents': (r) => r.includes('WorkerLogGroup'),
      'sqs:ReceiveMessage': (r) => r.includes('"TaskQueue"'),
      'sqs:DeleteMessage': (r) => r.includes('"TaskQueue"'),
      'sqs:ChangeMessageVisibility': (r) => r.includes('"TaskQueue"'),
      'sqs:GetQueueAttributes': (r) => r.includes('"TaskQueue"'),
      'sqs:SendMessage': (r) => r.includes('"TaskQueue"'),
      // The configured model, and the application inference profiles given (models behind them only through them).
      'bedrock:InvokeModel': (r) => BEDROCK.test(r),
      'bedrock:InvokeModelWithResponseStream': (r) => BEDROCK.test(r),
      // Its tasks, the uploaded sources, and the monthly spend ledger (budget/).
      's3:GetObject': (r) => /\$\{ArtifactBucket\.Arn\}\/(tasks|inputs|budget)\/\*/.test(r),
      's3:PutObject': (r) => /\$\{ArtifactBucket\.Arn\}\/(tasks|budget)\/\*/.test(r),
      's3:DeleteObject': (r) => r.includes('${ArtifactBucket.Arn}/tasks/*'),
      's3:ListBucket': (r) => r.includes('"ArtifactBucket","Arn"'),
      // Optional grants that exist only with their feature: model-provider keys, GitHub source tokens.
      'secretsmanager:GetSecretValue': (r) => r.includes('ProviderSecretsArn'),
      'lambda:InvokeFunction': (r) => r.includes('"SourceToken"'),
      // VPC mode: the network interfaces Lambda creates for the function.
      'ec2:CreateNetworkInterface': (r) => r.includes(':ec2:${AWS::Region}:${AWS::AccountId}:'),
      'ec2:DeleteNetworkInterface': (r) => r.includes(':ec2:${AWS::Region}:${AWS::AccountId}:'),
      'ec2:AssignPrivateIpAddresses': (r) => r.includes(':ec2:${AWS::Region}:${AWS::AccountId}:'),
      'ec2:UnassignPrivateIpAddresses': (r) => r.includes(':ec2:${AWS::Region}:${AWS::AccountId}:'),
      // No resource-level permissions exist for these two: AWS requires "*".
      'ec2:DescribeNetworkInterfaces': (r) => r === '"*"',
      'ec2:DescribeSubnets': (r) => r === '"*"',
    };
    const beyond = Object.entries(grants).flatMap(([action, resources]) =>
      resources.map(text).filter((r) => !allowed[action]?.(r)).map((r) => `${action} on ${r}`),
    );
    const anyModel = allStatements(t).filter(({ statement }) => text(statement.Resource).includes('foundation-model/*'));
    report.check(
      'worker statements on any foundation model',
      'only through the application inference profiles given (bedrock:InferenceProfileArn)',
      anyModel.map(({ statement }) => statement.Condition),
      [{ StringEquals: { 'bedrock:InferenceProfileArn': { Ref: 'ApplicationInferenceProfileArns' } } }],
    );
    report.check(
      'worker role grants (every policy attached to WorkerRole, both branches of conditions)',
      'only Bedrock on the configured models (and application inference profiles), S3 tasks/, inputs/ and budget/ of its bucket, its queue, logs, optional features',
      beyond,
      [],
    );
  });
});

describe('network', () => {
  it('offers a VPC mode for the worker only: private subnets, endpoints, no route needed to the internet', () => {
    const R = t.Resources ?? {};
    const P = t.Parameters ?? {};
    const endpoints = Object.values<any>(R)
      .filter((r) => r.Type === 'AWS::EC2::VPCEndpoint')
      .map((r) => `${text(r.Properties.ServiceName).match(/\.(bedrock-runtime|sqs|s3)'?"?}?$/)?.[1] ?? text(r.Properties.ServiceName)} ${r.Properties.VpcEndpointType} ${r.Condition}`)
      .sort();
    report.check(
      'template offers VPC mode (WorkerSubnetIds / WorkerSecurityGroupIds, empty = off)',
      'worker VpcConfig only under the condition; endpoints for bedrock-runtime, sqs (interface) and s3 (gateway); progress stays outside',
      {
        parameters: ['WorkerSubnetIds', 'WorkerSecurityGroupIds', 'WorkerRouteTableIds'].map((n) => [n, P[n]?.Type, P[n]?.Default]).concat([['WorkerVpcId', P.WorkerVpcId?.Type, P.WorkerVpcId?.Default]]),
        condition: t.Conditions?.WorkerInVpc,
        workerVpcConfig: R.Worker?.Properties?.VpcConfig,
        endpoints,
        progressOutside: R.Progress?.Properties?.VpcConfig === undefined,
        progressAuth: R.Progress?.Properties?.FunctionUrlConfig?.AuthType,
      },
      {
        parameters: [
          ['WorkerSubnetIds', 'CommaDelimitedList', ''],
          ['WorkerSecurityGroupIds', 'CommaDelimitedList', ''],
          ['WorkerRouteTableIds', 'CommaDelimitedList', ''],
          ['WorkerVpcId', 'String', ''],
        ],
        condition: { 'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', { Ref: 'WorkerSubnetIds' }] }, ''] }] },
        workerVpcConfig: { 'Fn::If': ['WorkerInVpc', { SubnetIds: { Ref: 'WorkerSubnetIds' }, SecurityGroupIds: { Ref: 'WorkerSecurityGroupIds' } }, { Ref: 'AWS::NoValue' }] },
        endpoints: ['bedrock-runtime Interface CreateVpcEndpoints', 's3 Gateway CreateVpcEndpoints', 'sqs Interface CreateVpcEndpoints'],
        progressOutside: true,
        progressAuth: 'AWS_IAM',
      },
    );
  });
});
