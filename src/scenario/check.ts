// Validation of untrusted JSON values (scenario documents, URLs): every check reports the JSON
// path of the field and what was expected, and none of them throws or recurses into a value
// it was not asked about, so any JSON value at all yields a list of messages.

const SHOWN_CHARS = 40;

/** Collects error messages; each names a field path ("tasks.classes[2].count"). */
export class Problems {
  readonly errors: string[] = [];

  private readonly paths = new Set<string>();

  add(path: string, message: string): void {
    // A missing required field is reported once (by object()); the field's own check of the
    // absent value would only add a second, confusing "got undefined".
    if (message.endsWith('got undefined') && this.paths.has(path)) return;
    this.paths.add(path);
    this.errors.push(`${path || 'document'}: ${message}`);
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}

/** The path of a field inside the value at `path`; an odd key is quoted (and cut short): a["x y"]. */
export function field(path: string, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return `${path || 'document'}[${JSON.stringify(name.length > SHOWN_CHARS ? `${name.slice(0, SHOWN_CHARS)}...` : name)}]`;
  return path ? `${path}.${name}` : name;
}

/** The path of an array element. */
export function item(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** "got ..." for a message: short, and never the whole of a large value. */
export function got(v: unknown): string {
  if (v === null) return 'got null';
  if (Array.isArray(v)) return 'got an array';
  switch (typeof v) {
    case 'string': {
      const s = JSON.stringify(v.length > SHOWN_CHARS ? v.slice(0, SHOWN_CHARS) : v);
      return v.length > SHOWN_CHARS ? `got ${s.slice(0, -1)}..." (${v.length} characters)` : `got ${s}`;
    }
    case 'number':
    case 'boolean':
      return `got ${String(v)}`;
    case 'object':
      return 'got an object';
    default:
      return `got ${typeof v}`;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(o: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/**
 * An object with only the `allowed` fields, of which `required` must be present. Returns the
 * object (unknown fields reported, not read) or undefined when it is not an object.
 */
export function object(v: unknown, path: string, p: Problems, what: string, allowed: readonly string[], required: readonly string[] = []): Record<string, unknown> | undefined {
  if (!isPlainObject(v)) {
    p.add(path, `expected ${what} (a JSON object), ${got(v)}`);
    return undefined;
  }
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) p.add(field(path, key), `unknown field (allowed: ${allowed.join(', ')})`);
  }
  for (const key of required) {
    if (!has(v, key)) p.add(field(path, key), `missing (${what} needs ${required.join(', ')})`);
  }
  return v;
}

/** The field's value if present (own property), else undefined. */
export function get(o: Record<string, unknown>, key: string): unknown {
  return has(o, key) ? o[key] : undefined;
}

export function present(o: Record<string, unknown>, key: string): boolean {
  return has(o, key);
}

export interface StringRule {
  /** Maximum length in characters. */
  max: number;
  min?: number;
  /** Pattern the string must match, with its description for the message. */
  pattern?: { re: RegExp; what: string };
}

export function string(v: unknown, path: string, p: Problems, rule: StringRule, fallback = ''): string {
  if (typeof v !== 'string') {
    p.add(path, `expected ${rule.pattern ? rule.pattern.what : 'a string'}, ${got(v)}`);
    return fallback;
  }
  const min = rule.min ?? 0;
  if (v.length < min) {
    p.add(path, min === 1 ? 'expected a non-empty string' : `expected at least ${min} characters, got ${v.length}`);
    return fallback;
  }
  if (v.length > rule.max) {
    p.add(path, `expected at most ${rule.max} characters, ${got(v)}`);
    return fallback;
  }
  if (rule.pattern && !rule.pattern.re.test(v)) {
    p.add(path, `expected ${rule.pattern.what}, ${got(v)}`);
    return fallback;
  }
  return v;
}

export function boolean(v: unknown, path: string, p: Problems, fallback: boolean): boolean {
  if (typeof v !== 'boolean') {
    p.add(path, `expected true or false, ${got(v)}`);
    return fallback;
  }
  return v;
}

/** An integer in [min, max]. */
export function integer(v: unknown, path: string, p: Problems, min: number, max: number, fallback = min): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    p.add(path, `expected an integer from ${min} to ${max}, ${got(v)}`);
    return fallback;
  }
  if (v < min || v > max) {
    p.add(path, `expected an integer from ${min} to ${max}, ${got(v)}`);
    return fallback;
  }
  return v;
}

/** A finite number in (0, max] ("positive") or [0, max] ("non-negative"). */
export function number(v: unknown, path: string, p: Problems, sign: 'positive' | 'non-negative', max: number, fallback = 0): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (sign === 'positive' ? v > 0 : v >= 0);
  if (!ok) {
    p.add(path, `expected a ${sign} number, ${got(v)}`);
    return fallback;
  }
  if (v > max) {
    p.add(path, `expected a ${sign} number of at most ${max}, ${got(v)}`);
    return fallback;
  }
  return v;
}

export function oneOf<T extends string | number>(v: unknown, path: string, p: Problems, values: readonly T[], fallback: T): T {
  if (!(values as readonly unknown[]).includes(v)) {
    p.add(path, `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}, ${got(v)}`);
    return fallback;
  }
  return v as T;
}

/** An array of at most `max` elements; the elements are left to the caller. */
export function array(v: unknown, path: string, p: Problems, what: string, max: number): unknown[] {
  if (!Array.isArray(v)) {
    p.add(path, `expected an array of ${what}, ${got(v)}`);
    return [];
  }
  if (v.length > max) {
    p.add(path, `expected at most ${max} ${what}, got ${v.length}`);
    return [];
  }
  return v;
}

/** An array of strings, each checked with `rule`. */
export function strings(v: unknown, path: string, p: Problems, what: string, max: number, rule: StringRule): string[] {
  return array(v, path, p, what, max).map((s, i) => string(s, item(path, i), p, rule));
}
