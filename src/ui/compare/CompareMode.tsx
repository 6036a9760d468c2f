// Compare mode (issue 9 §1): scenario A (the page's) and B run on one seed in two engine
// hosts, side by side: one playback row and aligned timelines driving a linked cursor, the two
// func_stack views, the two universe matrices, and the kernel-log diff up to the cursor.
// Leaving returns to the page's own engine, untouched meanwhile.

import { useCallback, useEffect, useRef } from 'react';
import type { EnginePort } from '../../engine/port';
import { policyByName } from '../../kernel/policy';
import type { Scenario } from '../../scenario/document';
import { engine, PortProvider } from '../engine';
import { FuncStacksView } from '../views/FuncStacksView';
import { GlossaryDialog } from '../glossary/GlossaryDialog';
import { useShortcuts } from '../useShortcuts';
import { HelpOverlay } from '../views/HelpOverlay';
import { ProposalBadge, UniverseMatrix } from '../views/consistency/ConsistencyView';
import { CompareChooser } from './CompareChooser';
import { CompareControls } from './CompareControls';
import { CompareLog } from './CompareLog';
import { CompareTimeline } from './CompareTimeline';
import { closeCompare, useCompare, type CompareSession } from './compareStore';
import { usePortVersion } from './usePort';
import './compare.css';

export function CompareMode({ session }: { session: CompareSession }) {
  const choosing = useCompare((s) => s.choosing);
  const setChoosing = useCompare((s) => s.setChoosing);
  const root = useRef<HTMLDivElement>(null);
  // The page's keyboard shortcuts, sent to the linked cursor (Space plays both, arrows step A and B follows).
  const { link } = session;
  useShortcuts(useCallback((e) => link.send(e), [link]));
  useEffect(() => {
    // Keyboard users land on the playback row (the button that opened Compare is gone).
    if (document.activeElement === document.body || document.activeElement === null) root.current?.querySelector<HTMLElement>('.cmp-controls button')?.focus();
  }, [session]);
  useEffect(() => {
    // For the end-to-end tests and devtools: both ports, the linked cursor, and the page's own port (hidden meanwhile).
    const w = window as unknown as { livepatchCompare?: unknown };
    w.livepatchCompare = { a: session.portA, b: session.portB, link: session.link, page: engine().port };
    return () => {
      delete w.livepatchCompare;
    };
  }, [session]);
  return (
    <div className="app cmp-app" ref={root}>
      <header className="app-head">
        <h1>Livepatch Explorer</h1>
        <p className="scenario-title">Compare</p>
        <button type="button" onClick={() => setChoosing(true)}>Change B…</button>
        <button type="button" onClick={() => closeCompare()}>Leave Compare</button>
      </header>
      <p className="cmp-seed muted">
        Both run on seed {session.a.seed}. A leads the linked cursor: Play and the steps drive A, and B follows to the same virtual time; a seek moves both.
      </p>
      <CompareControls session={session} />
      <CompareTimeline session={session} />
      <div className="cmp-cols">
        <Side side="A" scenario={session.a} port={session.portA} />
        <Side side="B" scenario={session.b} port={session.portB} />
      </div>
      <CompareLog session={session} />
      {choosing && <CompareChooser close={() => setChoosing(false)} />}
      <GlossaryDialog />
      <HelpOverlay />
    </div>
  );
}

function Side({ side, scenario, port }: { side: 'A' | 'B'; scenario: Scenario; port: EnginePort }) {
  usePortVersion(port);
  const policy = policyByName(scenario.kernel.policy);
  const id = `cmp-side-${side.toLowerCase()}`;
  return (
    <section className="cmp-side" aria-labelledby={id} data-side={side}>
      <h2 id={id}>
        {side}: {scenario.title}
      </h2>
      <p className="cmp-policy">
        policy <code>{policy.name}</code> {policy.proposal && <ProposalBadge />}
      </p>
      {port.error() ? (
        <p className="notice" role="alert">{port.error()}</p>
      ) : !port.ready() ? (
        <p className="muted">Building the machine in a background worker…</p>
      ) : (
        <div className="cmp-side-body">
          <div className="cmp-part">
            <h3 id={`${id}-funcs`}>Function stacks</h3>
            {/* Focusable, so each box scrolls from the keyboard. */}
            <div className="cmp-box" data-testid={`funcs-${side}`} tabIndex={0} role="group" aria-labelledby={`${id}-funcs`}>
              <PortProvider value={port}>
                <FuncStacksView />
              </PortProvider>
            </div>
          </div>
          <div className="cmp-part">
            <h3 id={`${id}-universes`}>Universes</h3>
            <div className="cmp-box" data-testid={`universes-${side}`} tabIndex={0} role="group" aria-labelledby={`${id}-universes`}>
              <SideMatrix port={port} />
            </div>
          </div>
        </div>
      )}
    </section>
  );
}

function SideMatrix({ port }: { port: EnginePort }) {
  const data = port.piece('consistency');
  if (!data) return <p className="cs-empty">No consistency analysis for this run.</p>;
  return <UniverseMatrix data={data} />;
}
