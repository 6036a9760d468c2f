/**
 * test_klp_shadow_vars: an ordinary module whose init exercises the shadow
 * variable API on three on-stack objects and logs every call. Pointers are
 * printed as PTR<n>, n being the order in which the module first asked about
 * that address (its ptr_id() list), so the trace does not depend on addresses.
 * See conformance/MODULES.md, "test_klp_shadow_vars".
 */
import { ShadowVars, type ShadowCtor, type ShadowDtor } from '../../kernel/shadow';

const MODNAME = 'test_klp_shadow_vars';
const NUM_OBJS = 3;
const SV_ID1 = 0x1234; // the "char" field added to each object
const SV_ID2 = 0x1235; // the "int" field added to each object
const POINTER_SIZE = 8; // sizeof(char *): each shadow variable holds one pointer
const GFP_KERNEL = 'GFP_KERNEL';
const NULL = 0;
const ENOMEM = 12;
const EINVAL = 22;

const hex = (n: number): string => n.toString(16);

/**
 * Runs the module's init and returns its result (0). `kernelLog` receives any
 * message from shadow.c itself; the selftest never provokes one.
 */
export function runShadowVarsSelftest(
  printInfo: (line: string) => void,
  kernelLog: (line: string) => void = printInfo,
  warn: (message: string) => void = kernelLog,
): number {
  const info = (text: string): void => printInfo(`${MODNAME}: ${text}`);

  let nextAddress = 0x10000;
  const allocAddress = (): number => (nextAddress += 0x10);

  const shadows = new ShadowVars({
    warn, // WARN() does not apply pr_fmt
    err: (text) => kernelLog(`livepatch: ${text}`),
    allocAddress,
    formatPtr: (n) => hex(n).padStart(16, '0'),
  });

  // ptr_id(): the module's private list, numbered from 0 in order of first request.
  const ids = new Map<number, number>();
  const ptrId = (ptr: number | null): number => {
    const p = ptr ?? NULL;
    let id = ids.get(p);
    if (id === undefined) {
      id = ids.size;
      ids.set(p, id);
    }
    return id;
  };

  // The module's own pointer variables (pnfields1[i] and friends): stack words
  // holding a pointer, whose address is what gets passed as ctor_data.
  const stack = new Map<number, number>();
  const pointerVar = (value: number): number => {
    const addr = allocAddress();
    stack.set(addr, value);
    return addr;
  };
  const load = (addr: number): number => {
    const value = stack.get(addr);
    if (value === undefined) throw new Error(`${MODNAME}: bad stack load at ${hex(addr)}`);
    return value;
  };

  // Remember the pointer that ctor_data points to.
  const shadowCtor: ShadowCtor = (_obj, shadowData, ctorData) => {
    if (!ctorData) return -EINVAL;
    const value = load(ctorData);
    shadows.write(shadowData, value);
    info(`shadow_ctor: PTR${ptrId(shadowData)} -> PTR${ptrId(value)}`);
    return 0;
  };
  const shadowDtor: ShadowDtor = (obj, shadowData) => {
    info(`shadow_dtor(obj=PTR${ptrId(obj)}, shadow_data=PTR${ptrId(shadowData)})`);
  };
  const textAddress = new Map<ShadowCtor | ShadowDtor, number>([
    [shadowCtor, allocAddress()],
    [shadowDtor, allocAddress()],
  ]);
  const fnId = (fn: ShadowCtor | ShadowDtor | null): number =>
    ptrId(fn ? (textAddress.get(fn) ?? NULL) : NULL);

  // Wrappers that call the API, then log the call and its result.
  const shadowGet = (obj: number, id: number): number | null => {
    const sv = shadows.get(obj, id);
    info(`klp_shadow_get(obj=PTR${ptrId(obj)}, id=0x${hex(id)}) = PTR${ptrId(sv)}`);
    return sv;
  };
  const logAlloc = (
    name: 'alloc' | 'get_or_alloc',
    obj: number,
    id: number,
    ctorData: number,
    sv: number | null,
  ): number | null => {
    info(
      `klp_shadow_${name}(obj=PTR${ptrId(obj)}, id=0x${hex(id)}, size=${hex(POINTER_SIZE)}, ` +
        `gfp_flags=${GFP_KERNEL}), ctor=PTR${fnId(shadowCtor)}, ` +
        `ctor_data=PTR${ptrId(load(ctorData))} = PTR${ptrId(sv)}`,
    );
    return sv;
  };
  // The API call is an argument of logAlloc, so the ctor's line comes first.
  const shadowAlloc = (obj: number, id: number, ctorData: number): number | null =>
    logAlloc('alloc', obj, id, ctorData,
      shadows.alloc(obj, id, POINTER_SIZE, GFP_KERNEL, shadowCtor, ctorData));
  const shadowGetOrAlloc = (obj: number, id: number, ctorData: number): number | null =>
    logAlloc('get_or_alloc', obj, id, ctorData,
      shadows.getOrAlloc(obj, id, POINTER_SIZE, GFP_KERNEL, shadowCtor, ctorData));
  const shadowFree = (obj: number, id: number, dtor: ShadowDtor | null): void => {
    shadows.free(obj, id, dtor);
    info(`klp_shadow_free(obj=PTR${ptrId(obj)}, id=0x${hex(id)}, dtor=PTR${fnId(dtor)})`);
  };
  const shadowFreeAll = (id: number, dtor: ShadowDtor | null): void => {
    shadows.freeAll(id, dtor);
    info(`klp_shadow_free_all(id=0x${hex(id)}, dtor=PTR${fnId(dtor)})`);
  };
  const reportIfExpected = (sv: number, expectedSv: number, expectedField: number): void => {
    if (sv === expectedSv && shadows.read(expectedSv) === expectedField) {
      info(`  got expected PTR${ptrId(expectedSv)} -> PTR${ptrId(shadows.read(expectedSv))} result`);
    }
  };

  // Stack of the init function.
  const indices = [...Array(NUM_OBJS).keys()];
  const objs = indices.map(() => allocAddress());
  const nfields1 = indices.map(() => allocAddress());
  const nfields2 = indices.map(() => allocAddress());
  const sv1: number[] = [];
  const sv2: number[] = [];

  const passes = (): number => {
    ptrId(NULL);

    // An empty hash table finds nothing.
    if (!shadowGet(objs[0], SV_ID1)) info('  got expected NULL result');

    // Pass 1: attach a char+int pair of shadow variables to each object.
    for (const i of indices) {
      const pnfield1 = pointerVar(nfields1[i]);
      ptrId(nfields1[i]);
      const alloc = i % 2 ? shadowAlloc : shadowGetOrAlloc;
      const charSv = alloc(objs[i], SV_ID1, pnfield1);
      if (!charSv) return -ENOMEM;
      sv1[i] = charSv;

      const pnfield2 = pointerVar(nfields2[i]);
      ptrId(nfields2[i]);
      const intSv = shadowAlloc(objs[i], SV_ID2, pnfield2);
      if (!intSv) return -ENOMEM;
      sv2[i] = intSv;
    }

    // Pass 2: both variables are found and point where the ctor said.
    for (const i of indices) {
      const charSv = shadowGet(objs[i], SV_ID1);
      if (!charSv) return -EINVAL;
      reportIfExpected(charSv, sv1[i], nfields1[i]);

      const intSv = shadowGet(objs[i], SV_ID2);
      if (!intSv) return -EINVAL;
      reportIfExpected(intSv, sv2[i], nfields2[i]);
    }

    // Pass 3: get_or_alloc hands back the existing variable without the ctor.
    for (const i of indices) {
      const pndup = pointerVar(nfields1[i]);
      ptrId(nfields1[i]);
      const sv = shadowGetOrAlloc(objs[i], SV_ID1, pndup);
      if (!sv) return -EINVAL;
      reportIfExpected(sv, sv1[i], nfields1[i]);
    }

    // Pass 4: free each <obj, SV_ID1> with the dtor; it is gone afterwards.
    for (const i of indices) {
      shadowFree(objs[i], SV_ID1, shadowDtor);
      if (!shadowGet(objs[i], SV_ID1)) info('  got expected NULL result');
    }

    // Pass 5: the <obj, SV_ID2> variables are untouched.
    for (const i of indices) {
      const sv = shadowGet(objs[i], SV_ID2);
      if (!sv) return -EINVAL;
      reportIfExpected(sv, sv2[i], nfields2[i]);
    }

    // Pass 6: free every SV_ID2 at once. No dtor: free_all's order is not defined.
    shadowFreeAll(SV_ID2, null);
    for (const i of indices) {
      if (!shadowGet(objs[i], SV_ID2)) info('  got expected NULL result');
    }
    return 0;
  };

  const ret = passes();
  if (ret) {
    shadowFreeAll(SV_ID1, null);
    shadowFreeAll(SV_ID2, null);
  }
  return ret;
}
