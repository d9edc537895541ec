import type { Catalogue, InterpreterSpec, Platform, ProxyBinarySpec, SystemBinarySpec } from '@execguard/schema';

/** What the catalogue says about one program name on one platform. */
export interface NameInfo {
  readonly interpreter: InterpreterSpec | undefined;
  readonly proxy: CompiledProxy | undefined;
  readonly system: SystemBinarySpec | undefined;
  readonly loader: boolean;
}

/** What the catalogue says about one executable path: derived once, then remembered (bounded). */
export interface PathFacts {
  /** Forward slashes. */
  readonly path: string;
  /** Lower-case basename. */
  readonly basename: string;
  readonly info: NameInfo;
  readonly userWritable: boolean;
  /** Set when the basename is a system binary outside its directories. */
  readonly misplaced: string | undefined;
}

/** The catalogue turned into lookups: one map probe or one combined regex per question. */
export interface CatalogueIndex {
  /**
   * Facts of an executable path. Memoised per index: hosts run the same few thousand programs
   * over and over, and these facts depend on the path alone (a pure function, so remembering it
   * changes no decision). The memo is bounded and starts over when full.
   */
  pathFacts(platform: Platform, executable: string): PathFacts;
  /** Everything about a lower-case name at once: one map probe, plus one regex for names not listed. */
  classify(platform: Platform, name: string): NameInfo;
  /** Path with forward slashes, any case. */
  userWritable(platform: Platform, path: string): boolean;
}

export interface CompiledProxy {
  readonly spec: ProxyBinarySpec;
  readonly patterns: readonly { readonly id: string; readonly technique: string; readonly re: RegExp }[];
}

const NEVER = /(?!)/;
const PATH_MEMO_LIMIT = 16_384;
const UNKNOWN_NAME: NameInfo = Object.freeze({ interpreter: undefined, proxy: undefined, system: undefined, loader: false });
const union = (sources: readonly string[], flags = '') =>
  sources.length ? new RegExp(sources.map((s) => `(?:${s})`).join('|'), flags) : NEVER;
const forPlatform = (p: Platform | 'any', want: Platform) => p === 'any' || p === want;

export function indexCatalogue(catalogue: Catalogue): CatalogueIndex {
  const platforms: Platform[] = ['linux', 'windows'];
  const byPlatform = <T>() => new Map<Platform, Map<string, T>>(platforms.map((p) => [p, new Map<string, T>()]));
  const interpByName = byPlatform<InterpreterSpec>();
  const interpPatterns: { platform: Platform | 'any'; re: RegExp; spec: InterpreterSpec }[] = [];
  // One combined test per platform first, so a program that is no interpreter costs one regex.
  for (const spec of catalogue.interpreters) {
    for (const p of platforms) {
      if (!forPlatform(spec.platform, p)) continue;
      const map = interpByName.get(p) as Map<string, InterpreterSpec>;
      for (const n of spec.names) if (!map.has(n.toLowerCase())) map.set(n.toLowerCase(), spec);
    }
    for (const src of spec.namePatterns ?? []) interpPatterns.push({ platform: spec.platform, re: new RegExp(src), spec });
  }
  const proxies = byPlatform<CompiledProxy>();
  for (const spec of catalogue.proxies) {
    const map = proxies.get(spec.platform) as Map<string, CompiledProxy>;
    const key = spec.name.toLowerCase();
    if (map.has(key)) continue;
    map.set(key, {
      spec,
      patterns: spec.patterns.map((p) => ({ id: p.id, technique: p.technique, re: new RegExp(p.args, 'i') })),
    });
  }
  const systems = byPlatform<SystemBinarySpec>();
  for (const s of catalogue.systemBinaries) systems.get(s.platform)?.set(s.name.toLowerCase(), s);
  const loaderRe = catalogue.loaders.length
    ? new RegExp(`^(?:${catalogue.loaders.map((l) => `(?:${l.replace(/^\^|\$$/g, '')})`).join('|')})$`)
    : NEVER;
  // Patterns are written over lower-case paths; with the i flag they test the path as recorded,
  // without lower-casing a copy of every path.
  const locations = new Map(
    platforms.map((p) => [
      p,
      union(
        catalogue.userWritableLocations.filter((l) => l.platform === p).map((l) => l.pattern),
        'i',
      ),
    ]),
  );
  const anyInterpPattern = new Map(
    platforms.map((p) => [p, union(interpPatterns.filter((i) => forPlatform(i.platform, p)).map((i) => i.re.source))]),
  );

  const slowClassify = (platform: Platform, name: string): NameInfo => ({
    interpreter: interpreterOf(platform, name),
    proxy: proxies.get(platform)?.get(name),
    system: systems.get(platform)?.get(name),
    loader: loaderRe.test(name),
  });
  // Every listed name, classified once; unlisted names only need the pattern-based checks.
  const known = new Map<Platform, Map<string, NameInfo>>(
    platforms.map((p) => {
      const names = new Set<string>([
        ...(interpByName.get(p)?.keys() ?? []),
        ...(proxies.get(p)?.keys() ?? []),
        ...(systems.get(p)?.keys() ?? []),
      ]);
      return [p, new Map([...names].map((n) => [n, slowClassify(p, n)]))];
    }),
  );
  const patternNames = new Map(
    platforms.map((p) => [
      p,
      union([...interpPatterns.filter((i) => forPlatform(i.platform, p)).map((i) => i.re.source), loaderRe.source]),
    ]),
  );

  function interpreterOf(platform: Platform, name: string): InterpreterSpec | undefined {
    const hit = interpByName.get(platform)?.get(name);
    if (hit) return hit;
    if (!(anyInterpPattern.get(platform) ?? NEVER).test(name)) return undefined;
    for (const p of interpPatterns) if (forPlatform(p.platform, platform) && p.re.test(name)) return p.spec;
    return undefined;
  }

  const classify = (platform: Platform, name: string): NameInfo => {
    const hit = known.get(platform)?.get(name);
    if (hit) return hit;
    return (patternNames.get(platform) ?? NEVER).test(name) ? slowClassify(platform, name) : UNKNOWN_NAME;
  };
  const userWritable = (platform: Platform, path: string) => (locations.get(platform) ?? NEVER).test(path);
  const linuxMemo = new Map<string, PathFacts>();
  const windowsMemo = new Map<string, PathFacts>();
  const derivePathFacts = (platform: Platform, executable: string): PathFacts => {
    const path = executable.includes('\\') ? executable.replace(/\\/g, '/') : executable;
    const slash = path.lastIndexOf('/');
    const basename = (slash < 0 ? path : path.slice(slash + 1)).toLowerCase();
    const info = classify(platform, basename);
    const dir = slash <= 0 ? (slash === 0 ? '/' : '') : path.slice(0, slash).toLowerCase();
    const sys = info.system;
    const misplaced =
      sys && !sys.directories.some((d) => d.toLowerCase() === dir)
        ? `system name "${basename}" outside ${sys.directories.join(', ')}`
        : undefined;
    return { path, basename, info, userWritable: userWritable(platform, path), misplaced };
  };

  return {
    pathFacts(platform, executable) {
      const m = platform === 'windows' ? windowsMemo : linuxMemo;
      const hit = m.get(executable);
      if (hit) return hit;
      const facts = derivePathFacts(platform, executable);
      if (m.size >= PATH_MEMO_LIMIT) m.clear();
      m.set(executable, facts);
      return facts;
    },
    classify,
    userWritable,
  };
}

export type NameBehaviour = 'interpreter' | 'loader' | 'proxy';

/**
 * What the catalogue knows a program name as, when it is an interpreter, a loader or a proxy binary:
 * the names whose behaviour rules depend on (and which the Linux agent therefore also knows by content).
 */
export function behaviourOfName(catalogue: Catalogue, platform: Platform): (name: string) => NameBehaviour | undefined {
  const index = indexCatalogue(catalogue);
  return (name) => {
    const info = index.classify(platform, name.toLowerCase());
    return info.interpreter ? 'interpreter' : info.loader ? 'loader' : info.proxy ? 'proxy' : undefined;
  };
}
