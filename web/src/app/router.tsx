import { createBrowserRouter, Navigate } from 'react-router';
import { AgentHome } from '../agent/AgentHome.tsx';
import { homeOf, useMe } from '../auth/session.ts';
import { LoginPage } from '../auth/LoginPage.tsx';
import { ExecutionListPage } from '../executions/ExecutionListPage.tsx';
import { ScenarioListPage } from '../scenarios/ScenarioListPage.tsx';
import { NotFound } from './NotFound.tsx';
import { Shell } from './Shell.tsx';

function Home() {
  const me = useMe();
  return me.data ? <Navigate to={homeOf(me.data)} replace /> : null;
}

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    element: <Shell />,
    children: [
      { index: true, element: <Home /> },
      { path: 'scenarios', element: <ScenarioListPage /> },
      // The editor, the diff and the replay (React Flow, CodeMirror, the engine) load only when one is opened.
      { path: 'scenarios/:id', lazy: async () => ({ Component: (await import('../editor/EditorPage.tsx')).EditorPage }) },
      { path: 'scenarios/:id/diff', lazy: async () => ({ Component: (await import('../editor/versions/DiffPage.tsx')).DiffPage }) },
      { path: 'executions', element: <ExecutionListPage /> },
      { path: 'executions/:id', lazy: async () => ({ Component: (await import('../executions/ExecutionPage.tsx')).ExecutionPage }) },
      { path: 'agent', element: <AgentHome /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
