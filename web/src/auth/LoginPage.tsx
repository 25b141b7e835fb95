import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { Logo } from '../app/Logo.tsx';
import { api } from '../shared/api.ts';
import { errorText } from '../shared/errors.ts';
import { homeOf, useMe } from './session.ts';

export function LoginPage() {
  const me = useMe();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { username: '', password: '' },
    validate: { username: (v) => (v.trim() ? null : 'Enter your user name'), password: (v) => (v ? null : 'Enter your password') },
  });
  const login = useMutation({
    mutationFn: (values: { username: string; password: string }) => api.post('/api/auth/login', { body: values }),
    onSuccess: ({ user }) => {
      queryClient.setQueryData(['me'], user);
      const next = search.get('next');
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : homeOf(user), { replace: true });
    },
  });
  if (me.data) return <Navigate to={homeOf(me.data)} replace />;
  return (
    <Center h="100%" bg="gray.1">
      <Paper withBorder shadow="md" p="xl" w={380} radius="lg">
        <form onSubmit={form.onSubmit((values) => login.mutate(values))}>
          <Stack>
            <Stack gap={4} align="center">
              <Logo size={40} />
              <Title order={2}>Sign in to Tellflow</Title>
              <Text c="dimmed" size="sm">
                Scenarios, queues and agents of your call center
              </Text>
            </Stack>
            {login.error && (
              <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
                {errorText(login.error)}
              </Alert>
            )}
            <TextInput label="User name" autoComplete="username" autoFocus {...form.getInputProps('username')} />
            <PasswordInput label="Password" autoComplete="current-password" {...form.getInputProps('password')} />
            <Button type="submit" loading={login.isPending} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
