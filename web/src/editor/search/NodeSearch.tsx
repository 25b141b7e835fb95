import { Combobox, Group, Kbd, Text, TextInput, useCombobox } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import type { NodeCatalogEntry } from '@tellflow/engine';
import { type Ref, useDeferredValue, useMemo, useState } from 'react';
import { NodeIcon } from '../canvas/icons.tsx';
import { useEditor } from '../store.ts';
import { searchNodes } from './match.ts';

export interface NodeSearchProps {
  catalog: Map<string, NodeCatalogEntry>;
  /** Selects the node and brings it into view. */
  onPick(nodeId: string): void;
  inputRef?: Ref<HTMLInputElement>;
}

/** The toolbar's node search (Ctrl+F): matches label, id, type or any parameter text; Enter or click goes to the node. */
export function NodeSearch({ catalog, onPick, inputRef }: NodeSearchProps) {
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const nodes = useEditor((s) => s.doc?.nodes);
  const results = useMemo(() => searchNodes(nodes ?? [], catalog, deferred), [nodes, catalog, deferred]);
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });

  const pick = (id: string) => {
    onPick(id);
    combobox.closeDropdown();
  };
  return (
    <Combobox store={combobox} onOptionSubmit={pick} width={380} position="bottom-end">
      <Combobox.Target>
        <TextInput
          ref={inputRef}
          size="xs"
          w={200}
          placeholder="Search nodes"
          aria-label="Search nodes by label, type or parameter"
          leftSection={<IconSearch size={14} aria-hidden />}
          rightSection={<Kbd size="xs">Ctrl F</Kbd>}
          rightSectionWidth={52}
          rightSectionPointerEvents="none"
          value={query}
          onChange={(e) => {
            setQuery(e.currentTarget.value);
            combobox.openDropdown();
            combobox.updateSelectedOptionIndex();
          }}
          onFocus={() => query && combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setQuery('');
              combobox.closeDropdown();
              e.currentTarget.blur();
            }
            // The first result when none is highlighted: type, then Enter.
            if (e.key === 'Enter' && combobox.getSelectedOptionIndex() < 0 && results[0]) pick(results[0].node.id);
          }}
        />
      </Combobox.Target>
      <Combobox.Dropdown hidden={!query.trim()} aria-label="Matching nodes">
        <Combobox.Options mah={360} style={{ overflowY: 'auto' }}>
          {results.length === 0 ? (
            <Combobox.Empty>No node matches “{query.trim()}”</Combobox.Empty>
          ) : (
            results.map(({ node, where, excerpt }) => {
              const entry = catalog.get(node.type);
              return (
                <Combobox.Option value={node.id} key={node.id} aria-label={`${node.label ?? entry?.title ?? node.type} (${node.id})`}>
                  <Group gap={8} wrap="nowrap">
                    <NodeIcon name={entry?.icon} size={15} />
                    <div style={{ minWidth: 0 }}>
                      <Text size="sm" truncate>
                        {node.label ?? entry?.title ?? node.type}{' '}
                        <Text span size="xs" c="dimmed" ff="monospace">
                          {node.id}
                        </Text>
                      </Text>
                      <Text size="xs" c="dimmed" truncate>
                        {where}: {excerpt}
                      </Text>
                    </div>
                  </Group>
                </Combobox.Option>
              );
            })
          )}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
