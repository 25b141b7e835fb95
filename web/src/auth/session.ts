import type { User } from '@tellflow/api';
import { useQuery } from '@tanstack/react-query';
import { api } from '../shared/api.ts';

/** The signed-in user, or null when there is no session. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<User | null> => (await api.get('/api/auth/session')).user,
    staleTime: 60_000,
  });
}

/** Where a user starts after signing in. */
export function homeOf(user: User): string {
  return user.role === 'agent' ? '/agent' : '/scenarios';
}
