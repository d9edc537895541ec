/**
 * The seven ATT&CK for ICS techniques that mitigation M0938 (Execution Prevention) addresses.
 * Ids and names are facts from ATT&CK for ICS v18; the one-line summaries are ours and say what an
 * execution-prevention product looks for, not what ATT&CK says.
 */
export type IcsTechniqueId = 'T0807' | 'T0834' | 'T0849' | 'T0853' | 'T0863' | 'T0871' | 'T0894';

export interface IcsTechnique {
  readonly id: IcsTechniqueId;
  readonly name: string;
  /** What ExecGuard watches for under this technique (our wording). */
  readonly summary: string;
}

export const mitigation = { id: 'M0938', name: 'Execution Prevention' } as const;

export const techniques: readonly IcsTechnique[] = [
  {
    id: 'T0807',
    name: 'Command-Line Interface',
    summary: 'A command shell is started, or a program is used to get one; who may run shells and from what parent.',
  },
  {
    id: 'T0834',
    name: 'Native API',
    summary:
      'Code reaches operating-system interfaces directly, e.g. in-memory (memfd) execution or foreign-function calls from scripts.',
  },
  {
    id: 'T0849',
    name: 'Masquerading',
    summary: 'A program poses as another: a renamed binary, or a system program name in a directory it never ships in.',
  },
  {
    id: 'T0853',
    name: 'Scripting',
    summary: 'An interpreter runs code: a script file, inline code on the command line, or a program read from stdin.',
  },
  {
    id: 'T0863',
    name: 'User Execution',
    summary: 'Code is started from places users can write to: downloads, temp folders, profiles, removable media.',
  },
  {
    id: 'T0871',
    name: 'Execution through API',
    summary: 'A process is launched through a management interface (WMI, DCOM, task scheduler) rather than by a user.',
  },
  {
    id: 'T0894',
    name: 'System Binary Proxy Execution',
    summary: 'A trusted system program is given arguments that make it load or run other, unapproved code.',
  },
];

const byId = new Map<string, IcsTechnique>(techniques.map((t) => [t.id, t]));

export const techniqueIds: readonly IcsTechniqueId[] = techniques.map((t) => t.id);

export function isTechniqueId(id: string): id is IcsTechniqueId {
  return byId.has(id);
}

/** Name of an M0938 technique, or undefined for any other id. */
export function techniqueName(id: string): string | undefined {
  return byId.get(id.toUpperCase())?.name;
}

export const ics = { mitigation, techniques, techniqueName } as const;
