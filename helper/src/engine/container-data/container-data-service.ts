import type { ContainerRecord } from '../../store/containers/container-record';
import type { XattrSource } from '../../store/layers/layer-tar-writer';
import type { CommitLayerResult } from '../images/image-commit';
import type { Readable } from 'node:stream';
import { archiveContainerPath, exportContainer, extractToContainer, listContainerDir, statContainerPath, type PathStat, type PutArchiveOptions } from './container-archive';
import { containerChanges, type FsChange } from './container-changes';
import type { ContainerFsDeps } from './container-fs';
import { commitContainer, type CommitContainerOptions, type ContainerCommitDeps } from './container-commit';

export type { FsChange } from './container-changes';
export type { CommitContainerOptions } from './container-commit';
export type { PathStat, PutArchiveOptions } from './container-archive';

export interface ContainerDataDeps extends ContainerCommitDeps, ContainerFsDeps {
  /** berth-getxattr over a directory (overlay's opaque marker). */
  openXattrs: (root: string) => XattrSource;
}

/**
 * A container's data as files and images (moby's `daemon/archive.go`, `commit.go`, `changes.go`,
 * `export.go`): commit to an image and the changes against its image (`docker diff`) read the
 * overlay directories directly; `docker cp`, export and the Files tab go through the container
 * filesystem (container-fs.ts: berth-cfs, every path resolved inside the container's root).
 * All of it works on running and stopped containers.
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

  /** `docker cp` stat (HEAD archive). */
  statPath(ref: string, path: string): Promise<PathStat> {
    return statContainerPath(this.deps, ref, path);
  }

  /** `docker cp` out of the container: the stat and a tar stream (consume or destroy it). */
  archive(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
    return archiveContainerPath(this.deps, ref, path);
  }

  /** `docker cp` into the container. */
  extract(ref: string, path: string, tar: Readable, opts: PutArchiveOptions): Promise<void> {
    return extractToContainer(this.deps, ref, path, tar, opts);
  }

  /** One directory level, for the app's Files tab. */
  list(ref: string, path: string): Promise<PathStat[]> {
    return listContainerDir(this.deps, ref, path);
  }

  /** `docker export`. */
  export(ref: string): Promise<Readable> {
    return exportContainer(this.deps, ref);
  }
}
