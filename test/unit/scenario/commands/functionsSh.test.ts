// functions.sh's loop_until (tools/testing/selftests/livepatch/functions.sh): `eval "$*"` until
// it succeeds, at most MAX_RETRIES (600) + 1 times, `sleep $RETRY_INTERVAL` (.1 s) between
// tries, then `return 1`. test-syscall.sh calls it directly:
//   loop_until 'grep -q '^0$' /sys/kernel/test_klp_syscall/npids'
// so a case transcribed from that script line for line runs as written (issue 12 point 7).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../../src/engine/simulation';
import { simulateCase, validateCase } from '../../../../src/scenario/case';
import { parseScript } from '../../../../src/scenario/script';
import { runToEnd } from '../../../support/helpers';

const SYSCALL = join(__dirname, '..', '..', '..', 'fixtures', 'extra-cases', 'syscall-01.json');
const LOOP_UNTIL_NPIDS = "loop_until 'grep -q '^0$' /sys/kernel/test_klp_syscall/npids'";

describe('loop_until', () => {
  it("test-syscall.sh's own line: waits until every helper process has called the patched getpid", () => {
    const v = validateCase(JSON.parse(readFileSync(SYSCALL, 'utf8')));
    if (!v.ok) throw new Error(v.errors.join('\n'));
    const script = v.c.script.map((l) => (l.startsWith('wait_sysfs /sys/kernel/test_klp_syscall/npids') ? LOOP_UNTIL_NPIDS : l));
    expect(script).toContain(LOOP_UNTIL_NPIDS);
    const { actual, stopped } = simulateCase({ machine: v.c.machine, script });
    expect(stopped).toBeUndefined();
    // check_result's transcript, "Remaining not livepatched processes: 0" included.
    expect(actual).toEqual(v.c.expectedLog);
  });

  it('returns 0 at the first success and 1 after 601 failed tries 0.1 s apart, without dying', () => {
    const sim = new Simulation();
    const [hit, miss, after] = runToEnd(sim, ["loop_until 'grep -q ^1$ /proc/sys/kernel/ftrace_enabled'", "loop_until 'grep -q ^9$ /proc/sys/kernel/ftrace_enabled'", 'echo still here']);
    expect(hit.result.status).toBe(0);
    expect(miss.result.status).toBe(1);
    expect(miss.time - hit.time).toBeGreaterThanOrEqual(600 * 100_000);
    expect(miss.time - hit.time).toBeLessThan(601 * 100_000 + 1_000_000);
    expect(after.result.out).toEqual(['still here']);
  });

  it('checks the command it loops on before anything runs', () => {
    const p = parseScript(["loop_until 'frobnicate now'"]);
    expect(p.ok).toBe(false);
    expect(parseScript(["loop_until 'grep -q ^0$ /sys/kernel/livepatch/x/transition'"]).ok).toBe(true);
  });
});
