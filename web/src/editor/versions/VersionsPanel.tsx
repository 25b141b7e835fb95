/**
 * The Versions tab: every saved version, newest first, with when and by whom,
 * its save comment and — when published — the publish message; each can be
 * viewed read-only on the canvas, exported, or compared.
 */
import { ActionIcon, Alert, Badge, Center, Group, Loader, Stack, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconDownload, IconEye, IconGitCompare, IconHistory } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import type { VersionListItem } from '@tellflow/api';
import { Link } from 'react-router';
import { errorText, notifyError } from '../../shared/errors.ts';
import { formatDateTime, formatWhen } from '../../shared/format.ts';
import { useEditor } from '../store.ts';
import { diffHref, exportHref, useVersions, versionDocQuery } from './data.ts';
import { openVersion, useVersionView } from './view.ts';
import classes from './versions.module.css';

export function VersionsPanel({ scenarioId }: { scenarioId: string }) {
  const versions = useVersions(scenarioId);
  const viewing = useVersionView((s) => s.version);
  const stash = useVersionView((s) => s.stash);
  const editorBase = useEditor((s) => s.baseVersion);
  const draftBase = viewing === null ? editorBase : (stash?.baseVersion ?? null);
  const queryClient = useQueryClient();

  if (versions.isPending)
    return (
      <Center py="xl">
        <Loader size="sm" aria-label="Loading the versions" />
      </Center>
    );
  if (versions.isError)
    return (
      <Alert color="red" icon={<IconAlertTriangle size={18} />} title="Could not load the versions">
        {errorText(versions.error)}
      </Alert>
    );
  const list = versions.data.versions;
  if (list.length === 0)
    return (
      <Stack align="center" gap={6} py="xl">
        <IconHistory size={32} color="var(--mantine-color-gray-5)" />
        <Text fw={600}>No versions yet</Text>
      </Stack>
    );

  const view = async (v: number) => {
    if (v === viewing) return;
    try {
      const doc = await queryClient.fetchQuery(versionDocQuery(scenarioId, v));
      openVersion(doc, v);
    } catch (e) {
      notifyError(`Could not open version ${v}`, e);
    }
  };

  return (
    <Stack gap={8} component="ol" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Versions, newest first">
      {list.map((v, i) => (
        <VersionItem
          key={v.version}
          v={v}
          published={v.version === versions.data.publishedVersion}
          isDraftBase={v.version === draftBase}
          viewing={v.version === viewing}
          previous={list[i + 1]?.version ?? null}
          scenarioId={scenarioId}
          onView={() => view(v.version)}
        />
      ))}
    </Stack>
  );
}

interface ItemProps {
  v: VersionListItem;
  published: boolean;
  isDraftBase: boolean;
  viewing: boolean;
  previous: number | null;
  scenarioId: string;
  onView: () => void;
}

function VersionItem({ v, published, isDraftBase, viewing, previous, scenarioId, onView }: ItemProps) {
  return (
    <li className={classes.version} data-current={published || undefined} data-version={v.version}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Group gap={6}>
            <Text fw={700}>v{v.version}</Text>
            {published && (
              <Badge size="sm" color="teal" variant="light">
                published
              </Badge>
            )}
            {!published && v.publishedAt && (
              <Tooltip label={`Published ${formatDateTime(v.publishedAt)}`}>
                <Badge size="sm" color="gray" variant="light">
                  was published
                </Badge>
              </Tooltip>
            )}
            {isDraftBase && (
              <Badge size="sm" color="blue" variant="outline">
                draft base
              </Badge>
            )}
            {viewing && (
              <Badge size="sm" color="blue" variant="filled">
                viewing
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed" title={formatDateTime(v.createdAt)}>
            {formatWhen(v.createdAt)}
            {v.author ? ` · ${v.author}` : ''}
          </Text>
        </div>
        <Group gap={2} wrap="nowrap">
          <Tooltip label={viewing ? 'Shown on the canvas' : `View v${v.version} on the canvas (read only)`}>
            <ActionIcon variant="subtle" color="gray" aria-label={`View version ${v.version}`} onClick={onView} disabled={viewing}>
              <IconEye size={17} />
            </ActionIcon>
          </Tooltip>
          {previous !== null && (
            <Tooltip label={`Compare v${previous} → v${v.version}`}>
              <ActionIcon
                variant="subtle"
                color="gray"
                component={Link}
                to={diffHref(scenarioId, previous, v.version)}
                aria-label={`Compare version ${v.version} with version ${previous}`}
              >
                <IconGitCompare size={17} />
              </ActionIcon>
            </Tooltip>
          )}
          <Tooltip label={`Download v${v.version} as a scenario file`}>
            <ActionIcon
              variant="subtle"
              color="gray"
              component="a"
              href={exportHref(scenarioId, v.version)}
              download
              aria-label={`Export version ${v.version}`}
            >
              <IconDownload size={17} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
      {v.comment && (
        <Text size="sm" mt={4}>
          {v.comment}
        </Text>
      )}
      {v.publishComment && (
        <Text size="sm" mt={4} c="teal.9">
          <Text span fw={600} size="sm">
            Published:
          </Text>{' '}
          {v.publishComment}
        </Text>
      )}
    </li>
  );
}
