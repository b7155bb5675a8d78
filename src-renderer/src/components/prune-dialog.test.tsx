import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { PruneDialog, type PruneState } from './prune-dialog';

afterEach(cleanup);

const state = (over: Partial<PruneState> = {}): PruneState => ({ isPending: false, isSuccess: false, data: undefined, error: null, reset: vi.fn(), ...over });

describe('PruneDialog', () => {
  const removed = (n: number): string => `Deleted ${n} image${n === 1 ? '' : 's'}`;

  it('asks first: shows the explanation and runs on Prune', () => {
    const run = vi.fn();
    render(
      <PruneDialog title="Prune images" removed={removed} prune={state()} run={run} onClose={vi.fn()}>
        <p>Removes dangling images.</p>
      </PruneDialog>,
    );
    expect(screen.getByText('Removes dangling images.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Prune' }));
    expect(run).toHaveBeenCalledOnce();
  });

  it('reports the result and closes (resetting the mutation) on Done', () => {
    const prune = state({ isSuccess: true, data: { deleted: ['sha256:a'], spaceReclaimed: 1024 * 1024 } });
    const onClose = vi.fn();
    render(
      <PruneDialog title="Prune images" removed={removed} prune={prune} run={vi.fn()} onClose={onClose}>
        <p>Removes dangling images.</p>
      </PruneDialog>,
    );
    expect(screen.getByRole('status').textContent).toBe('Deleted 1 image, reclaimed 1.05 MB.');
    expect(screen.queryByText('Removes dangling images.')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(prune.reset).toHaveBeenCalledOnce();
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('adds the detail after the count (an image prune’s layers and untagged references)', () => {
    const prune = state({ isSuccess: true, data: { deleted: ['sha256:a', 'sha256:b'], untagged: ['x:1'], layersDeleted: 6, spaceReclaimed: 2_000_000 } });
    render(
      <PruneDialog title="Prune images" removed={removed} detail={() => '1 reference untagged, 6 layers deleted'} prune={prune} run={vi.fn()} onClose={vi.fn()}>
        <p>x</p>
      </PruneDialog>,
    );
    expect(screen.getByRole('status').textContent).toBe('Deleted 2 images (1 reference untagged, 6 layers deleted), reclaimed 2.00 MB.');
  });

  it('disables the button while running and shows an error', () => {
    render(
      <PruneDialog title="Prune images" removed={removed} prune={state({ isPending: true, error: new Error('daemon down') })} run={vi.fn()} onClose={vi.fn()}>
        <p>x</p>
      </PruneDialog>,
    );
    expect((screen.getByRole('button', { name: 'Prune' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/daemon down/)).toBeTruthy();
  });
});
