import fs from 'node:fs';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuildScript, type BuildScript } from '../../src/local/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCHEMA = new URL('../fixtures/sam/sam.schema.json', import.meta.url).pathname;
// A CommonJS module: its class is the default export's `default`.
const Ajv = AjvDraft04.default;

let script: BuildScript;
let template: any;
let outDir: string;

beforeAll(async () => {
  script = await loadBuildScript(ROOT);
  template = script.parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
  outDir = path.join(ROOT, 'node_modules', '.cache', 'agent-runner-tests', `template-${process.pid}`);
});
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

const resources = (type: string): [string, any][] => Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Type === type) as [string, any][];
const fn = (id: string) => template.Resources[id];

/** Every IAM statement of the template's identity policies (roles, policies, SAM function Policies). */
function identityStatements(t: any): { where: string; statement: any }[] {
  const out: { where: string; statement: any }[] = [];
  // A conditional statement (`Fn::If`) counts with both of its branches.
  const expand = (s: any): any[] => (s && s['Fn::If'] ? [s['Fn::If'][1], s['Fn::If'][2]].flatMap(expand) : s?.Ref === 'AWS::NoValue' ? [] : [s]);
  const add = (where: string, doc: any) => {
    for (const s of [doc?.Statement ?? []].flat().flatMap(expand)) out.push({ where, statement: s });
  };
  for (const [id, r] of Object.entries<any>(t.Resources)) {
    if (r.Type === 'AWS::IAM::Role') for (const p of r.Properties.Policies ?? []) add(`${id}/${p.PolicyName}`, p.PolicyDocument);
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') add(id, r.Properties.PolicyDocument);
    if (r.Type === 'AWS::Serverless::Function') for (const p of [r.Properties.Policies ?? []].flat()) if (typeof p === 'object') add(id, p);
  }
  return out;
}

/** Why a template breaks contract section 9's IAM rules ([] when it does not). */
function iamViolations(t: any): string[] {
  const problems: string[] = [];
  for (const { where, statement } of identityStatements(t)) {
    if (statement.Effect !== 'Allow') continue;
    const actions = [statement.Action ?? []].flat();
    for (const a of actions) if (a === '*' || a === 's3:*' || a === 'bedrock:*' || /^[a-z0-9-]+:\*$/.test(a)) problems.push(`${where}: allows ${a}`);
    if (statement.NotAction) problems.push(`${where}: NotAction`);
    // Only EC2's Describe calls (VPC mode) support no resource-level permission, so AWS requires "*" for them.
    const describeOnly = actions.length > 0 && actions.every((a: string) => /^ec2:Describe[A-Za-z]+$/.test(a));
    for (const r of [statement.Resource ?? []].flat()) if (r === '*' && !describeOnly) problems.push(`${where}: on every resource`);
  }
  for (const [id, r] of Object.entries<any>(t.Resources)) {
    if (r.Type === 'AWS::IAM::Role' && (r.Properties.ManagedPolicyArns ?? []).length > 0) problems.push(`${id}: managed policies ${r.Properties.ManagedPolicyArns}`);
    if (r.Type === 'AWS::Serverless::Function') {
      for (const p of [r.Properties.Policies ?? []].flat()) if (typeof p === 'string') problems.push(`${id}: managed policy ${p}`);
      if (!r.Properties.Role && !template.Globals?.Function?.Role) problems.push(`${id}: SAM would attach AWSLambdaBasicExecutionRole`);
    }
  }
  return problems;
}

describe('template.yaml', () => {
  it('validates against the SAM schema (short-form tags in long form)', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')));
    const ok = validate(template);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(template.Resources.Worker.Properties.Role).toEqual({ 'Fn::GetAtt': ['WorkerRole', 'Arn'] });
  });

  it('the schema check can fail: a wrong property type is reported', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')));
    const broken = structuredClone(template);
    broken.Resources.Progress.Properties.FunctionUrlConfig = { AuthType: ['AWS_IAM'] };
    expect(validate(broken)).toBe(false);
  });

  it('runs every zip function on nodejs22.x with esbuild metadata whose entry points exist relative to CodeUri', () => {
    // The worker's container image (WorkerImage) has neither: template-image.test.ts covers it.
    const fns = resources('AWS::Serverless::Function').filter(([, r]) => r.Properties.PackageType !== 'Image');
    expect(fns.map(([id]) => id)).toEqual(expect.arrayContaining(['Worker', 'Progress']));
    for (const [id, r] of fns) {
      const runtime = r.Properties.Runtime ?? template.Globals.Function.Runtime;
      expect([id, Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]) >= 22]).toEqual([id, true]);
      const props = r.Metadata.BuildProperties;
      expect([id, r.Metadata.BuildMethod, props.Format, props.Target, props.Sourcemap, props.OutExtension, props.External]).toEqual([
        id,
        'esbuild',
        'esm',
        'node22',
        true,
        ['.js=.mjs'],
        ['@aws-sdk/*'],
      ]);
      for (const entry of props.EntryPoints) expect(fs.existsSync(path.join(ROOT, r.Properties.CodeUri, entry))).toBe(true);
      // SAM's esbuild writes <entry basename>.mjs; the handler must name it.
      expect(r.Properties.Handler).toBe(`${path.basename(props.EntryPoints[0], '.ts')}.handler`);
    }
  });

  it('gives the worker an SQS event reporting batch item failures, with batch size and concurrency as parameters', () => {
    const worker = fn('Worker');
    const events = Object.values<any>(worker.Properties.Events).filter((e) => e.Type === 'SQS');
    expect(events).toEqual([
      {
        Type: 'SQS',
        Properties: {
          Queue: { 'Fn::GetAtt': ['TaskQueue', 'Arn'] },
          BatchSize: { Ref: 'WorkerBatchSize' },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: { Ref: 'WorkerMaximumConcurrency' } },
        },
      },
    ]);
    expect(template.Parameters.WorkerBatchSize.Default).toBe(1);
    expect(template.Parameters.WorkerMaximumConcurrency.MinValue).toBeGreaterThanOrEqual(2);
    expect([worker.Properties.Timeout, worker.Properties.MemorySize >= 2048, worker.Properties.EphemeralStorage.Size >= 4096]).toEqual([900, true, true]);
  });

  it('sets the queue visibility timeout to at least 6 times the worker timeout, with a dead-letter queue', () => {
    const queue = fn('TaskQueue').Properties;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn('Worker').Properties.Timeout);
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['TaskDeadLetterQueue', 'Arn'] }, maxReceiveCount: { Ref: 'MaxReceiveCount' } });
    expect(fn('TaskDeadLetterQueue').Type).toBe('AWS::SQS::Queue');
  });

  it('lets the worker continue itself past Lambda’s recursive-loop stop, bounded by MaxContinuations, with an alarm on the dead-letter queue', () => {
    const worker = fn('Worker').Properties;
    expect([worker.RecursiveLoop, worker.Environment.Variables.MAX_CONTINUATIONS, template.Parameters.MaxContinuations.Default]).toEqual(['Allow', { Ref: 'MaxContinuations' }, 0]);
    const alarm = fn('TaskDeadLetterAlarm');
    expect(alarm.Type).toBe('AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['TaskDeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('gives the progress function an IAM-authenticated, response-streaming function URL', () => {
    expect(fn('Progress').Properties.FunctionUrlConfig).toEqual({ AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
    expect(template.Outputs.ProgressUrl.Value).toEqual({ 'Fn::GetAtt': ['ProgressUrl', 'FunctionUrl'] });
  });

  it('blocks public access to every bucket, encrypts it, allows only TLS and expires artifacts', () => {
    const buckets = resources('AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThan(0);
    for (const [id, b] of buckets) {
      expect([id, b.Properties.PublicAccessBlockConfiguration]).toEqual([
        id,
        { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      ]);
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(/^(AES256|aws:kms)$/);
      const policy = resources('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === id)?.[1];
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      const rules = b.Properties.LifecycleConfiguration.Rules;
      expect(rules.filter((r: any) => r.ExpirationInDays !== undefined).map((r: any) => r.Prefix)).toEqual(['tasks/', 'inputs/', 'webhook/threads/']);
    }
  });

  it('grants least privilege: no *, s3:* or bedrock:* allowed, no managed policy; the worker may stream from its model', () => {
    expect(iamViolations(template)).toEqual([]);
    const worker = identityStatements(template).filter((s) => s.where.startsWith('WorkerRole'));
    const bedrock = worker.find((s) => [s.statement.Action].flat().includes('bedrock:InvokeModelWithResponseStream'))?.statement;
    expect(bedrock).toEqual({
      Sid: 'InvokeModel',
      Effect: 'Allow',
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      Resource: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:bedrock:*::foundation-model/${FoundationModelId}' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/${ModelId}' },
      ],
    });
    // S3 only on the artifact bucket's tasks/, inputs/ and budget/ (objects) and the bucket itself (listing).
    const s3Resources = worker.filter((s) => [s.statement.Action].flat().some((a: string) => a.startsWith('s3:'))).flatMap((s) => [s.statement.Resource].flat());
    expect(s3Resources).toEqual([
      { 'Fn::Sub': '${ArtifactBucket.Arn}/tasks/*' },
      { 'Fn::Sub': '${ArtifactBucket.Arn}/inputs/*' },
      { 'Fn::Sub': '${ArtifactBucket.Arn}/budget/*' },
      { 'Fn::GetAtt': ['ArtifactBucket', 'Arn'] },
    ]);
    // The worker reads no secret (the GitHub credentials stay with the webhook and publisher).
    expect(worker.filter((s) => [s.statement.Action].flat().some((a: string) => a.startsWith('secretsmanager:')))).toEqual([]);
    // The worker sends to SQS only continuations of its tasks, to its own queue.
    expect(worker.filter((s) => [s.statement.Action].flat().includes('sqs:SendMessage')).map((s) => s.statement)).toEqual([
      { Sid: 'QueueContinuations', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['TaskQueue', 'Arn'] } },
    ]);
  });

  it('lets the worker call application inference profiles only when given, and the models behind them only through them', () => {
    const policy = template.Resources.WorkerApplicationProfilesPolicy;
    expect([policy.Condition, policy.Properties.Roles]).toEqual(['HasApplicationInferenceProfiles', [{ Ref: 'WorkerRole' }]]);
    const actions = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'InvokeApplicationInferenceProfiles', Effect: 'Allow', Action: actions, Resource: { Ref: 'ApplicationInferenceProfileArns' } },
      {
        Sid: 'InvokeModelsThroughProfiles',
        Effect: 'Allow',
        Action: actions,
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:bedrock:*::foundation-model/*' },
        Condition: { StringEquals: { 'bedrock:InferenceProfileArn': { Ref: 'ApplicationInferenceProfileArns' } } },
      },
    ]);
    expect(template.Conditions.HasApplicationInferenceProfiles).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', { Ref: 'ApplicationInferenceProfileArns' }] }, ''] }] });
    expect(template.Resources.Worker.Properties.Environment.Variables).toMatchObject({
      APPLICATION_INFERENCE_PROFILES: { 'Fn::Join': [',', { Ref: 'ApplicationInferenceProfileArns' }] },
      APPLICATION_INFERENCE_PROFILE_MODELS: { 'Fn::Join': [',', { Ref: 'ApplicationInferenceProfileModels' }] },
      MONTHLY_BUDGET_USD: { Ref: 'MonthlyBudgetUsd' },
      REPOSITORY_MONTHLY_BUDGET_USD: { Ref: 'RepositoryMonthlyBudgetUsd' },
    });
    expect([template.Parameters.MonthlyBudgetUsd.Default, template.Parameters.RepositoryMonthlyBudgetUsd.Default]).toEqual(['0', '0']);
    expect(template.Outputs.MonthlyBudgetUsd.Value).toEqual({ Ref: 'MonthlyBudgetUsd' });
  });

  it('passes the worker its TOML configuration and provider-key secret only when given', () => {
    const vars = template.Resources.Worker.Properties.Environment.Variables;
    expect([vars.AGENT_RUNNER_CONFIG, vars.PROVIDER_SECRETS_ARN]).toEqual([
      { 'Fn::If': ['HasAgentRunnerConfig', { Ref: 'AgentRunnerConfig' }, { Ref: 'AWS::NoValue' }] },
      { 'Fn::If': ['HasProviderSecrets', { Ref: 'ProviderSecretsArn' }, { Ref: 'AWS::NoValue' }] },
    ]);
    expect(template.Conditions.HasAgentRunnerConfig).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AgentRunnerConfig' }, ''] }] });
  });

  it('the IAM check can fail', () => {
    const broken = structuredClone(template);
    broken.Resources.WorkerRole.Properties.Policies[0].PolicyDocument.Statement.push({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
    broken.Resources.Progress.Properties.Policies = ['AmazonS3FullAccess'];
    broken.Resources.ProgressRole.Properties.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess'];
    expect(iamViolations(broken)).toEqual([
      'WorkerRole/worker: allows s3:*',
      'WorkerRole/worker: on every resource',
      'ProgressRole: managed policies arn:aws:iam::aws:policy/AdministratorAccess',
      'Progress: managed policy AmazonS3FullAccess',
    ]);
  });

  it('has parameters for the model, limits and concurrency, and outputs for the queue, bucket and progress URL', () => {
    expect(Object.keys(template.Parameters)).toEqual(
      expect.arrayContaining(['ModelId', 'MaxTurns', 'MaxCostUsd', 'TaskTimeoutSeconds', 'WorkerMaximumConcurrency', 'WorkerBatchSize']),
    );
    expect(template.Outputs.TaskQueueUrl.Value).toEqual({ Ref: 'TaskQueue' });
    expect(template.Outputs.ArtifactBucketName.Value).toEqual({ Ref: 'ArtifactBucket' });
    expect(fn('Worker').Properties.Environment.Variables).toMatchObject({ MODEL_ID: { Ref: 'ModelId' }, MAX_TURNS: { Ref: 'MaxTurns' } });
  });
});

describe('npm run build', () => {
  it('uses the same esbuild options as the template metadata for every function', () => {
    const names = fs.readdirSync(path.join(ROOT, 'functions')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
    const worker = script.esbuildOptionsFrom(fn('Worker').Metadata.BuildProperties);
    expect(worker).toEqual({
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: false,
      sourcemap: true,
      external: ['@aws-sdk/*'],
      outExtension: { '.js': '.mjs' },
      banner: { js: "import { createRequire as __agentRunnerCreateRequire } from 'node:module'; const require = __agentRunnerCreateRequire(import.meta.url);" },
    });
    for (const name of names) expect([name, script.optionsForFunction(template, name)]).toEqual([name, worker]);
  });

  it('writes dist/<fn>/index.mjs exporting handler, importing only node: built-ins and @aws-sdk/*', async () => {
    const names = fs.readdirSync(path.join(ROOT, 'functions')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
    const files = await script.buildFunctions({ root: ROOT, outDir, log: () => undefined });
    expect(files).toEqual(names.map((n) => path.join(outDir, n, 'index.mjs')));
    for (const file of files) {
      const code = fs.readFileSync(file, 'utf8');
      expect(fs.existsSync(`${file}.map`)).toBe(true);
      expect(code.startsWith("import { createRequire as __agentRunnerCreateRequire } from 'node:module';")).toBe(true);
      expect(code).toMatch(/\bexport\s*\{[^}]*\bhandler\b[^}]*\}/);
      // `{import('./x.js').T}` is a JSDoc type in a bundled library's comment, not an import.
      const specifiers = [...code.matchAll(/(?:^|\n)\s*import\s+(?:[^'"]*?\sfrom\s+)?["']([^"']+)["']|(?<!\{)\bimport\(\s*["']([^"']+)["']\s*\)|(?<![`'"\w.$])require\(\s*["']([^"']+)["']\s*\)/g)].map(
        (m) => m[1] ?? m[2] ?? m[3],
      );
      const builtins = new Set((await import('node:module')).builtinModules);
      const bad = specifiers.filter((s) => !s.startsWith('node:') && !s.startsWith('@aws-sdk/') && !builtins.has(s.split('/')[0]));
      expect([path.basename(path.dirname(file)), bad]).toEqual([path.basename(path.dirname(file)), []]);
      // The bundle relies on the runtime's awslambda global and never defines its functions.
      expect(code).not.toMatch(/awslambda\s*=\s*\{[^}]*streamifyResponse/);
      expect(code).not.toMatch(/\.streamifyResponse\s*=/);
    }
  });
});
