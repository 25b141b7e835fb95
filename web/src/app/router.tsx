import { createBrowserRouter, Navigate } from 'react-router';
import { AgentHome } from '../agent/AgentHome.tsx';
import { homeOf, useMe } from '../auth/session.ts';
import { LoginPage } from '../auth/LoginPage.tsx';
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
      // The editor (React Flow, CodeMirror, the engine) loads only when a scenario is opened.
      { path: 'scenarios/:id', lazy: async () => ({ Component: (await import('../editor/EditorPage.tsx')).EditorPage }) },
      { path: 'agent', element: <AgentHome /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
