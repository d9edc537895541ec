import { type Static, Type } from '@sinclair/typebox';
import { Sha256, StringEnum } from './common.js';

const NonEmpty = Type.String({ minLength: 1 });

export const SignerIdentity = Type.Object(
  {
    subject: Type.String({
      minLength: 1,
      description:
        'Exact certificate subject of the publisher (not a CA, no wildcards), e.g. "CN=Siemens AG, O=Siemens AG, C=DE"',
    }),
    product: Type.String({ minLength: 1, description: 'Product name from the file version resource (exact, case-insensitive)' }),
    minVersion: Type.Optional(
      Type.String({ pattern: '^[0-9]+(\\.[0-9]+){0,3}$', description: 'Lowest allowed file version, dotted numeric' }),
    ),
    originalFileName: Type.Optional(
      Type.String({ minLength: 1, description: 'OriginalFileName from the version resource (case-insensitive)' }),
    ),
  },
  { additionalProperties: false, description: 'Publisher identity: a valid, trusted signature by this subject on this product' },
);
export type SignerIdentity = Static<typeof SignerIdentity>;

export const PackageIdentity = Type.Object(
  {
    manager: StringEnum(['dpkg', 'rpm', 'any'] as const),
    names: Type.Optional(Type.Array(NonEmpty, { minItems: 1, description: 'Package names; omitted = any package' })),
  },
  {
    additionalProperties: false,
    description: 'Package provenance: the file is owned by a package and its hash matches the package database',
  },
);
export type PackageIdentity = Static<typeof PackageIdentity>;

/**
 * What a program or script is. Every key present must match (AND); lists inside a key are
 * alternatives (OR). Strength order: sha256 > signer > package > path > name.
 */
export const Identity = Type.Object(
  {
    sha256: Type.Optional(Type.Array(Sha256, { minItems: 1 })),
    signer: Type.Optional(SignerIdentity),
    package: Type.Optional(PackageIdentity),
    path: Type.Optional(
      Type.Array(NonEmpty, {
        minItems: 1,
        description:
          'Absolute paths or globs (* = one path segment, ** = any depth). Matches only when every directory above the file is writable by administrators alone.',
      }),
    ),
    name: Type.Optional(
      Type.Array(NonEmpty, {
        minItems: 1,
        description:
          'File names (basename or OriginalFileName, case-insensitive). Weak: in allow rules only together with signer.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type Identity = Static<typeof Identity>;

/** Host selector; every key present must match. */
export const Selector = Type.Object(
  {
    hosts: Type.Optional(Type.Array(NonEmpty, { minItems: 1, description: 'Host ids or host names' })),
    roles: Type.Optional(Type.Array(NonEmpty, { minItems: 1, description: 'Host roles, e.g. hmi, ews, historian, gateway' })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Labels that must all be equal' })),
  },
  { additionalProperties: false },
);
export type Selector = Static<typeof Selector>;
