import { describe, it, expect } from 'vitest';
import { ShadowVars, type ShadowCtor, type ShadowDtor } from '../../../src/kernel/shadow';
import { runShadowVarsSelftest } from '../../../src/scenario/catalog/shadowVars';

const OBJ_A = 0xa000;
const OBJ_B = 0xb000;
const ID = 0x1234;
const OTHER_ID = 0x1235;

function setup(opts: { failAlloc?: boolean } = {}) {
  const warnings: string[] = [];
  const errors: string[] = [];
  let next = 0x1000;
  const shadows = new ShadowVars({
    warn: (text) => warnings.push(text),
    err: (text) => errors.push(text),
    allocAddress: () => (opts.failAlloc ? 0 : (next += 0x100)),
    formatPtr: (n) => `0x${n.toString(16)}`,
  });
  return { shadows, warnings, errors };
}

function recordingCtor() {
  const calls: [number, number, number][] = [];
  const ctor: ShadowCtor = (obj, data, ctorData) => {
    calls.push([obj, data, ctorData]);
    return 0;
  };
  return { ctor, calls };
}

describe('ShadowVars (kernel/livepatch/shadow.c)', () => {
  it('get finds nothing for an unknown <obj, id>', () => {
    const { shadows } = setup();
    expect(shadows.get(OBJ_A, ID)).toBeNull();
  });

  it('alloc returns zero-filled data that get then finds', () => {
    const { shadows } = setup();
    const data = shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', null, 0);
    expect(data).not.toBeNull();
    expect(shadows.get(OBJ_A, ID)).toBe(data);
    expect(shadows.read(data!)).toBe(0);
    expect(shadows.get(OBJ_A, OTHER_ID)).toBeNull();
    expect(shadows.get(OBJ_B, ID)).toBeNull();
  });

  it('ctor receives obj, new data and ctor_data, and what it writes is kept', () => {
    const { shadows } = setup();
    const calls: [number, number, number][] = [];
    const ctor: ShadowCtor = (obj, data, ctorData) => {
      calls.push([obj, data, ctorData]);
      shadows.write(data, 0xfeed);
      return 0;
    };
    const data = shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', ctor, 0x42)!;
    expect(calls).toEqual([[OBJ_A, data, 0x42]]);
    expect(shadows.read(data)).toBe(0xfeed);
  });

  it('ctor runs before the variable is visible to get', () => {
    const { shadows } = setup();
    let seen: number | null | undefined;
    shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', () => {
      seen = shadows.get(OBJ_A, ID);
      return 0;
    }, 0);
    expect(seen).toBeNull();
  });

  it('duplicate alloc warns and returns null, leaving the existing variable alone', () => {
    const { shadows, warnings } = setup();
    const first = shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', null, 0)!;
    shadows.write(first, 7);
    const { ctor, calls } = recordingCtor();
    expect(shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', ctor, 0)).toBeNull();
    expect(warnings).toEqual(['Duplicate shadow variable <0xa000, 1234>']);
    expect(calls).toEqual([]);
    expect(shadows.get(OBJ_A, ID)).toBe(first);
    expect(shadows.read(first)).toBe(7);
  });

  it('get_or_alloc returns the existing variable without calling the ctor or warning', () => {
    const { shadows, warnings } = setup();
    const first = shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', null, 0);
    const { ctor, calls } = recordingCtor();
    expect(shadows.getOrAlloc(OBJ_A, ID, 8, 'GFP_KERNEL', ctor, 0)).toBe(first);
    expect(calls).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('get_or_alloc allocates and constructs when the variable is missing', () => {
    const { shadows } = setup();
    const { ctor, calls } = recordingCtor();
    const data = shadows.getOrAlloc(OBJ_A, ID, 8, 'GFP_KERNEL', ctor, 0x42);
    expect(data).not.toBeNull();
    expect(calls).toEqual([[OBJ_A, data, 0x42]]);
    expect(shadows.get(OBJ_A, ID)).toBe(data);
  });

  it('ctor failure logs "Failed to construct" and attaches nothing', () => {
    const { shadows, errors } = setup();
    let data = 0;
    const ctor: ShadowCtor = (_obj, d) => {
      data = d;
      return -22;
    };
    expect(shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', ctor, 0)).toBeNull();
    expect(errors).toEqual(['Failed to construct shadow variable <0xa000, 1234> (-22)']);
    expect(shadows.get(OBJ_A, ID)).toBeNull();
    expect(() => shadows.read(data)).toThrow();
  });

  it('failed allocation returns null without calling the ctor', () => {
    const { shadows, errors, warnings } = setup({ failAlloc: true });
    const { ctor, calls } = recordingCtor();
    expect(shadows.getOrAlloc(OBJ_A, ID, 8, 'GFP_KERNEL', ctor, 0)).toBeNull();
    expect(calls).toEqual([]);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('free calls the dtor with obj and data, then the variable is gone', () => {
    const { shadows } = setup();
    const data = shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', null, 0)!;
    shadows.write(data, 99);
    const calls: [number, number, number, number | null][] = [];
    const dtor: ShadowDtor = (obj, d) => calls.push([obj, d, shadows.read(d), shadows.get(obj, ID)]);
    shadows.free(OBJ_A, ID, dtor);
    // The dtor still reads the data, but lookups no longer find it (unhashed first).
    expect(calls).toEqual([[OBJ_A, data, 99, null]]);
    expect(shadows.get(OBJ_A, ID)).toBeNull();
    expect(() => shadows.read(data)).toThrow();
  });

  it('free of an unknown <obj, id> does nothing and skips the dtor', () => {
    const { shadows } = setup();
    const kept = shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', null, 0);
    const calls: number[] = [];
    shadows.free(OBJ_A, OTHER_ID, (obj) => calls.push(obj));
    shadows.free(OBJ_B, ID, (obj) => calls.push(obj));
    expect(calls).toEqual([]);
    expect(shadows.get(OBJ_A, ID)).toBe(kept);
  });

  it('free_all frees every variable with that id, and only those', () => {
    const { shadows } = setup();
    const a = shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', null, 0);
    const b = shadows.alloc(OBJ_B, ID, 8, 'GFP_KERNEL', null, 0);
    const other = shadows.alloc(OBJ_A, OTHER_ID, 8, 'GFP_KERNEL', null, 0);
    const calls: [number, number][] = [];
    shadows.freeAll(ID, (obj, d) => calls.push([obj, d]));
    expect(calls).toHaveLength(2);
    expect(calls).toEqual(expect.arrayContaining([[OBJ_A, a], [OBJ_B, b]]));
    expect(shadows.get(OBJ_A, ID)).toBeNull();
    expect(shadows.get(OBJ_B, ID)).toBeNull();
    expect(shadows.get(OBJ_A, OTHER_ID)).toBe(other);
  });

  it('free_all without a dtor just detaches', () => {
    const { shadows } = setup();
    shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', null, 0);
    shadows.freeAll(ID, null);
    expect(shadows.get(OBJ_A, ID)).toBeNull();
    expect(shadows.alloc(OBJ_A, ID, 8, 'GFP_KERNEL', null, 0)).not.toBeNull();
  });
});

// Written out by hand from conformance/MODULES.md "test_klp_shadow_vars".
const GOLDEN = [
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR1, id=0x1234) = PTR0',
  'test_klp_shadow_vars:   got expected NULL result',
  'test_klp_shadow_vars: shadow_ctor: PTR3 -> PTR2',
  'test_klp_shadow_vars: klp_shadow_get_or_alloc(obj=PTR1, id=0x1234, size=8, gfp_flags=GFP_KERNEL), ctor=PTR4, ctor_data=PTR2 = PTR3',
  'test_klp_shadow_vars: shadow_ctor: PTR6 -> PTR5',
  'test_klp_shadow_vars: klp_shadow_alloc(obj=PTR1, id=0x1235, size=8, gfp_flags=GFP_KERNEL), ctor=PTR4, ctor_data=PTR5 = PTR6',
  'test_klp_shadow_vars: shadow_ctor: PTR8 -> PTR7',
  'test_klp_shadow_vars: klp_shadow_alloc(obj=PTR9, id=0x1234, size=8, gfp_flags=GFP_KERNEL), ctor=PTR4, ctor_data=PTR7 = PTR8',
  'test_klp_shadow_vars: shadow_ctor: PTR11 -> PTR10',
  'test_klp_shadow_vars: klp_shadow_alloc(obj=PTR9, id=0x1235, size=8, gfp_flags=GFP_KERNEL), ctor=PTR4, ctor_data=PTR10 = PTR11',
  'test_klp_shadow_vars: shadow_ctor: PTR13 -> PTR12',
  'test_klp_shadow_vars: klp_shadow_get_or_alloc(obj=PTR14, id=0x1234, size=8, gfp_flags=GFP_KERNEL), ctor=PTR4, ctor_data=PTR12 = PTR13',
  'test_klp_shadow_vars: shadow_ctor: PTR16 -> PTR15',
  'test_klp_shadow_vars: klp_shadow_alloc(obj=PTR14, id=0x1235, size=8, gfp_flags=GFP_KERNEL), ctor=PTR4, ctor_data=PTR15 = PTR16',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR1, id=0x1234) = PTR3',
  'test_klp_shadow_vars:   got expected PTR3 -> PTR2 result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR1, id=0x1235) = PTR6',
  'test_klp_shadow_vars:   got expected PTR6 -> PTR5 result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR9, id=0x1234) = PTR8',
  'test_klp_shadow_vars:   got expected PTR8 -> PTR7 result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR9, id=0x1235) = PTR11',
  'test_klp_shadow_vars:   got expected PTR11 -> PTR10 result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR14, id=0x1234) = PTR13',
  'test_klp_shadow_vars:   got expected PTR13 -> PTR12 result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR14, id=0x1235) = PTR16',
  'test_klp_shadow_vars:   got expected PTR16 -> PTR15 result',
  'test_klp_shadow_vars: klp_shadow_get_or_alloc(obj=PTR1, id=0x1234, size=8, gfp_flags=GFP_KERNEL), ctor=PTR4, ctor_data=PTR2 = PTR3',
  'test_klp_shadow_vars:   got expected PTR3 -> PTR2 result',
  'test_klp_shadow_vars: klp_shadow_get_or_alloc(obj=PTR9, id=0x1234, size=8, gfp_flags=GFP_KERNEL), ctor=PTR4, ctor_data=PTR7 = PTR8',
  'test_klp_shadow_vars:   got expected PTR8 -> PTR7 result',
  'test_klp_shadow_vars: klp_shadow_get_or_alloc(obj=PTR14, id=0x1234, size=8, gfp_flags=GFP_KERNEL), ctor=PTR4, ctor_data=PTR12 = PTR13',
  'test_klp_shadow_vars:   got expected PTR13 -> PTR12 result',
  'test_klp_shadow_vars: shadow_dtor(obj=PTR1, shadow_data=PTR3)',
  'test_klp_shadow_vars: klp_shadow_free(obj=PTR1, id=0x1234, dtor=PTR17)',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR1, id=0x1234) = PTR0',
  'test_klp_shadow_vars:   got expected NULL result',
  'test_klp_shadow_vars: shadow_dtor(obj=PTR9, shadow_data=PTR8)',
  'test_klp_shadow_vars: klp_shadow_free(obj=PTR9, id=0x1234, dtor=PTR17)',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR9, id=0x1234) = PTR0',
  'test_klp_shadow_vars:   got expected NULL result',
  'test_klp_shadow_vars: shadow_dtor(obj=PTR14, shadow_data=PTR13)',
  'test_klp_shadow_vars: klp_shadow_free(obj=PTR14, id=0x1234, dtor=PTR17)',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR14, id=0x1234) = PTR0',
  'test_klp_shadow_vars:   got expected NULL result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR1, id=0x1235) = PTR6',
  'test_klp_shadow_vars:   got expected PTR6 -> PTR5 result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR9, id=0x1235) = PTR11',
  'test_klp_shadow_vars:   got expected PTR11 -> PTR10 result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR14, id=0x1235) = PTR16',
  'test_klp_shadow_vars:   got expected PTR16 -> PTR15 result',
  'test_klp_shadow_vars: klp_shadow_free_all(id=0x1235, dtor=PTR0)',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR1, id=0x1235) = PTR0',
  'test_klp_shadow_vars:   got expected NULL result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR9, id=0x1235) = PTR0',
  'test_klp_shadow_vars:   got expected NULL result',
  'test_klp_shadow_vars: klp_shadow_get(obj=PTR14, id=0x1235) = PTR0',
  'test_klp_shadow_vars:   got expected NULL result',
];

describe('test_klp_shadow_vars selftest module', () => {
  it('init prints the 57-line trace and returns 0', () => {
    const lines: string[] = [];
    const kernel: string[] = [];
    const ret = runShadowVarsSelftest((line) => lines.push(line), (line) => kernel.push(line));
    expect(GOLDEN).toHaveLength(57);
    expect(lines).toEqual(GOLDEN);
    expect(kernel).toEqual([]);
    expect(ret).toBe(0);
  });
});
