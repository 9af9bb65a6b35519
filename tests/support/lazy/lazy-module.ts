/**
 * A stand-in for a module that loads the real one on first use. The Pulumi SDK requires
 * `typescript` (9 MB) and `@npmcli/arborist` (with pacote and sigstore) at load time, for
 * closure serialization only, which never runs under the mocks; jest compiles every module
 * again for each test file, so loading them eagerly cost each file that imports the SDK.
 * jest.config.js maps those requires here (moduleNameMapper).
 */
export function lazyModule(load: () => object): object {
  let loaded: object | undefined;
  const real = (): object => {
    loaded ??= load();
    return loaded;
  };
  return new Proxy(
    {},
    {
      get: (_, key) => {
        // TypeScript's __importStar keeps a module that says it is an ES module as it is,
        // instead of copying (and so loading) every export at require time.
        if (key === "__esModule") return true;
        return Reflect.get(real(), key);
      },
      has: (_, key) => Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
        // A proxy may not report a property its empty target lacks as non-configurable.
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}
