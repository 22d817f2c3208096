import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCloudFormation {
  url: string;
  /** Parsed form bodies of the requests, with whether each carried a SigV4 Authorization. */
  requests: { params: Record<string, string>; signed: boolean }[];
  close(): Promise<void>;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/**
 * A CloudFormation endpoint (awsQuery protocol, XML) answering DescribeStacks from `stacks`
 * (name → outputs); an unknown name gets the real service's ValidationError.
 */
export async function startFakeCloudFormation(stacks: Record<string, Record<string, string>>): Promise<FakeCloudFormation> {
  const requests: FakeCloudFormation['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      requests.push({ params, signed: /^AWS4-HMAC-SHA256 Credential=/.test(String(req.headers.authorization ?? '')) });
      const name = params.StackName ?? '';
      const outputs = stacks[name];
      if (params.Action !== 'DescribeStacks' || !outputs) {
        const message = params.Action !== 'DescribeStacks' ? `unsupported action ${params.Action}` : `Stack with id ${name} does not exist`;
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(`<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>${esc(message)}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`);
        return;
      }
      const members = Object.entries(outputs)
        .map(([k, v]) => `<member><OutputKey>${esc(k)}</OutputKey><OutputValue>${esc(v)}</OutputValue></member>`)
        .join('');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<DescribeStacksResponse xmlns="${NS}"><DescribeStacksResult><Stacks><member><StackName>${esc(name)}</StackName>` +
          `<StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${esc(name)}/1</StackId><CreationTime>2025-01-01T00:00:00Z</CreationTime>` +
          `<StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
          `<ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
