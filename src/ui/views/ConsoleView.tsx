import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { typeLine } from '../actions/typeLine';
import { readKeepScript, writeKeepScript } from '../consolePrefs';
import { useData } from '../engine';
import { fmtShort, fmtTime, fmtWhen } from '../format';
import { CONSOLE_INPUT_ID } from '../shortcuts';
import { useView } from '../store';
import { consoleItems, historyStep, type ConsoleItem } from './consoleModel';
import { searchFor, searchLine, searchOlder, searchPrompt, startSearch, type HistorySearch } from './historySearch';
import './console.css';

const STATUS_TEXT: Record<ConsoleItem['status'], string> = {
  waiting: 'waiting for the commands before it',
  running: 'running…',
  done: '',
  rejected: 'rejected',
  forked: 'timeline forked',
};

/** Type the script language; each line joins the script at the cursor time. */
export function ConsoleView() {
  const { entries, runs, start, scriptLength } = useData('console');
  const notes = useView((v) => v.consoleNotes);
  const items = consoleItems(entries, runs, notes, scriptLength, start);
  const box = useRef<HTMLDivElement>(null);
  const lastEnd = runs.at(-1)?.end;
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [items.length, runs.length, lastEnd]);
  return (
    <div className="co-view">
      <div className="co-legend" aria-label="Console legend">
        <span title="A line of the scenario's script"><span className="co-prompt">#</span> script</span>
        <span title="A line typed here: it joins the script at the cursor time"><span className="co-prompt co-typed">#</span> typed</span>
        <span title="Standard error, as the shell prints it"><span className="co-err">stderr</span></span>
        <span title="Still running in virtual time, or waiting for the commands before it"><span className="co-running">running</span></span>
      </div>
      <div className="co-transcript" ref={box} role="log" aria-label="Console transcript" tabIndex={0}>
        {items.map((it) => (
          <Item key={it.key} item={it} start={start} />
        ))}
      </div>
      <Prompt />
    </div>
  );
}

function Item({ item, start }: { item: ConsoleItem; start: number }) {
  const when = item.time === undefined ? '' : `[${fmtTime(item.time)}]`;
  return (
    <div className={`co-item co-${item.status}`}>
      <div className="co-cmd">
        <span className={`co-prompt${item.typed ? ' co-typed' : ''}`} title={item.typed ? 'typed in the console' : 'from the scenario script'}>#</span>
        <code>{item.command}</code>
        {STATUS_TEXT[item.status] && <span className={item.status === 'running' || item.status === 'waiting' ? 'co-running' : 'co-err'}>{STATUS_TEXT[item.status]}</span>}
        {item.exit !== undefined && item.exit !== 0 && <span className="co-err" title="exit status">[{item.exit}]</span>}
        <span className="co-when" title={item.time === undefined ? undefined : `dmesg time; ${fmtWhen(item.time, start)}`}>
          {when}
          {item.time !== undefined && <span className="co-since"> +{fmtShort(item.time - start)}</span>}
        </span>
      </div>
      {item.out.map((l, i) => (
        <pre key={`o${i}`} className="co-out">{l}</pre>
      ))}
      {item.err.map((l, i) => (
        <pre key={`e${i}`} className="co-out co-err">{l}</pre>
      ))}
    </div>
  );
}

function Prompt() {
  const draft = useView((v) => v.consoleDraft);
  const history = useView((v) => v.consoleHistory);
  const setDraft = useView((v) => v.setConsoleDraft);
  // Browsing position in the history (history.length = the line being typed) and that line.
  const [at, setAt] = useState<number | null>(null);
  const [typed, setTyped] = useState('');
  // What a typed line does to script lines still ahead of the cursor: by default they are
  // dropped (the timeline forks); the choice to keep them is remembered.
  const [keepScript, setKeepScript] = useState(readKeepScript);

  const [search, setSearch] = useState<HistorySearch | null>(null);

  const submit = (line = draft) => {
    if (!line.trim()) return;
    setAt(null);
    typeLine(line, (ok) => ok && setDraft(''));
  };

  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>, s: HistorySearch) => {
    const line = searchLine(s, history);
    if (e.key === 'Enter') {
      e.preventDefault();
      setSearch(null);
      setDraft(line);
      submit(line);
    } else if (e.ctrlKey && e.key === 'r') {
      e.preventDefault();
      setSearch(searchOlder(s, history));
    } else if (e.ctrlKey && e.key === 'g') {
      e.preventDefault();
      setSearch(null);
      setDraft(s.original);
    } else if (e.key === 'Escape' || e.key.startsWith('Arrow')) {
      // Leave the search with the match on the line, to edit it.
      e.preventDefault();
      e.stopPropagation();
      setSearch(null);
      setDraft(line);
    }
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (search) {
      onSearchKey(e, search);
      return;
    }
    if (e.ctrlKey && e.key === 'r') {
      e.preventDefault();
      setAt(null);
      setSearch(startSearch(draft));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      submit();
    } else if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && history.length) {
      e.preventDefault();
      if (at === null && e.key === 'ArrowDown') return;
      const from = at ?? history.length;
      if (at === null) setTyped(draft);
      const next = historyStep(history.length, from, e.key);
      setAt(next);
      setDraft(next === history.length ? typed : history[next]);
    }
  };

  return (
    <div className="co-prompt-row">
      {search && (
        <output className="co-search" aria-live="polite">
          {searchPrompt(search, history)}
        </output>
      )}
      <label htmlFor={CONSOLE_INPUT_ID} className="co-prompt" title="Root shell prompt: Enter runs the line at the cursor time; ↑/↓ browse the history, Ctrl-R searches it">#</label>
      <input
        id={CONSOLE_INPUT_ID}
        type="text"
        aria-label="Console"
        autoComplete="off"
        spellCheck={false}
        placeholder="cat /sys/kernel/livepatch/*/enabled   (Enter runs, ↑ history, Ctrl-R search)"
        value={search ? search.query : draft}
        onChange={(e) => {
          if (search) {
            setSearch(searchFor(search, history, e.target.value));
            return;
          }
          setDraft(e.target.value);
          setAt(null);
        }}
        onKeyDown={onKey}
      />
      <label className="co-keep" title="A typed command runs at the cursor, now. Script lines still ahead of it (at the head or in the past) are dropped (the timeline forks) unless this is checked: then they run after it.">
        <input
          type="checkbox"
          checked={keepScript}
          onChange={(e) => {
            setKeepScript(e.target.checked);
            writeKeepScript(e.target.checked);
          }}
        />
        keep the script ahead
      </label>
    </div>
  );
}
