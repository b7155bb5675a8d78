import { QueryClient } from '@tanstack/react-query';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Live data arrives through engine events; refetching on focus only adds load.
      queries: { refetchOnWindowFocus: false, retry: 1, staleTime: 2_000 },
    },
  });
}
