// What the CLI writes to a terminal: text from a document (module output, commands, error
// messages quoting a field) may hold escape sequences (ANSI colours, OSC title changes,
// cursor moves). dmesg prints such bytes as `\xHH` (its safe-print of the ring buffer), and
// so does the CLI: every C0 control character (tab included), DEL and the C1 controls.

/** Text as safe to print to a terminal: control characters but the line breaks written as `\xHH`. */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** JSON text for a terminal: JSON.stringify escapes C0 controls; DEL and C1 get \u00XX too. */
export function terminalJson(json: string): string {
  return json.replace(/[\x7f-\x9f]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}
