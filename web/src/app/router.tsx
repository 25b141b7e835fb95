import { createBrowserRouter, Navigate } from 'react-router';
import { AgentHome } from '../agent/AgentHome.tsx';
import { homeOf, useMe } from '../auth/session.ts';
import { LoginPage } from '../auth/LoginPage.tsx';
import { EditorPage } from '../editor/EditorPage.tsx';
import { DiffPage } from '../editor/versions/DiffPage.tsx';
import { ExecutionListPage } from '../executions/ExecutionListPage.tsx';
import { ExecutionPage } from '../executions/ExecutionPage.tsx';
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
      { path: 'scenarios/:id', element: <EditorPage /> },
      { path: 'scenarios/:id/diff', element: <DiffPage /> },
      { path: 'executions', element: <ExecutionListPage /> },
      { path: 'executions/:id', element: <ExecutionPage /> },
      { path: 'agent', element: <AgentHome /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
