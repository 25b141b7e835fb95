import { AppShell, Avatar, Center, Group, Loader, Menu, Text, UnstyledButton } from '@mantine/core';
import { IconActivity, IconChevronDown, IconLogout, IconTopologyStar3 } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useMe } from '../auth/session.ts';
import { api } from '../shared/api.ts';
import { notifyError } from '../shared/errors.ts';
import { Logo } from './Logo.tsx';
import classes from './Shell.module.css';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
}

const STAFF_NAV: NavItem[] = [
  { to: '/scenarios', label: 'Scenarios', icon: <IconTopologyStar3 size={16} /> },
  { to: '/executions', label: 'Executions', icon: <IconActivity size={16} /> },
];

/** The frame of every signed-in page: brand, role-aware navigation, the user's menu. */
export function Shell() {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  if (me.isPending)
    return (
      <Center h="100%">
        <Loader aria-label="Loading" />
      </Center>
    );
  if (me.isError || !me.data) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  const user = me.data;
  const nav = user.role === 'agent' ? [] : STAFF_NAV;
  const signOut = async () => {
    try {
      await api.post('/api/auth/logout');
    } catch (e) {
      notifyError('Could not sign out', e);
      return;
    }
    queryClient.clear();
    navigate('/login', { replace: true });
  };
  return (
    <AppShell header={{ height: 52 }} padding={0}>
      <AppShell.Header className={classes.header}>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Logo withName />
            <nav aria-label="Main">
              <Group gap={4}>
                {nav.map((item) => (
                  <NavLink key={item.to} to={item.to} className={classes.link}>
                    {item.icon}
                    {item.label}
                  </NavLink>
                ))}
              </Group>
            </nav>
          </Group>
          <Menu position="bottom-end" width={220}>
            <Menu.Target>
              <UnstyledButton className={classes.user}>
                <Group gap={8} wrap="nowrap">
                  <Avatar size={28} color="teal" radius="xl">
                    {(user.displayName ?? user.username).slice(0, 2).toUpperCase()}
                  </Avatar>
                  <div>
                    <Text size="sm" fw={600} lh={1.1}>
                      {user.displayName ?? user.username}
                    </Text>
                    <Text size="xs" c="dimmed" lh={1.1}>
                      {user.role}
                    </Text>
                  </div>
                  <IconChevronDown size={14} />
                </Group>
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item leftSection={<IconLogout size={16} />} onClick={signOut}>
                Sign out
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Main className={classes.main}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

/** A page body with a title row: the list pages. */
export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <div className={classes.page}>
      <Group justify="space-between" mb="lg" wrap="nowrap">
        <Text component="h1" fz={24} fw={700} m={0}>
          {title}
        </Text>
        <Group gap="sm">{actions}</Group>
      </Group>
      {children}
    </div>
  );
}
