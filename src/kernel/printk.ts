// The kernel log (printk ring buffer) and dynamic debug (lib/dynamic_debug.c).
// Records keep level and virtual timestamp; pr_debug() sites print only when a dynamic
// debug rule enables them, exactly as `echo 'file kernel/livepatch/* +p' > control` does.

import { EINVAL } from './errno';

export const KERN_EMERG = 0;
export const KERN_ALERT = 1;
export const KERN_ERR = 3;
export const KERN_WARNING = 4;
export const KERN_NOTICE = 5;
export const KERN_INFO = 6;
const KERN_DEBUG = 7;

export type LogLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export const LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'] as const;

export interface LogRecord {
  /** Sequence number, from 0. */
  seq: number;
  /** Virtual time of the record in microseconds since boot. */
  time: number;
  level: LogLevel;
  text: string;
  /** Kernel facility (0) or a user-space write to /dev/kmsg (1). */
  facility: 0 | 1;
}

/** Where a pr_debug() is in the kernel source: what dynamic debug rules match on. */
interface DebugSite {
  file: string;
  func: string;
  module?: string;
}

interface DdRule {
  file?: string;
  func?: string;
  module?: string;
  enable: boolean;
}

/** lib/dynamic_debug.c: rules applied in order to every pr_debug site. */
export class DynamicDebug {
  private rules: DdRule[] = [];

  /** Parse and apply one line written to /sys/kernel/debug/dynamic_debug/control. */
  write(line: string): number {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return 0;
    const flags = words[words.length - 1];
    const m = /^([+\-=])([pflmt_]*)$/.exec(flags);
    if (!m) return -EINVAL;
    const rule: DdRule = { enable: m[1] !== '-' && m[2].includes('p') };
    if (m[1] === '=' && !m[2].includes('p')) rule.enable = false;
    if (m[1] !== '=' && !m[2].includes('p')) return 0; // other flags do not change printing
    const terms = words.slice(0, -1);
    if (terms.length % 2 !== 0) return -EINVAL;
    for (let i = 0; i < terms.length; i += 2) {
      const key = terms[i];
      const val = terms[i + 1];
      if (key === 'file') rule.file = val;
      else if (key === 'func') rule.func = val;
      else if (key === 'module') rule.module = val;
      else if (key === 'line' || key === 'format' || key === 'class') continue;
      else return -EINVAL;
    }
    this.rules.push(rule);
    return 0;
  }

  isEnabled(site: DebugSite): boolean {
    let on = false;
    for (const r of this.rules) {
      if (r.file !== undefined && !globMatch(r.file, site.file) && !globMatch(r.file, basename(site.file))) continue;
      if (r.func !== undefined && !globMatch(r.func, site.func)) continue;
      if (r.module !== undefined && !globMatch(r.module, site.module ?? 'kernel')) continue;
      on = r.enable;
    }
    return on;
  }

  /** The control file as `cat` shows the sites we know of. */
  describe(sites: DebugSite[]): string[] {
    return sites.map((s) => `${s.file}:0 [${s.module ?? 'livepatch'}]${s.func} =${this.isEnabled(s) ? 'p' : '_'} "..."`);
  }
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(s);
}

export class Printk {
  readonly records: LogRecord[] = [];
  readonly dyndbg = new DynamicDebug();
  private onceKeys = new Set<string>();
  private listeners: ((r: LogRecord) => void)[] = [];

  constructor(private readonly clock: { readonly now: number }) {}

  printk(level: LogLevel, text: string, facility: 0 | 1 = 0): LogRecord {
    const r: LogRecord = { seq: this.records.length, time: this.clock.now, level, text, facility };
    this.records.push(r);
    for (const l of this.listeners) l(r);
    return r;
  }

  /** pr_*_once(): print the first time this key is seen in this boot. */
  once(key: string, level: LogLevel, text: string): void {
    if (this.onceKeys.has(key)) return;
    this.onceKeys.add(key);
    this.printk(level, text);
  }

  /** pr_debug(): printed only if dynamic debug enables the site. */
  debug(site: DebugSite, text: string): void {
    if (this.dyndbg.isEnabled(site)) this.printk(KERN_DEBUG, text);
  }

  onRecord(l: (r: LogRecord) => void): () => void {
    this.listeners.push(l);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }
}

/** dmesg's `[    1.234567] ` prefix for a time in microseconds. */
export function formatTimestamp(timeUs: number): string {
  const sec = Math.floor(timeUs / 1_000_000);
  const usec = Math.floor(timeUs % 1_000_000);
  return `[${String(sec).padStart(5, ' ')}.${String(usec).padStart(6, '0')}]`;
}

export function formatDmesg(r: LogRecord, timestamps = true): string {
  return timestamps ? `${formatTimestamp(r.time)} ${r.text}` : r.text;
}
