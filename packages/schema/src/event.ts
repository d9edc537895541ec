import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from './common.js';

// Elastic Common Schema names, so users' SIEMs understand ExecGuard events as they are.
// Objects stay open (additionalProperties) because sources carry more ECS fields than the engine reads.
const Str = Type.String();
const Int = Type.Integer();
const open = { additionalProperties: true } as const;
const opt = Type.Optional;

export const Hash = Type.Object({ sha256: opt(Str), sha1: opt(Str), md5: opt(Str) }, open);

export const CodeSignature = Type.Object(
  { subject_name: opt(Str), signed: opt(Type.Boolean()), trusted: opt(Type.Boolean()), status: opt(Str) },
  open,
);

export const PeInfo = Type.Object(
  { original_file_name: opt(Str), company: opt(Str), product: opt(Str), file_version: opt(Str), description: opt(Str) },
  open,
);

export const ParentProcess = Type.Object(
  {
    pid: opt(Int),
    entity_id: opt(Str),
    executable: opt(Str),
    name: opt(Str),
    command_line: opt(Str),
    args: opt(Type.Array(Str)),
    hash: opt(Hash),
    pe: opt(PeInfo),
    code_signature: opt(CodeSignature),
  },
  open,
);

export const ProcessInfo = Type.Object(
  {
    pid: opt(Int),
    entity_id: opt(Str),
    executable: opt(Str),
    name: opt(Str),
    command_line: opt(Str),
    args: opt(Type.Array(Str)),
    working_directory: opt(Str),
    hash: opt(Hash),
    pe: opt(PeInfo),
    code_signature: opt(CodeSignature),
    parent: opt(ParentProcess),
  },
  open,
);

/** Facts measured on the host that ECS has no field for (package ownership, writability). */
export const Provenance = Type.Object(
  {
    package: opt(
      Type.Object(
        {
          manager: StringEnum(['dpkg', 'rpm'] as const),
          name: Str,
          version: opt(Str),
          verified: Type.Boolean({ description: 'The file hash matches the package database record' }),
        },
        open,
      ),
    ),
    path_admin_only: opt(
      Type.Boolean({ description: 'Every directory above the file, and the file, is writable by administrators alone' }),
    ),
    content_name: opt(
      Type.String({
        minLength: 1,
        description:
          "The name of the host's interpreter, loader or proxy binary in a system directory whose content (sha256) this file has: the file's second name, like a PE original file name",
      }),
    ),
  },
  open,
);
export type Provenance = Static<typeof Provenance>;

export const Ancestor = Type.Object(
  { pid: opt(Int), executable: opt(Str), name: opt(Str), hash: opt(Hash), pe: opt(PeInfo), code_signature: opt(CodeSignature) },
  open,
);

export const ExecGuardFields = Type.Object(
  {
    process: opt(Provenance),
    parent: opt(Provenance),
    script: opt(Provenance),
    ancestors: opt(Type.Array(Ancestor, { description: 'Grandparent first, outwards' })),
    stdin: opt(
      StringEnum(['tty', 'pipe', 'file', 'socket', 'null', 'unknown'] as const, {
        description: 'What the process has on standard input',
      }),
    ),
    inline_code: opt(Type.Boolean({ description: 'Observed by the sensor: code given on the command line' })),
    loader_invocation: opt(Type.Boolean({ description: 'Observed by the sensor: the dynamic loader was executed directly' })),
    memfd: opt(Type.Boolean({ description: 'Observed by the sensor: the image is an anonymous memory file' })),
    decision: opt(Type.Unknown()),
    source_format: opt(Str),
    groups: opt(Type.Array(Str, { description: 'All groups of the user (ECS user.group holds one)' })),
  },
  open,
);

export const ExecEvent = Type.Object(
  {
    '@timestamp': opt(Str),
    event: opt(
      Type.Object(
        {
          id: opt(Str),
          kind: opt(Str),
          category: opt(Type.Union([Str, Type.Array(Str)])),
          type: opt(Type.Union([Str, Type.Array(Str)])),
          action: opt(Str),
          outcome: opt(Str),
          module: opt(Str),
          dataset: opt(Str),
          sequence: opt(Int),
          original: opt(Str),
        },
        open,
      ),
    ),
    host: opt(
      Type.Object(
        {
          id: opt(Str),
          name: opt(Str),
          os: opt(Type.Object({ family: opt(Str), type: opt(Str) }, open)),
        },
        open,
      ),
    ),
    user: opt(
      Type.Object({ id: opt(Str), name: opt(Str), group: opt(Type.Object({ id: opt(Str), name: opt(Str) }, open)) }, open),
    ),
    process: ProcessInfo,
    file: opt(
      Type.Object({ path: opt(Str), name: opt(Str), hash: opt(Hash), code_signature: opt(CodeSignature), pe: opt(PeInfo) }, open),
    ),
    winlog: opt(
      Type.Object(
        {
          channel: opt(Str),
          event_id: opt(Type.Union([Int, Str])),
          record_id: opt(Type.Union([Int, Str])),
          provider_name: opt(Str),
        },
        open,
      ),
    ),
    log: opt(Type.Object({ file: opt(Type.Object({ path: opt(Str), line: opt(Int) }, open)) }, open)),
    rule: opt(Type.Object({ id: opt(Str), name: opt(Str) }, open)),
    threat: opt(
      Type.Object(
        {
          technique: opt(
            Type.Object({ id: opt(Type.Array(Str)), name: opt(Type.Array(Str)), reason: opt(Type.Array(Str)) }, open),
          ),
        },
        open,
      ),
    ),
    execguard: opt(ExecGuardFields),
  },
  { ...open, title: 'ExecGuard execution event (ECS)' },
);
export type ExecEvent = Static<typeof ExecEvent>;
