import type { ContainerRecord } from '../../store/containers/container-record';
import type { XattrSource } from '../../store/layers/layer-tar-writer';
import type { CommitLayerResult } from '../images/image-commit';
import { containerChanges, type FsChange } from './container-changes';
import { commitContainer, type CommitContainerOptions, type ContainerCommitDeps } from './container-commit';

export type { FsChange } from './container-changes';
export type { CommitContainerOptions } from './container-commit';

export interface ContainerDataDeps extends ContainerCommitDeps {
  /** berth-getxattr over a directory (overlay's opaque marker). */
  openXattrs: (root: string) => XattrSource;
}

/**
 * A container's data as files and images (moby's `daemon/archive.go`, `commit.go`, `changes.go`):
 * commit to an image, the changes against its image (`docker diff`). Reads the container's overlay
 * directories directly, so it works the same on running and stopped containers.
 */
export class ContainerDataService {
  constructor(private readonly deps: ContainerDataDeps) {}

  commit(ref: string, opts: CommitContainerOptions): Promise<CommitLayerResult> {
    return commitContainer(this.deps, ref, opts);
  }

  async changes(ref: string): Promise<FsChange[]> {
    const rec: ContainerRecord = await this.deps.record(ref);
    return containerChanges(rec.rootfs.upperDir, rec.rootfs.lowerDirs, this.deps.openXattrs);
  }
}
