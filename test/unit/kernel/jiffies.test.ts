// Issue 12 point 4: the retry of klp_transition_work lands where round_jiffies_relative(HZ)
// puts it. include/linux/jiffies.h: INITIAL_JIFFIES is ((unsigned long)(unsigned int)
// (-300*HZ)), i.e. 2^32 - 300*HZ. kernel/time/timer.c round_jiffies_common(): j += cpu*3;
// rem = j % HZ; round down when rem < HZ/4, else up to the next multiple of HZ; j -= cpu*3;
// the unrounded value unless the result is after jiffies. So the whole "jiffies seconds"
// are 2^32 mod HZ jiffies off the printk seconds of local_clock(): with HZ=1000, 296 jiffies,
// and the retries fall at N.704 s (less 3 ms per CPU number).

import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel';

function retryAt(hz: 100 | 250 | 300 | 1000, nowUs: number, cpu = 0): number {
  const k = new Kernel({ hz, cpus: 4 });
  k.clock.runUntil(nowUs);
  k.current = k.idleSlot(cpu);
  return nowUs + k.roundJiffiesRelative(hz);
}

describe('round_jiffies_relative(HZ) over jiffies that start at INITIAL_JIFFIES', () => {
  it('HZ=1000: from 4.213970 s the retry is at 5.704 s (2^32 mod 1000 = 296)', () => {
    expect(retryAt(1000, 4_213_970)).toBe(5_704_000);
  });

  it('HZ=1000, within a quarter second after a jiffies second: rounds down (5.750 -> 6.704)', () => {
    // 5.750 s is jiffy 5750 + INITIAL; +1000 = 6750 -> rem 46 (< 250): down to 6.704 s.
    expect(retryAt(1000, 5_750_000)).toBe(6_704_000);
  });

  it('the skew: CPU 2 rounds 6 jiffies earlier', () => {
    expect(retryAt(1000, 4_213_970, 2)).toBe(5_698_000);
  });

  it('HZ=250: 2^32 mod 250 = 46, the seconds fall at N.816', () => {
    expect(retryAt(250, 4_213_970)).toBe(5_816_000);
  });

  it('HZ=100: 2^32 mod 100 = 96, the seconds fall at N.04', () => {
    expect(retryAt(100, 4_213_970)).toBe(5_040_000);
  });
});
