import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBuildScript } from '../../src/local/index.ts';
import { RIC_VERSION } from '../../src/local/ric.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let template: any;

beforeAll(async () => {
  template = (await loadBuildScript(ROOT)).parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
});

describe('template.yaml: the container-image worker', () => {
  it('is selected by WorkerImageUri: exactly one of Worker (zip) and WorkerImage exists', () => {
    expect(template.Parameters.WorkerImageUri).toMatchObject({ Type: 'String', Default: '' });
    expect(template.Conditions.UseImageWorker).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'WorkerImageUri' }, ''] }] });
    expect(template.Conditions.UseZipWorker).toEqual({ 'Fn::Equals': [{ Ref: 'WorkerImageUri' }, ''] });
    expect([template.Resources.Worker.Condition, template.Resources.WorkerImage.Condition]).toEqual(['UseZipWorker', 'UseImageWorker']);
    expect(template.Outputs.WorkerFunctionName.Value).toEqual({ 'Fn::If': ['UseImageWorker', { Ref: 'WorkerImage' }, { Ref: 'Worker' }] });
  });

  it('is PackageType Image at WorkerImageUri, with the metadata sam build uses to build image/Dockerfile', () => {
    const image = template.Resources.WorkerImage;
    expect(image.Properties.PackageType).toBe('Image');
    expect(image.Properties.ImageUri).toEqual({ Ref: 'WorkerImageUri' });
    // An image function may not name a runtime or handler (nor get them from Globals).
    expect([image.Properties.Runtime, image.Properties.Handler, image.Properties.CodeUri, template.Globals.Function.Runtime, template.Globals.Function.Handler]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(image.Metadata).toEqual({ Dockerfile: 'image/Dockerfile', DockerContext: '.', DockerTag: 'worker' });
    expect(fs.existsSync(path.join(ROOT, image.Metadata.DockerContext, image.Metadata.Dockerfile))).toBe(true);
  });

  it('has the zip worker\'s role, queue event, settings, log group and variables', () => {
    const { Worker: zip, WorkerImage: image } = template.Resources;
    const own = ['PackageType', 'ImageUri', 'CodeUri', 'Handler', 'Runtime', 'Description'];
    const rest = (props: Record<string, unknown>) => Object.fromEntries(Object.entries(props).filter(([k]) => !own.includes(k)));
    expect(rest(image.Properties)).toEqual(rest(zip.Properties));
    expect(Object.keys(rest(zip.Properties)).sort()).toEqual(['Environment', 'EphemeralStorage', 'Events', 'LoggingConfig', 'MemorySize', 'RecursiveLoop', 'Role', 'Timeout', 'VpcConfig']);
    expect(image.Properties.Environment.Variables.REPOSITORY_SETUP_SCRIPTS).toEqual({ Ref: 'RepositorySetupScripts' });
  });

  it('builds from a Dockerfile whose base is a build argument, entrypoint the RIC of the version local runs use', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'image/Dockerfile'), 'utf8');
    const from = [...dockerfile.matchAll(/^FROM (.+)$/gm)].map((m) => m[1]);
    // The ric stage is what scripts/image/ric.sh builds alone for local runs; the image copies its RIC.
    expect(from).toEqual(['${BASE_IMAGE} AS ric', 'ric AS build', '${BASE_IMAGE}']);
    expect(dockerfile).toContain('COPY --from=ric /opt/aws-lambda-ric/node_modules /opt/aws-lambda-ric/node_modules\n');
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=node:22-bookworm-slim$/m);
    expect(dockerfile).toContain(`ARG RIC_VERSION=${RIC_VERSION}\n`);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/local\/bin\/lambda-entrypoint\.sh"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["index\.handler"\]$/m);
    expect(fs.readFileSync(path.join(ROOT, 'image/lambda-entrypoint.sh'), 'utf8')).toContain('exec node /opt/aws-lambda-ric/node_modules/aws-lambda-ric/index.mjs\n');
  });
});
