/**
 * @peculiar/x509 depends on tsyringe, which refuses to load unless
 * `Reflect.getMetadata` exists (the reflect-metadata package, not installed
 * here). x509 registers its classes without decorator metadata, so a small
 * metadata store is enough. Imported only before x509 is loaded.
 */
type MetadataStore = WeakMap<object, Map<string | symbol | undefined, Map<unknown, unknown>>>;

const store: MetadataStore = new WeakMap();

function table(target: object, property: string | symbol | undefined, create: boolean): Map<unknown, unknown> | undefined {
  let byProperty = store.get(target);
  if (byProperty === undefined) {
    if (!create) return undefined;
    store.set(target, (byProperty = new Map()));
  }
  let entries = byProperty.get(property);
  if (entries === undefined && create) byProperty.set(property, (entries = new Map()));
  return entries;
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  const getOwnMetadata = (key: unknown, target: object, property?: string | symbol): unknown => table(target, property, false)?.get(key);
  const getMetadata = (key: unknown, target: object, property?: string | symbol): unknown => {
    for (let current: object | null = target; current !== null; current = Object.getPrototypeOf(current) as object | null) {
      const entries = table(current, property, false);
      if (entries?.has(key) === true) return entries.get(key);
    }
    return undefined;
  };
  const defineMetadata = (key: unknown, value: unknown, target: object, property?: string | symbol): void => {
    table(target, property, true)?.set(key, value);
  };
  reflect.getOwnMetadata = getOwnMetadata;
  reflect.getMetadata = getMetadata;
  reflect.defineMetadata = defineMetadata;
  reflect.hasMetadata = (key: unknown, target: object, property?: string | symbol): boolean => getMetadata(key, target, property) !== undefined;
  reflect.metadata = (key: unknown, value: unknown) => (target: object, property?: string | symbol) => defineMetadata(key, value, target, property);
}

export {};
