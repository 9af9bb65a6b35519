import { isStateful } from "./state";

/**
 * The stateful resources each deployed stack holds, by the identity Pulumi tracks them under
 * (type, name, parent). A rename without an alias makes Pulumi delete the old resource and
 * create a new, empty one; checking the program against this ledger catches that in a test.
 */

export interface Identity {
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
}

export interface DeclaredResource extends Identity {
  readonly protect: boolean;
  readonly retainOnDelete?: boolean;
  readonly aliases?: readonly (
    | { readonly urn: string }
    | { readonly name?: string; readonly type?: string; readonly parent?: string | null }
  )[];
}

const sameIdentity = (a: Identity, b: Identity) =>
  a.type === b.type && a.name === b.name && a.parent === b.parent;

/** The identities a declared resource answers to: its own and each alias (unset parts kept). */
export function identitiesOf(resource: DeclaredResource): Identity[] {
  const aliases = (resource.aliases ?? []).flatMap((alias) =>
    "urn" in alias
      ? []
      : [
          {
            type: alias.type ?? resource.type,
            name: alias.name ?? resource.name,
            parent: alias.parent === undefined ? resource.parent : alias.parent,
          },
        ],
  );
  return [{ type: resource.type, name: resource.name, parent: resource.parent }, ...aliases];
}

/** Ledger entries no declared resource answers to: renamed without an alias, or dropped. */
export function lostIdentities(
  ledger: readonly Identity[],
  declared: readonly DeclaredResource[],
): Identity[] {
  const answered = declared.flatMap(identitiesOf);
  return ledger.filter((entry) => !answered.some((identity) => sameIdentity(identity, entry)));
}

/** Declared stateful resources the ledger does not list yet. */
export function unrecorded(
  ledger: readonly Identity[],
  declared: readonly DeclaredResource[],
): Identity[] {
  return declared
    .filter((r) => isStateful(r) && !ledger.some((entry) => sameIdentity(entry, r)))
    .map(({ type, name, parent }) => ({ type, name, parent }));
}

/** Stateful resources that a `pulumi destroy` or a removal from the program would delete. */
export function unretained(declared: readonly DeclaredResource[]): string[] {
  return declared
    .filter((r) => isStateful(r) && !(r.protect && r.retainOnDelete))
    .map((r) => `${r.type} ${r.name}`);
}
