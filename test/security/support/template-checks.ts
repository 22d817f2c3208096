/** What the security suite requires of template.yaml's IAM and network layout (parsed template in, problems out). */

export interface Statement {
  where: string;
  statement: any;
}

/** Both branches of a conditional (`Fn::If`), nothing for `AWS::NoValue`. */
function expand(s: any): any[] {
  if (s && s['Fn::If']) return [s['Fn::If'][1], s['Fn::If'][2]].flatMap(expand);
  if (s?.Ref === 'AWS::NoValue') return [];
  return [s];
}

const POLICY_HOLDERS: Record<string, (props: any) => any[]> = {
  'AWS::IAM::Role': (p) => (p.Policies ?? []).map((x: any) => x.PolicyDocument),
  'AWS::IAM::Policy': (p) => [p.PolicyDocument],
  'AWS::IAM::ManagedPolicy': (p) => [p.PolicyDocument],
  'AWS::S3::BucketPolicy': (p) => [p.PolicyDocument],
  'AWS::SQS::QueuePolicy': (p) => [p.PolicyDocument],
  'AWS::EC2::VPCEndpoint': (p) => (p.PolicyDocument ? [p.PolicyDocument] : []),
};

/** Every statement of every policy in the template: identity, resource and endpoint policies. */
export function allStatements(t: any): Statement[] {
  const out: Statement[] = [];
  for (const [id, r] of Object.entries<any>(t.Resources ?? {})) {
    const docs = POLICY_HOLDERS[r.Type]?.(r.Properties ?? {}) ?? [];
    if (r.Type === 'AWS::Serverless::Function') for (const p of [r.Properties?.Policies ?? []].flat()) if (typeof p === 'object') docs.push(p);
    for (const doc of docs.flatMap(expand)) for (const s of [doc?.Statement ?? []].flat().flatMap(expand)) out.push({ where: `${id}${s?.Sid ? `/${s.Sid}` : ''}`, statement: s });
  }
  return out;
}

/**
 * Allow statements with a `*` anywhere in an action name, or NotAction. Deny statements may use
 * wildcards (a Deny only narrows, e.g. "deny s3:* without TLS").
 */
export function wildcardActions(t: any): string[] {
  const problems: string[] = [];
  for (const { where, statement } of allStatements(t)) {
    if (statement.Effect !== 'Allow') continue;
    if (statement.NotAction) problems.push(`${where}: NotAction`);
    for (const a of [statement.Action ?? []].flat()) if (typeof a !== 'string' || a.includes('*')) problems.push(`${where}: ${JSON.stringify(a)}`);
  }
  return problems;
}

/** The worker role's grants as `action -> resources` (both branches of conditions, every policy attached to it). */
export function workerGrants(t: any): Record<string, unknown[]> {
  const grants: Record<string, unknown[]> = {};
  const onWorker = (id: string, r: any) => id === 'WorkerRole' || (r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles ?? []).includes('"WorkerRole"'));
  const ids = Object.entries<any>(t.Resources ?? {}).filter(([id, r]) => onWorker(id, r)).map(([id]) => id);
  for (const { where, statement } of allStatements(t)) {
    if (!ids.includes(where.split('/')[0]) || statement.Effect !== 'Allow') continue;
    for (const a of [statement.Action].flat()) (grants[a] ??= []).push(...[statement.Resource].flat());
  }
  return grants;
}
