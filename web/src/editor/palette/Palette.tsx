/**
 * The node palette: every type of the server's catalogue, grouped by
 * category and searchable. Drag an entry onto the canvas (or onto an edge to
 * splice it in), or press Enter on it to add the node in the middle of the view.
 */
import { CloseButton, Text, TextInput, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { NODE_CATEGORIES, type NodeCatalogEntry } from '@tellflow/engine';
import { useReactFlow, useStoreApi } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { addNodeAt } from '../commands/actions.ts';
import { CATEGORY_COLORS, NodeIcon } from '../canvas/icons.tsx';
import { CARD_WIDTH } from '../canvas/size.ts';
import { useEditor } from '../store.ts';
import { PALETTE_MIME } from './drop.ts';
import classes from './palette.module.css';

const CATEGORY_TITLES: Record<string, string> = {
  flow: 'Flow',
  data: 'Data',
  telephony: 'Telephony',
  operator: 'Operator',
  queue: 'Queue',
};

/** How far a node added by keyboard moves from one already at the centre, so repeated adds do not stack. */
const NUDGE = 30;

export function Palette({ catalog }: { catalog: Map<string, NodeCatalogEntry> }) {
  const [query, setQuery] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const readOnly = useEditor((s) => s.readOnly);
  const flow = useReactFlow();
  const rf = useStoreApi();

  const groups = useMemo(() => {
    const needle = query.trim().toLowerCase();
    const matches = [...catalog.values()].filter(
      (e) => !needle || e.title.toLowerCase().includes(needle) || e.type.toLowerCase().includes(needle) || e.description.toLowerCase().includes(needle),
    );
    const order = [...NODE_CATEGORIES, ...new Set(matches.map((e) => e.category))];
    return [...new Set(order)].map((category) => ({ category, entries: matches.filter((e) => e.category === category) })).filter((g) => g.entries.length);
  }, [catalog, query]);

  /** Adds a node in the middle of the visible canvas (nudged off any node already there). */
  const addAtCentre = (entry: NodeCatalogEntry) => {
    const dom = rf.getState().domNode;
    if (!dom) return;
    const rect = dom.getBoundingClientRect();
    const centre = flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
    const at = { x: Math.round(centre.x - CARD_WIDTH / 2), y: Math.round(centre.y - 30) };
    const taken = new Set(useEditor.getState().doc?.nodes.map((n) => `${n.position?.x},${n.position?.y}`));
    while (taken.has(`${at.x},${at.y}`)) {
      at.x += NUDGE;
      at.y += NUDGE;
    }
    const id = addNodeAt(entry, at);
    if (id) setAnnouncement(`Added ${entry.title} node ${id} in the middle of the canvas.`);
  };

  return (
    <nav className={classes.palette} aria-label="Node palette">
      <div className={classes.search}>
        <TextInput
          size="xs"
          placeholder="Search node types"
          aria-label="Search node types"
          leftSection={<IconSearch size={14} aria-hidden />}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          rightSection={query ? <CloseButton size="sm" aria-label="Clear the search" onClick={() => setQuery('')} /> : null}
        />
      </div>
      <div className={classes.list}>
        {groups.length === 0 && (
          <Text size="sm" c="dimmed" px={4} py="sm">
            No node type matches “{query.trim()}”.
          </Text>
        )}
        {groups.map(({ category, entries }) => (
          <section key={category} aria-labelledby={`palette-${category}`}>
            <h2 className={classes.category} id={`palette-${category}`}>
              {CATEGORY_TITLES[category] ?? category}
            </h2>
            {entries.map((entry) => {
              const color = CATEGORY_COLORS[entry.category] ?? 'gray';
              return (
                <Tooltip key={entry.type} label={entry.description} position="right" multiline w={240} openDelay={300}>
                  <button
                    type="button"
                    className={classes.entry}
                    draggable={!readOnly}
                    disabled={readOnly}
                    data-type={entry.type}
                    aria-label={`${entry.title}: ${entry.description} Press Enter to add it to the canvas, or drag it.`}
                    style={{ '--node-color': `var(--mantine-color-${color}-6)`, '--node-tint': `var(--mantine-color-${color}-0)` } as React.CSSProperties}
                    onDragStart={(e) => {
                      e.dataTransfer.setData(PALETTE_MIME, entry.type);
                      e.dataTransfer.effectAllowed = 'copy';
                    }}
                    onClick={() => addAtCentre(entry)}
                  >
                    <span className={classes.icon}>
                      <NodeIcon name={entry.icon} size={15} />
                    </span>
                    <span className={classes.title}>{entry.title}</span>
                  </button>
                </Tooltip>
              );
            })}
          </section>
        ))}
      </div>
      <VisuallyHidden aria-live="polite">{announcement}</VisuallyHidden>
    </nav>
  );
}
