/**
 * Shadow variables, modelled on kernel/livepatch/shadow.c.
 *
 * A shadow variable attaches data to an existing object without changing the
 * object's layout: it is found by the pair <obj, id>. Objects and data areas are
 * opaque numeric addresses; each data area holds one word (`value`), enough for
 * the pointer that livepatches and the selftest store in it. The kernel takes a
 * spinlock around the hash table; this model runs one call at a time, so the
 * re-check under that lock has nothing to catch and is left out.
 */

/** klp_shadow_ctor_t: initialises new data; a nonzero return (-errno) aborts the allocation. */
export type ShadowCtor = (obj: number, shadowData: number, ctorData: number) => number;

/** klp_shadow_dtor_t: runs on the data just before it is freed. */
export type ShadowDtor = (obj: number, shadowData: number) => void;

interface ShadowHooks {
  /** WARN() text, without the trailing newline. */
  warn(text: string): void;
  /** pr_err() text, without pr_fmt prefix or trailing newline. */
  err(text: string): void;
  /** kzalloc(): a fresh nonzero address, or 0 when the allocation fails. */
  allocAddress(size: number, gfp: string): number;
  /** How `%p` renders an address. */
  formatPtr(n: number): string;
}

interface ShadowVar {
  obj: number;
  id: number;
  data: number;
}

const hex = (n: number): string => n.toString(16);

export class ShadowVars {
  /** klp_shadow_hash. Insertion order stands in for the kernel's bucket order. */
  private readonly hash = new Map<string, ShadowVar>();
  /** Words of the data areas that are currently allocated. */
  private readonly words = new Map<number, number>();

  constructor(private readonly hooks: ShadowHooks) {}

  /** Models klp_shadow_get(). */
  get(obj: number, id: number): number | null {
    return this.hash.get(key(obj, id))?.data ?? null;
  }

  /** Models klp_shadow_alloc(): an existing <obj, id> is a caller bug, hence the WARN. */
  alloc(
    obj: number,
    id: number,
    size: number,
    gfp: string,
    ctor: ShadowCtor | null,
    ctorData: number,
  ): number | null {
    return this.getOrAllocShadow(obj, id, size, gfp, ctor, ctorData, true);
  }

  /** Models klp_shadow_get_or_alloc(). */
  getOrAlloc(
    obj: number,
    id: number,
    size: number,
    gfp: string,
    ctor: ShadowCtor | null,
    ctorData: number,
  ): number | null {
    return this.getOrAllocShadow(obj, id, size, gfp, ctor, ctorData, false);
  }

  /** Models klp_shadow_free(). */
  free(obj: number, id: number, dtor: ShadowDtor | null): void {
    const shadow = this.hash.get(key(obj, id));
    if (shadow) this.freeStruct(shadow, dtor);
  }

  /** Models klp_shadow_free_all(). */
  freeAll(id: number, dtor: ShadowDtor | null): void {
    for (const shadow of [...this.hash.values()]) {
      if (shadow.id === id) this.freeStruct(shadow, dtor);
    }
  }

  /** Models a load through the shadow data pointer (`*(void **)shadow_data`). */
  read(data: number): number {
    const value = this.words.get(data);
    if (value === undefined) throw new Error(`no live shadow data at ${this.hooks.formatPtr(data)}`);
    return value;
  }

  /** Models a store through the shadow data pointer. */
  write(data: number, value: number): void {
    if (!this.words.has(data)) throw new Error(`no live shadow data at ${this.hooks.formatPtr(data)}`);
    this.words.set(data, value);
  }

  /** Models __klp_shadow_get_or_alloc(). */
  private getOrAllocShadow(
    obj: number,
    id: number,
    size: number,
    gfp: string,
    ctor: ShadowCtor | null,
    ctorData: number,
    warnOnExist: boolean,
  ): number | null {
    const existing = this.get(obj, id);
    if (existing !== null) {
      if (!warnOnExist) return existing;
      this.hooks.warn(`Duplicate shadow variable <${this.hooks.formatPtr(obj)}, ${hex(id)}>`);
      return null;
    }

    const data = this.hooks.allocAddress(size, gfp);
    if (!data) return null;
    this.words.set(data, 0); // kzalloc: zero-filled

    // The ctor runs before the variable is hashed, so it cannot be found yet.
    const err = ctor ? ctor(obj, data, ctorData) : 0;
    if (err) {
      this.words.delete(data);
      this.hooks.err(
        `Failed to construct shadow variable <${this.hooks.formatPtr(obj)}, ${hex(id)}> (${err})`,
      );
      return null;
    }

    this.hash.set(key(obj, id), { obj, id, data });
    return data;
  }

  /** Models klp_shadow_free_struct(): unhashed first, so the dtor still sees the data but lookups no longer find it. */
  private freeStruct(shadow: ShadowVar, dtor: ShadowDtor | null): void {
    this.hash.delete(key(shadow.obj, shadow.id));
    dtor?.(shadow.obj, shadow.data);
    this.words.delete(shadow.data);
  }
}

function key(obj: number, id: number): string {
  return `${obj}:${id}`;
}
