/**
 * Places where an ordinary user can create files. A program started from one of them was not
 * installed by an administrator: ATT&CK for ICS T0863 User Execution. Patterns are regexes over
 * lower-case paths with forward slashes; the engine ORs them, so each is anchored on its own.
 *
 * Not listed, on purpose:
 * - Windows removable drives: drive letters are assigned at run time and cannot be told apart from
 *   fixed disks by path alone. The agent must report removable media from the volume type.
 * - Network shares (//server/share): not user-writable as such; rules should name them explicitly.
 */
import type { LocationSpec } from '@execguard/schema';

const linux = (pattern: string, kind: LocationSpec['kind']): LocationSpec => ({ platform: 'linux', pattern, kind });
const windows = (pattern: string, kind: LocationSpec['kind']): LocationSpec => ({ platform: 'windows', pattern, kind });

/** Any drive: profiles can be moved off C:. */
const D = '^[a-z]:';
/** A user's profile folder, excluding the Default/All Users templates that only admins can write. */
const PROFILE = `${D}/users/(?!default/|default user/|all users/)[^/]+`;

export const userWritableLocations: readonly LocationSpec[] = [
  // ---- Linux --------------------------------------------------------------------------------
  linux('^/tmp/', 'temp'),
  linux('^/var/tmp/', 'temp'),
  // Per-user runtime directory (XDG_RUNTIME_DIR), a tmpfs owned by the user.
  linux('^/run/user/[0-9]+/', 'temp'),
  linux('^/dev/shm/', 'shared-memory'),
  linux('^/run/shm/', 'shared-memory'),
  linux('^/dev/mqueue/', 'shared-memory'),
  linux('^/home/[^/]+/downloads/', 'download'),
  linux('^/home/[^/]+/', 'user-profile'),
  // root's home is writable only by root, but nothing in it is installed software: a tool run
  // from there was fetched or built by hand, which is what T0863 is about on a plant host.
  linux('^/root/', 'user-profile'),
  linux('^/media/', 'removable'),
  linux('^/run/media/', 'removable'),
  linux('^/mnt/', 'removable'),
  // ---- Windows ------------------------------------------------------------------------------
  windows(`${PROFILE}/downloads/`, 'download'),
  windows(`${PROFILE}/appdata/local/temp/`, 'temp'),
  windows(`${PROFILE}/`, 'user-profile'),
  windows(`${D}/windows/temp/`, 'temp'),
  windows(`${D}/(?:temp|tmp)/`, 'temp'),
  // Sub-folders of the Windows directory that standard users may write to on default installs
  // (known application-control bypass locations).
  windows(
    `${D}/windows/(?:tasks|tracing|registration/crmlog|system32/(?:fxstmp|com/dmp|microsoft/crypto/rsa/machinekeys|spool/(?:drivers/color|printers|servers)|tasks)|syswow64/(?:fxstmp|com/dmp|tasks))/`,
    'temp',
  ),
  // Users may create folders and files directly under ProgramData. Windows Defender's platform
  // folder is excepted: it is admin-only and its binaries run from there by design.
  windows(`${D}/programdata/(?!microsoft/windows defender/)`, 'temp'),
];
