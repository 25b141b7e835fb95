/**
 * The canvas part of the editor's toolbar: undo/redo, the edit menu, zoom to
 * fit, tidy-up, node search and the shortcut help; it also owns the keyboard
 * shortcuts, so a button and its key always do the same thing.
 */
import { ActionIcon, Divider, Group, Kbd, Menu, Tooltip } from '@mantine/core';
import {
  IconArrowBackUp,
  IconArrowForwardUp,
  IconClipboard,
  IconCopy,
  IconCut,
  IconKeyboard,
  IconLayoutDistributeHorizontal,
  IconPencil,
  IconSitemap,
  IconTrash,
  IconZoomScan,
} from '@tabler/icons-react';
import type { NodeCatalogEntry } from '@tellflow/engine';
import { useReactFlow } from '@xyflow/react';
import { useCallback, useRef, useState } from 'react';
import { notifyError } from '../../shared/errors.ts';
import { estimatedCardSize } from '../canvas/size.ts';
import { tidyUp } from '../layout/tidy.ts';
import { NodeSearch } from '../search/NodeSearch.tsx';
import { useEditor } from '../store.ts';
import { copySelection, cutSelection, deleteSelection, duplicateSelection, pasteClipboard } from './actions.ts';
import { HelpOverlay } from './HelpOverlay.tsx';
import { useShortcuts } from './shortcuts.ts';

/** Up to this many nodes, tidying the whole scenario zooms to fit it; beyond, every card would be drawn at once. */
const FIT_AFTER_TIDY_UP_TO = 60;

/** The node a view of the whole scenario starts from. */
function startOf(): string {
  const nodes = useEditor.getState().doc?.nodes ?? [];
  return (nodes.find((n) => n.type === 'start') ?? nodes[0])?.id ?? '';
}

export function CanvasToolbar({ catalog }: { catalog: Map<string, NodeCatalogEntry> }) {
  const flow = useReactFlow();
  const canUndo = useEditor((s) => s.past.length > 0 && !s.readOnly);
  const canRedo = useEditor((s) => s.future.length > 0 && !s.readOnly);
  const readOnly = useEditor((s) => s.readOnly);
  const selectedCount = useEditor((s) => s.selectedNodes.length);
  const hasSelection = useEditor((s) => s.selectedNodes.length + s.selectedEdges.length > 0);
  const [help, setHelp] = useState(false);
  const [tidying, setTidying] = useState(false);
  const searchInput = useRef<HTMLInputElement>(null);

  /** A card's size as drawn, or as it would be drawn when it has not been yet. */
  const sizeOf = useCallback(
    (id: string) => {
      const measured = flow.getInternalNode(id)?.measured;
      if (measured?.width && measured.height) return { width: measured.width, height: measured.height };
      const node = useEditor.getState().doc?.nodes.find((n) => n.id === id);
      return node ? estimatedCardSize(node, catalog.get(node.type)) : { width: 240, height: 80 };
    },
    [flow, catalog],
  );

  const fit = useCallback(() => void flow.fitView({ duration: 250, padding: 0.1 }), [flow]);

  /** Brings a node to the middle of the view at a readable zoom. */
  const centreOn = useCallback(
    (id: string) => {
      const node = useEditor.getState().doc?.nodes.find((n) => n.id === id);
      if (!node) return;
      const { width, height } = sizeOf(id);
      const at = node.position ?? { x: 0, y: 0 };
      void flow.setCenter(at.x + width / 2, at.y + height / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration: 300 });
    },
    [flow, sizeOf],
  );

  const goTo = useCallback(
    (id: string) => {
      useEditor.getState().select([id]);
      centreOn(id);
    },
    [centreOn],
  );

  const tidy = useCallback(
    async (scope: 'all' | 'selection') => {
      setTidying(true);
      try {
        const moved = await tidyUp(scope, sizeOf);
        // Fitting a large scenario would draw every card at once; there the view goes to the start instead.
        if (scope === 'all') requestAnimationFrame(moved <= FIT_AFTER_TIDY_UP_TO ? fit : () => centreOn(startOf()));
      } catch (e) {
        notifyError('Could not tidy up the layout', e);
      } finally {
        setTidying(false);
      }
    },
    [sizeOf, fit, centreOn],
  );

  const editable = (run: () => void) => () => {
    if (useEditor.getState().readOnly) return false;
    run();
  };
  const store = useEditor.getState;
  useShortcuts({
    help: () => setHelp(true),
    undo: editable(() => store().undo()),
    redo: editable(() => store().redo()),
    copy: () => (store().selectedNodes.length ? void copySelection() : false),
    cut: editable(() => void cutSelection()),
    paste: editable(() => void pasteClipboard()),
    duplicate: editable(duplicateSelection),
    delete: () => (store().readOnly || store().selectedNodes.length + store().selectedEdges.length === 0 ? false : deleteSelection()),
    selectAll: () => store().select(store().doc?.nodes.map((n) => n.id) ?? []),
    clearSelection: () => (store().selectedNodes.length + store().selectedEdges.length ? store().select([]) : false),
    search: () => searchInput.current?.focus(),
    fit,
    zoomIn: () => void flow.zoomIn({ duration: 150 }),
    zoomOut: () => void flow.zoomOut({ duration: 150 }),
    tidy: editable(() => void tidy(store().selectedNodes.length >= 2 ? 'selection' : 'all')),
  });

  return (
    <Group gap={6} wrap="nowrap">
      <ToolButton label="Undo" keys="Ctrl Z" disabled={!canUndo} onClick={() => store().undo()}>
        <IconArrowBackUp size={18} />
      </ToolButton>
      <ToolButton label="Redo" keys="Ctrl Shift Z" disabled={!canRedo} onClick={() => store().redo()}>
        <IconArrowForwardUp size={18} />
      </ToolButton>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon variant="default" size="lg" aria-label="Edit the selection" disabled={readOnly}>
            <IconPencil size={18} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Selection</Menu.Label>
          <Menu.Item
            leftSection={<IconCopy size={15} />}
            rightSection={<Kbd size="xs">Ctrl C</Kbd>}
            disabled={!selectedCount}
            onClick={() => void copySelection()}
          >
            Copy
          </Menu.Item>
          <Menu.Item
            leftSection={<IconCut size={15} />}
            rightSection={<Kbd size="xs">Ctrl X</Kbd>}
            disabled={!selectedCount}
            onClick={() => void cutSelection()}
          >
            Cut
          </Menu.Item>
          <Menu.Item leftSection={<IconClipboard size={15} />} rightSection={<Kbd size="xs">Ctrl V</Kbd>} onClick={() => void pasteClipboard()}>
            Paste
          </Menu.Item>
          <Menu.Item leftSection={<IconCopy size={15} />} rightSection={<Kbd size="xs">Ctrl D</Kbd>} disabled={!selectedCount} onClick={duplicateSelection}>
            Duplicate
          </Menu.Item>
          <Menu.Item
            leftSection={<IconTrash size={15} />}
            rightSection={<Kbd size="xs">Del</Kbd>}
            color="red"
            disabled={!hasSelection}
            onClick={deleteSelection}
          >
            Delete
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Divider orientation="vertical" />
      <ToolButton label="Zoom to fit" keys="Shift F" onClick={fit}>
        <IconZoomScan size={18} />
      </ToolButton>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Tooltip label="Tidy up the layout">
            <ActionIcon variant="default" size="lg" aria-label="Tidy up the layout" loading={tidying} disabled={readOnly}>
              <IconSitemap size={18} />
            </ActionIcon>
          </Tooltip>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item leftSection={<IconSitemap size={15} />} rightSection={<Kbd size="xs">Shift L</Kbd>} onClick={() => void tidy('all')}>
            Tidy up the whole scenario
          </Menu.Item>
          <Menu.Item leftSection={<IconLayoutDistributeHorizontal size={15} />} disabled={selectedCount < 2} onClick={() => void tidy('selection')}>
            Tidy up the selection ({selectedCount} nodes)
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <NodeSearch catalog={catalog} onPick={goTo} inputRef={searchInput} />
      <ToolButton label="Keyboard shortcuts" keys="?" onClick={() => setHelp(true)}>
        <IconKeyboard size={18} />
      </ToolButton>
      <Divider orientation="vertical" />
      <HelpOverlay opened={help} onClose={() => setHelp(false)} />
    </Group>
  );
}

function ToolButton({
  label,
  keys,
  disabled,
  onClick,
  children,
}: {
  label: string;
  keys: string;
  disabled?: boolean;
  onClick(): void;
  children: React.ReactNode;
}) {
  return (
    <Tooltip
      label={
        <>
          {label} <Kbd size="xs">{keys}</Kbd>
        </>
      }
    >
      <ActionIcon variant="default" size="lg" aria-label={label} disabled={disabled} onClick={onClick}>
        {children}
      </ActionIcon>
    </Tooltip>
  );
}
