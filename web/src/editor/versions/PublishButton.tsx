/**
 * Publishing after a review: the dialog shows what publishing changes (the
 * draft against the published version, unsaved edits included), the
 * draft's errors (which block) and warnings (which do not), and asks for a
 * message. Unsaved edits are saved as a new version first; the server's
 * publish problems (400 with issues) are listed per node.
 */
import { Alert, Button, Group, Loader, Modal, ScrollArea, Stack, Text, Textarea, Tooltip, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconCircleX, IconRocket } from '@tabler/icons-react';
import { diffScenarios, type Issue } from '@tellflow/engine';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useReactFlow } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { ApiError, api } from '../../shared/api.ts';
import { notifySuccess } from '../../shared/errors.ts';
import { issuesOf } from '../../shared/issues.ts';
import { useSaveDraft } from '../SaveButton.tsx';
import { useDirty, useEditor } from '../store.ts';
import { useIssues, useValidationCurrent } from '../validation.ts';
import { useVersionDoc, useVersions } from './data.ts';
import { DiffList } from './DiffList.tsx';
import { labelLookup } from './labels.ts';
import classes from './versions.module.css';

export function PublishButton() {
  const [open, setOpen] = useState(false);
  const readOnly = useEditor((s) => s.readOnly);
  return (
    <>
      <Tooltip label="Review what changes, then publish: new executions run the published version">
        <Button leftSection={<IconRocket size={16} />} variant="light" color="teal" disabled={readOnly} onClick={() => setOpen(true)}>
          Publish
        </Button>
      </Tooltip>
      <Modal opened={open} onClose={() => setOpen(false)} title="Review and publish" size="xl" closeButtonProps={{ 'aria-label': 'Close the review' }}>
        {open && <PublishReview onDone={() => setOpen(false)} />}
      </Modal>
    </>
  );
}

function PublishReview({ onDone }: { onDone: () => void }) {
  const doc = useEditor((s) => s.doc)!;
  const baseVersion = useEditor((s) => s.baseVersion);
  const dirty = useDirty();
  const issues = useIssues();
  const checked = useValidationCurrent();
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  const versions = useVersions(doc.id);
  const publishedVersion = versions.data?.publishedVersion ?? null;
  const published = useVersionDoc(doc.id, publishedVersion);
  const diff = useMemo(() => (published.data ? diffScenarios(published.data, doc) : null), [published.data, doc]);
  const [message, setMessage] = useState('');
  const [serverIssues, setServerIssues] = useState<Issue[]>([]);
  const save = useSaveDraft();
  const queryClient = useQueryClient();

  const publish = useMutation({
    mutationFn: async () => {
      setServerIssues([]);
      const version = dirty ? (await save.mutateAsync({})).saved.version.version : baseVersion;
      if (version === null) throw new Error('the draft has no saved version to publish');
      return api.post('/api/scenarios/{id}/publish', { params: { id: doc.id }, body: { version, comment: message.trim() } });
    },
    onSuccess: ({ version }) => {
      notifySuccess(`Published version ${version.version}`);
      void queryClient.invalidateQueries({ queryKey: ['versions', doc.id] });
      void queryClient.invalidateQueries({ queryKey: ['scenarios'] });
      onDone();
    },
    onError: (e) => setServerIssues(e instanceof ApiError ? issuesOf(e.details) : []),
  });

  const loading = versions.isPending || (publishedVersion !== null && published.isPending);
  const alreadyPublished = !dirty && baseVersion !== null && baseVersion === publishedVersion;
  const labelOf = labelLookup(published.data, doc);
  const blockedBy = !checked
    ? 'Checking the scenario…'
    : errors.length
      ? `Fix ${errors.length} error${errors.length === 1 ? '' : 's'} first`
      : alreadyPublished
        ? 'This version is already published'
        : !message.trim()
          ? 'Write what changes and why'
          : null;

  return (
    <Stack gap="md">
      <Text size="sm">
        {dirty ? (
          <>Your unsaved changes are saved as a new version, which is then published.</>
        ) : (
          <>
            Version <b>{baseVersion}</b> becomes the published version.
          </>
        )}{' '}
        New executions of <b>{doc.name}</b> run it; executions already running stay on their version.
      </Text>
      {errors.length > 0 && (
        <Alert color="red" icon={<IconCircleX size={18} />} title="Errors block publishing">
          <IssueList issues={errors} onJump={onDone} />
        </Alert>
      )}
      {warnings.length > 0 && (
        <Alert
          color="yellow"
          icon={<IconAlertTriangle size={18} />}
          title={`${warnings.length} warning${warnings.length === 1 ? '' : 's'} (publishing is allowed)`}
        >
          <IssueList issues={warnings} onJump={onDone} />
        </Alert>
      )}
      {publish.isError && (
        <Alert color="red" icon={<IconCircleX size={18} />} title="The server refused to publish">
          <Text size="sm" mb={serverIssues.length ? 6 : 0}>
            {publish.error.message}
          </Text>
          {serverIssues.length > 0 && <IssueList issues={serverIssues} onJump={onDone} />}
        </Alert>
      )}
      <div>
        <Text component="h3" fw={700} size="sm" mt={0} mb={6}>
          {publishedVersion === null ? 'First publication' : `Changes from the published version ${publishedVersion}`}
        </Text>
        {loading ? (
          <Loader size="sm" aria-label="Loading the published version" />
        ) : publishedVersion === null ? (
          <Text size="sm" c="dimmed">
            Nothing is published yet: the whole scenario ({doc.nodes.length} nodes) becomes the published version.
          </Text>
        ) : published.isError ? (
          <Text size="sm" c="red">
            Could not load version {publishedVersion}: {published.error.message}
          </Text>
        ) : (
          diff && (
            <ScrollArea.Autosize mah={320} type="auto" offsetScrollbars>
              <DiffList diff={diff} labelOf={labelOf} />
            </ScrollArea.Autosize>
          )
        )}
      </div>
      <Textarea
        label="Publish message"
        description="What changes and why — shown in the version list"
        placeholder="e.g. Callback offered after 2 minutes instead of 5"
        autosize
        minRows={2}
        maxLength={500}
        value={message}
        onChange={(e) => setMessage(e.currentTarget.value)}
        data-autofocus
      />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Tooltip label={blockedBy ?? ''} disabled={!blockedBy}>
          <Button
            leftSection={<IconRocket size={16} />}
            color="teal"
            disabled={!!blockedBy || loading}
            loading={publish.isPending}
            onClick={() => publish.mutate()}
          >
            {dirty ? 'Save and publish' : `Publish version ${baseVersion ?? ''}`}
          </Button>
        </Tooltip>
      </Group>
    </Stack>
  );
}

/** Issues per node; clicking one closes the dialog and shows the node on the canvas. */
function IssueList({ issues, onJump }: { issues: Issue[]; onJump: () => void }) {
  const flow = useReactFlow();
  const select = useEditor((s) => s.select);
  const jump = (nodeId: string) => {
    onJump();
    select([nodeId]);
    void flow.fitView({ nodes: [{ id: nodeId }], duration: 300, maxZoom: 1.2 });
  };
  return (
    <Stack gap={4}>
      {issues.map((issue) => (
        <div key={`${issue.nodeId}|${issue.path}|${issue.message}`} data-issue-node={issue.nodeId}>
          {issue.nodeId ? (
            <UnstyledButton className={classes.entryButton} onClick={() => jump(issue.nodeId!)}>
              <Text size="sm">
                <Text span ff="monospace" fw={600} size="sm">
                  {issue.nodeId}
                </Text>
                {issue.path ? <Text span c="dimmed" ff="monospace" size="xs">{` · ${issue.path}`}</Text> : null}: {issue.message}
              </Text>
            </UnstyledButton>
          ) : (
            <Text size="sm">
              {issue.path ? `${issue.path}: ` : ''}
              {issue.message}
            </Text>
          )}
        </div>
      ))}
    </Stack>
  );
}
