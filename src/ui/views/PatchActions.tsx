import { useState } from 'react';
import { FORCE, REVERSE, sleepSeconds, WAIT, WAIT_SIGNALS, type UiAction } from '../actions/registry';
import { TYPE_INTO_CONSOLE } from '../actions/typeLine';
import { fmtShort } from '../format';

/** Virtual time between two attempts when estimating (round_jiffies_relative(HZ) is 0.75-1.75 s). */
const ATTEMPT_US = 1_250_000;

interface ActionTarget {
  patch: string;
  now: number;
  /** When the armed retry fires, if armed. */
  nextRetry?: number;
  attemptsToSignals?: number;
}

function ActionButton({ action, args, title }: { action: UiAction; args: string[]; title?: string }) {
  const line = action.line(args);
  return (
    <button type="button" className="action-button" title={`${title ?? action.help}. Types: ${line}`} onClick={() => action.run(TYPE_INTO_CONSOLE, args)}>
      {action.label}
    </button>
  );
}

/**
 * The operator's options on a patch in transition, as buttons that type script lines: wait for
 * the next attempt, wait for the next fake-signal round, reverse, force (its consequences
 * stated and confirmed first).
 */
export function PatchActions({ target }: { target: ActionTarget }) {
  const [confirming, setConfirming] = useState(false);
  const { patch, now, nextRetry, attemptsToSignals } = target;
  const toRetry = nextRetry !== undefined ? nextRetry - now : ATTEMPT_US;
  const toSignals = attemptsToSignals !== undefined ? toRetry + (attemptsToSignals - 1) * ATTEMPT_US : undefined;
  return (
    <div className="patch-actions" role="group" aria-label={`Actions on ${patch}`}>
      <ActionButton action={WAIT} args={[sleepSeconds(toRetry + 1000)]} title={`Let time pass to the next attempt (in ${fmtShort(toRetry)})`} />
      {toSignals !== undefined && (
        <ActionButton action={WAIT_SIGNALS} args={[sleepSeconds(toSignals + 1000)]} title={`The kernel sends fake signals by itself every 15 attempts (there is no file to send them sooner): let time pass to the next round, ${attemptsToSignals} attempt${attemptsToSignals === 1 ? '' : 's'} away (about ${fmtShort(toSignals)})`} />
      )}
      <ActionButton action={REVERSE} args={[patch]} />
      {!confirming && (
        <button type="button" className="action-button action-danger" title={`${FORCE.help}: asks first`} onClick={() => setConfirming(true)}>
          {FORCE.label}
        </button>
      )}
      {confirming && (
        <div className="force-confirm" role="alertdialog" aria-label={`Force ${patch}?`} aria-describedby={`force-why-${patch}`}>
          <p id={`force-why-${patch}`}>{FORCE.consequences}</p>
          <div className="force-confirm-buttons">
            <button
              type="button"
              className="action-danger"
              onClick={() => {
                setConfirming(false);
                FORCE.run(TYPE_INTO_CONSOLE, [patch]);
              }}
            >
              Force {patch}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
          </div>
        </div>
      )}
    </div>
  );
}
