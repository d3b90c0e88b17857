/**
 * The official JSON Schemas of HSDS 3.0 and OCDS 1.1.5, read from outside the repository (they are
 * the standards' own files, not the project's): `STANDARDS_DIR`, or `../shared/standards` next to
 * the repository. Where they are absent, `loadStandards` says why and the conformance tests skip.
 *
 * HSDS's compiled schemas are draft 2020-12 (ajv's 2020 class); OCDS's are draft-04 (ajv-draft-04),
 * with the release and versioned-release schemas added so the package schemas' references resolve.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

// CommonJS modules: imported whole, their function is `default`.
const AjvDraft04 = AjvDraft04Module.default;
const addFormats = addFormatsModule.default;

const root = path.resolve(import.meta.dirname, '../..');

export const STANDARDS_DIR = path.resolve(root, process.env.STANDARDS_DIR ?? '../shared/standards');

const OCDS_BASE = 'https://standard.open-contracting.org/schema/1__1__5/';

export interface Standards {
  hsds: {
    organization: ValidateFunction;
    service: ValidateFunction;
    organizationList: ValidateFunction;
    taxonomyTerm: ValidateFunction;
  };
  ocds: {
    release: ValidateFunction;
    releasePackage: ValidateFunction;
    recordPackage: ValidateFunction;
    record: ValidateFunction;
  };
}

const FILES = [
  'hsds-3.0/organization.json',
  'hsds-3.0/service.json',
  'hsds-3.0/organization_list.json',
  'ocds-1.1.5/release-schema.json',
  'ocds-1.1.5/versioned-release-validation-schema.json',
  'ocds-1.1.5/release-package-schema.json',
  'ocds-1.1.5/record-package-schema.json',
];

function read(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(STANDARDS_DIR, file), 'utf8')) as Record<string, unknown>;
}

/** The validators, or the reason they cannot be built. */
export function loadStandards():
  { standards: Standards; reason: null } | { standards: null; reason: string } {
  const missing = FILES.filter((f) => !existsSync(path.join(STANDARDS_DIR, f)));
  if (missing.length)
    return {
      standards: null,
      reason: `the official schemas are not in ${STANDARDS_DIR} (missing ${missing.join(', ')}); set STANDARDS_DIR`,
    };
  // The standards' schemas carry their own annotation keywords (codelist, core, constraints …).
  const hsds = new Ajv2020({ strict: false, allErrors: true });
  addFormats(hsds);
  const service = read('hsds-3.0/service.json');
  const attribute = (service.properties as Record<string, { items: { properties: Record<string, object> } }>)
    .attributes!.items.properties;
  const ocds = new AjvDraft04({ strict: false, allErrors: true });
  addFormats(ocds);
  ocds.addSchema(read('ocds-1.1.5/release-schema.json'));
  ocds.addSchema(read('ocds-1.1.5/versioned-release-validation-schema.json'));
  ocds.addSchema(read('ocds-1.1.5/release-package-schema.json'));
  ocds.addSchema(read('ocds-1.1.5/record-package-schema.json'));
  // Each validator is compiled when first asked for: compiling all of them took most of the unit
  // tests' time, and a test uses one or two.
  const hsdsOf = (schema: () => object) => once(() => hsds.compile(schema()));
  const ocdsOf = (ref: string) => once(() => ocds.getSchema(`${OCDS_BASE}${ref}`)!);
  const organization = hsdsOf(() => read('hsds-3.0/organization.json'));
  const serviceValidator = hsdsOf(() => service);
  const organizationList = hsdsOf(() => read('hsds-3.0/organization_list.json'));
  const taxonomyTerm = hsdsOf(() => attribute.taxonomy_term!);
  const release = ocdsOf('release-schema.json');
  const releasePackage = ocdsOf('release-package-schema.json');
  const recordPackage = ocdsOf('record-package-schema.json');
  const record = ocdsOf('record-package-schema.json#/definitions/record');
  return {
    reason: null,
    standards: {
      hsds: {
        get organization() {
          return organization();
        },
        get service() {
          return serviceValidator();
        },
        get organizationList() {
          return organizationList();
        },
        get taxonomyTerm() {
          return taxonomyTerm();
        },
      },
      ocds: {
        get release() {
          return release();
        },
        get releasePackage() {
          return releasePackage();
        },
        get recordPackage() {
          return recordPackage();
        },
        get record() {
          return record();
        },
      },
    },
  };
}

/** `make()` on the first call, its result on every call after. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

/**
 * Where a document holds `null`, an empty array or an empty object: the standards' guidance (leave
 * optional values out) that their schemas do not all enforce.
 */
export function emptyValues(value: unknown, at = ''): string[] {
  if (value === null) return [`${at} is null`];
  if (Array.isArray(value))
    return value.length === 0
      ? [`${at} is an empty array`]
      : value.flatMap((v, i) => emptyValues(v, `${at}/${i}`));
  if (typeof value === 'object') {
    const entries = Object.entries(value as object);
    if (entries.length === 0) return [`${at} is an empty object`];
    return entries.flatMap(([k, v]) => emptyValues(v, `${at}/${k}`));
  }
  return [];
}

/** Collects every error of every document validated, labelled, so a failure shows them all. */
export class Conformance {
  readonly errors: string[] = [];
  documents = 0;

  check(label: string, validate: ValidateFunction, document: unknown): void {
    this.documents += 1;
    if (!validate(document))
      for (const e of validate.errors as ErrorObject[])
        this.errors.push(`${label}${e.instancePath} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
    for (const problem of emptyValues(document)) this.errors.push(`${label}${problem}`);
  }

  summary(): string {
    return `${this.errors.length} errors in ${this.documents} documents`;
  }
}
