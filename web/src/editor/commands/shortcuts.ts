/**
 * The editor's keyboard shortcuts: one table that both the key handler and
 * the help overlay (`?`) read, so the overlay lists exactly what works.
 */
import { useEffect, useRef } from 'react';

export type CommandId =
  | 'help'
  | 'save'
  | 'undo'
  | 'redo'
  | 'copy'
  | 'cut'
  | 'paste'
  | 'duplicate'
  | 'delete'
  | 'selectAll'
  | 'clearSelection'
  | 'search'
  | 'fit'
  | 'zoomIn'
  | 'zoomOut'
  | 'tidy';

export interface Shortcut {
  /** What the overlay shows, e.g. ["Ctrl", "Z"]; alternatives are separate entries in `keys`. */
  keys: string[][];
  description: string;
  group: 'Edit' | 'Select' | 'View' | 'Help';
  /** Absent for mouse gestures, which are listed but handled by the canvas. */
  command?: CommandId;
  matches?: (e: KeyboardEvent) => boolean;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const plain = (e: KeyboardEvent) => !e.ctrlKey && !e.metaKey && !e.altKey;
const key = (e: KeyboardEvent, k: string) => e.key.toLowerCase() === k;

export const SHORTCUTS: Shortcut[] = [
  { keys: [['Ctrl', 'S']], description: 'Save a new draft version', group: 'Edit', command: 'save', matches: (e) => mod(e) && !e.shiftKey && key(e, 's') },
  { keys: [['Ctrl', 'Z']], description: 'Undo', group: 'Edit', command: 'undo', matches: (e) => mod(e) && !e.shiftKey && key(e, 'z') },
  {
    keys: [
      ['Ctrl', 'Shift', 'Z'],
      ['Ctrl', 'Y'],
    ],
    description: 'Redo',
    group: 'Edit',
    command: 'redo',
    matches: (e) => mod(e) && ((e.shiftKey && key(e, 'z')) || key(e, 'y')),
  },
  { keys: [['Ctrl', 'C']], description: 'Copy the selected nodes (as scenario JSON)', group: 'Edit', command: 'copy', matches: (e) => mod(e) && key(e, 'c') },
  { keys: [['Ctrl', 'X']], description: 'Cut the selected nodes', group: 'Edit', command: 'cut', matches: (e) => mod(e) && key(e, 'x') },
  {
    keys: [['Ctrl', 'V']],
    description: 'Paste nodes (also from another scenario or tab)',
    group: 'Edit',
    command: 'paste',
    matches: (e) => mod(e) && key(e, 'v'),
  },
  { keys: [['Ctrl', 'D']], description: 'Duplicate the selected nodes', group: 'Edit', command: 'duplicate', matches: (e) => mod(e) && key(e, 'd') },
  {
    keys: [['Delete'], ['Backspace']],
    description: 'Delete the selected nodes and edges',
    group: 'Edit',
    command: 'delete',
    matches: (e) => plain(e) && (e.key === 'Delete' || e.key === 'Backspace'),
  },
  {
    keys: [['Shift', 'L']],
    description: 'Tidy up the layout (the selection when two or more nodes are selected)',
    group: 'Edit',
    command: 'tidy',
    matches: (e) => plain(e) && e.shiftKey && key(e, 'l'),
  },
  { keys: [['Shift', 'Click']], description: 'Add a node to the selection, or remove it', group: 'Select' },
  { keys: [['Shift', 'Drag']], description: 'Select the nodes inside a box', group: 'Select' },
  { keys: [['Ctrl', 'A']], description: 'Select every node', group: 'Select', command: 'selectAll', matches: (e) => mod(e) && key(e, 'a') },
  { keys: [['Esc']], description: 'Clear the selection', group: 'Select', command: 'clearSelection', matches: (e) => e.key === 'Escape' },
  { keys: [['Ctrl', 'F']], description: 'Search nodes by label, type or parameter', group: 'Select', command: 'search', matches: (e) => mod(e) && key(e, 'f') },
  {
    keys: [['Shift', 'F']],
    description: 'Zoom to fit the whole scenario',
    group: 'View',
    command: 'fit',
    matches: (e) => plain(e) && e.shiftKey && key(e, 'f'),
  },
  { keys: [['+']], description: 'Zoom in', group: 'View', command: 'zoomIn', matches: (e) => plain(e) && (e.key === '+' || e.key === '=') },
  { keys: [['-']], description: 'Zoom out', group: 'View', command: 'zoomOut', matches: (e) => plain(e) && e.key === '-' },
  { keys: [['?']], description: 'Show these shortcuts', group: 'Help', command: 'help', matches: (e) => !mod(e) && e.key === '?' },
  { keys: [['Enter']], description: 'Add the focused palette entry at the centre of the view', group: 'Help' },
];

/** Whether the key goes to something the user is typing into (a field, CodeMirror) or to an open dialog. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  return target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], .cm-editor, [role="dialog"]') !== null;
}

/** Commands that do something other than default browser behaviour only when the canvas is the context. */
const NEEDS_CANVAS_CONTEXT = new Set<CommandId>(['copy', 'cut', 'selectAll']);

/**
 * Runs `handlers` for the shortcuts pressed anywhere on the editor page,
 * except while typing. Copy, cut and select-all keep the browser's meaning
 * when text is selected on the page. A handler returning false lets the key through.
 */
export function useShortcuts(handlers: Partial<Record<CommandId, () => unknown>>): void {
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTyping(e.target)) return;
      const shortcut = SHORTCUTS.find((s) => s.matches?.(e));
      const handler = shortcut?.command && current.current[shortcut.command];
      if (!shortcut?.command || !handler) return;
      if (NEEDS_CANVAS_CONTEXT.has(shortcut.command) && hasTextSelection()) return;
      if (handler() === false) return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function hasTextSelection(): boolean {
  const selection = window.getSelection();
  return !!selection && !selection.isCollapsed && selection.toString().trim() !== '';
}
