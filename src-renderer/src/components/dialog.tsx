import type { ReactNode } from 'react';
import { Dialog as RDialog } from 'radix-ui';
import { X } from 'lucide-react';
import { IconButton } from './button';

/**
 * A modal dialog (Radix: focus trapped inside, restored on close, Escape and the Close button
 * call onClose, the rest of the page is inert). Focus starts on the first field of the body, so
 * keyboard users land in the form. Mounted = open: render it conditionally.
 */
export function Dialog({
  title,
  onClose,
  children,
  footer,
  wide,
  description,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  /** One sentence read by screen readers when the dialog opens. */
  description?: string;
}): ReactNode {
  return (
    <RDialog.Root open onOpenChange={(open) => (open ? undefined : onClose())}>
      <RDialog.Portal>
        <RDialog.Overlay className="dialog-backdrop">
          <RDialog.Content
            className={wide ? 'dialog dialog-wide' : 'dialog'}
            {...(description ? {} : { 'aria-describedby': undefined })}
            onOpenAutoFocus={(e) => {
              const first = (e.currentTarget as HTMLElement | null)?.querySelector<HTMLElement>('.dialog-body :is(input, select, textarea, button):not(:disabled)');
              if (first) {
                e.preventDefault();
                first.focus();
              }
            }}
          >
            <header className="dialog-header">
              <RDialog.Title asChild>
                <h2>{title}</h2>
              </RDialog.Title>
              <RDialog.Close asChild>
                <IconButton label="Close" icon={X} />
              </RDialog.Close>
            </header>
            {description ? <RDialog.Description className="sr-only">{description}</RDialog.Description> : null}
            <div className="dialog-body">{children}</div>
            {footer ? <footer className="dialog-footer">{footer}</footer> : null}
          </RDialog.Content>
        </RDialog.Overlay>
      </RDialog.Portal>
    </RDialog.Root>
  );
}
