/**
 * Model ids, inference-profile ids and ARNs. Bedrock's system-defined cross-Region inference
 * profiles are the base model id with a geography prefix: `us.`, `us-gov.`, `eu.`, `apac.`,
 * and for some newer models the country profiles `jp.` (Tokyo, Osaka) and `au.` (Sydney,
 * Melbourne), plus `global.` (all commercial Regions) for the models that have one.
 */

export type ProfileGroup = 'us' | 'us-gov' | 'eu' | 'apac' | 'jp' | 'au';

const GEO_PREFIX = /^(us|us-gov|eu|apac|jp|au|ca|global)\./i;
const ARN = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:([a-z-]+)\/(.+)$/i;

export interface ParsedModelId {
  /** Lower-case base model id (no ARN, no geography prefix). */
  base: string;
  /** The geography prefix, when the id is a system-defined inference profile. */
  prefix?: string;
  /** The ARN resource type (`foundation-model`, `inference-profile`, ...), for ARNs. */
  arnType?: string;
}

// As Bedrock's modelId parameter takes them: a slash only after an ARN's resource type (and, for
// custom models, before their 12-character id), nothing but letters, digits, `.`, `:` and `-` else.
const BEDROCK_ARN_ID = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]{1,20}:(\d{12})?:[a-z-]{1,40}\/[A-Za-z0-9.:-]{1,512}(\/[a-z0-9]{12})?$/;
const BEDROCK_BARE_ID = /^[A-Za-z0-9.:-]{1,512}$/;

/** Whether `id` has the shape of a Bedrock model id, inference-profile id or ARN (no path after it, no dot segments). */
export function isBedrockModelId(id: string): boolean {
  if (id.startsWith('arn:')) return BEDROCK_ARN_ID.test(id) && !id.split('/').some((seg) => /^\.+$/.test(seg));
  return BEDROCK_BARE_ID.test(id) && !/^\.+$/.test(id);
}

/** Splits a model id, profile id or ARN into its base model id and what wraps it. */
export function parseModelId(id: string): ParsedModelId {
  let rest = id.trim();
  let arnType: string | undefined;
  const arn = ARN.exec(rest);
  if (arn) {
    arnType = arn[1].toLowerCase();
    rest = arn[2];
  }
  let prefix: string | undefined;
  const geo = GEO_PREFIX.exec(rest);
  if (geo) {
    prefix = geo[1].toLowerCase();
    rest = rest.slice(geo[0].length);
  }
  const out: ParsedModelId = { base: rest.toLowerCase() };
  if (prefix !== undefined) out.prefix = prefix;
  if (arnType !== undefined) out.arnType = arnType;
  return out;
}

/** True when the id already names an inference profile or is an ARN (used as given). */
export function isProfileOrArn(id: string): boolean {
  const p = parseModelId(id);
  return p.prefix !== undefined || p.arnType !== undefined;
}

/**
 * The inference-profile geography for a Region: `us-gov-*` → `us-gov`, `us-*` and `ca-*` →
 * `us`, `eu-*` → `eu`, `ap-*` → `apac`; with `countryProfiles`, Tokyo/Osaka → `jp` and
 * Sydney/Melbourne → `au` (only some models have those). Undefined for other Regions.
 */
export function regionGroup(region: string, opts: { countryProfiles?: boolean } = {}): ProfileGroup | undefined {
  const r = region.trim().toLowerCase();
  if (r.startsWith('us-gov-')) return 'us-gov';
  if (r.startsWith('us-') || r.startsWith('ca-')) return 'us';
  if (r.startsWith('eu-')) return 'eu';
  if (opts.countryProfiles && (r === 'ap-northeast-1' || r === 'ap-northeast-3')) return 'jp';
  if (opts.countryProfiles && (r === 'ap-southeast-2' || r === 'ap-southeast-4')) return 'au';
  if (r.startsWith('ap-')) return 'apac';
  return undefined;
}

/**
 * The id to call for `modelId` from `region`: profile ids and ARNs unchanged; a bare id becomes
 * `global.<id>` when `global` is set, else `<group>.<id>`; unchanged when the Region has no group.
 */
export function toInferenceProfileId(
  modelId: string,
  region: string,
  opts: { global?: boolean; countryProfiles?: boolean } = {},
): string {
  const id = modelId.trim();
  if (isProfileOrArn(id)) return id;
  if (opts.global) return `global.${id}`;
  const group = regionGroup(region, opts);
  return group ? `${group}.${id}` : id;
}
