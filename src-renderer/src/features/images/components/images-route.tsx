import type { ReactNode } from 'react';
import { useHashSegments } from '../../../lib/navigation';
import { ImageDetails } from './image-details';
import { ImagesView } from './images-view';

/** `#/images` lists; `#/images/<ref>` shows one image (ref URL-encoded). */
export function ImagesRoute(): ReactNode {
  const [, ref] = useHashSegments();
  return ref ? <ImageDetails key={ref} imageRef={ref} /> : <ImagesView />;
}
