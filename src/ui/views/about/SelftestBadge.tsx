import { useEffect, useState } from 'react';
import { caseIdOfTitle, firstDifference, selftestTranscript, type CaseFile } from '../../../scenario/case';
import { useData, useKernelLog } from '../../engine';
import { loadCase } from '../../selftests';

/**
 * For a kernel selftest opened as a scenario: does the explorer's kernel log match the case's
 * expected transcript line for line? Computed in the page from the log, with the comparison
 * the conformance runner uses (firstDifference), once every script line has run; never stored.
 */
export function SelftestBadge() {
  const title = useData('title');
  const caseId = caseIdOfTitle(title);
  const [found, setFound] = useState<{ id: string; c: CaseFile | undefined } | undefined>(undefined);
  useEffect(() => {
    if (!caseId) return;
    let live = true;
    void loadCase(caseId).then((c) => live && setFound({ id: caseId, c }));
    return () => {
      live = false;
    };
  }, [caseId]);
  const c = found?.id === caseId ? found?.c : undefined;
  if (!caseId || !c) return null;
  return <Verdict c={c} />;
}

function Verdict({ c }: { c: CaseFile }) {
  const log = useKernelLog();
  const con = useData('console');
  const done = con.runs.length === con.entries.length && con.runs.every((r) => r.end !== undefined);
  const sameScript = con.entries.length === c.script.length && con.entries.every((e, i) => e === c.script[i]);
  let text: string;
  let kind: 'match' | 'mismatch' | 'waiting';
  let tip: string;
  if (!sameScript) {
    kind = 'waiting';
    text = 'script changed: no comparison';
    tip = `The script is no longer the selftest's ${c.id}: its expected transcript does not apply.`;
  } else if (!done) {
    kind = 'waiting';
    text = 'selftest: play to the end to compare';
    tip = `The kernel log is compared with ${c.id}'s expected transcript (${c.expectedLog.length} lines) once every script line has run.`;
  } else {
    const d = firstDifference(c.expectedLog, selftestTranscript(log));
    if (d) {
      kind = 'mismatch';
      text = `✗ differs at line ${d.line}: expected ${d.expected ?? '(end of log)'}, got ${d.actual ?? '(end of log)'}`;
    } else {
      kind = 'match';
      text = `✓ matches the kernel's transcript (${c.expectedLog.length} lines)`;
    }
    tip = `${c.id}: the livepatch: and test_klp lines of the kernel log, compared line for line with the expected transcript (the comparison npm run conformance makes).`;
  }
  return (
    <span className={`selftest-badge selftest-${kind}`} role="status" title={tip} data-testid="selftest-badge" data-result={kind}>
      {text}
    </span>
  );
}
