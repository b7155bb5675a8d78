import type { ReactNode } from 'react';
import { useHashSegments } from '../../../lib/navigation';
import { VolumeFiles } from './volume-files';
import { VolumesView } from './volumes-view';

/** `#/volumes` lists; `#/volumes/<name>[/<path>]` browses a volume's files (segments URL-encoded). */
export function VolumesRoute(): ReactNode {
  const [, name, path] = useHashSegments();
  return name ? <VolumeFiles key={`${name}${path ?? '/'}`} name={name} path={path ?? '/'} /> : <VolumesView />;
}
