import type { Catalogue, InterpreterSpec, Platform, ProxyBinarySpec, SystemBinarySpec } from '@execguard/schema';

/** The catalogue turned into lookups: one map probe or one combined regex per question. */
export interface CatalogueIndex {
  interpreter(platform: Platform, name: string): InterpreterSpec | undefined;
  proxy(platform: Platform, name: string): CompiledProxy | undefined;
  system(platform: Platform, name: string): SystemBinarySpec | undefined;
  isLoader(name: string): boolean;
  userWritable(platform: Platform, lowerPath: string): boolean;
}

export interface CompiledProxy {
  readonly spec: ProxyBinarySpec;
  readonly patterns: readonly { readonly id: string; readonly technique: string; readonly re: RegExp }[];
}

const NEVER = /(?!)/;
const union = (sources: readonly string[]) => (sources.length ? new RegExp(sources.map((s) => `(?:${s})`).join('|')) : NEVER);
const forPlatform = (p: Platform | 'any', want: Platform) => p === 'any' || p === want;

export function indexCatalogue(catalogue: Catalogue): CatalogueIndex {
  const platforms: Platform[] = ['linux', 'windows'];
  const byPlatform = <T>() => new Map<Platform, Map<string, T>>(platforms.map((p) => [p, new Map<string, T>()]));
  const interpByName = byPlatform<InterpreterSpec>();
  const interpPatterns: { platform: Platform | 'any'; re: RegExp; spec: InterpreterSpec }[] = [];
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
    map.set(key, { spec, patterns: spec.patterns.map((p) => ({ id: p.id, technique: p.technique, re: new RegExp(p.args, 'i') })) });
  }
  const systems = byPlatform<SystemBinarySpec>();
  for (const s of catalogue.systemBinaries) systems.get(s.platform)?.set(s.name.toLowerCase(), s);
  const loaderRe = catalogue.loaders.length ? new RegExp(`^(?:${catalogue.loaders.map((l) => `(?:${l.replace(/^\^|\$$/g, '')})`).join('|')})$`) : NEVER;
  const locations = new Map(
    platforms.map((p) => [p, union(catalogue.userWritableLocations.filter((l) => l.platform === p).map((l) => l.pattern))]),
  );

  return {
    interpreter(platform, name) {
      const hit = interpByName.get(platform)?.get(name);
      if (hit) return hit;
      for (const p of interpPatterns) if (forPlatform(p.platform, platform) && p.re.test(name)) return p.spec;
      return undefined;
    },
    proxy: (platform, name) => proxies.get(platform)?.get(name),
    system: (platform, name) => systems.get(platform)?.get(name),
    isLoader: (name) => loaderRe.test(name),
    userWritable: (platform, lowerPath) => (locations.get(platform) ?? NEVER).test(lowerPath),
  };
}
