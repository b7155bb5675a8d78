import { forwardRef, type ButtonHTMLAttributes, type ReactNode } from 'react';
import type { LucideIcon } from 'lucide-react';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
  /** A lucide icon drawn before the label (decorative: the label names the button). */
  icon?: LucideIcon;
  /** Disables the button and shows a spinner; the label should say what is happening. */
  busy?: boolean;
}

function classes(variant: ButtonVariant, size: 'sm' | 'md', extra?: string): string {
  return ['btn', variant === 'secondary' ? '' : variant, size === 'sm' ? 'small' : '', extra ?? ''].filter(Boolean).join(' ');
}

/** The one button. `type` defaults to "button" so a button inside a form never submits by accident. */
export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'secondary', size = 'md', icon: Icon, busy, className, children, type = 'button', disabled, ...rest },
  ref,
) {
  return (
    <button ref={ref} type={type} className={classes(variant, size, className)} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy ? <span className="spinner spinner-inline" aria-hidden="true" /> : Icon ? <Icon size={size === 'sm' ? 14 : 16} aria-hidden="true" /> : null}
      {children}
    </button>
  );
});

export interface IconButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'children'> {
  /** The accessible name, also shown as the tooltip. Required: an icon alone names nothing. */
  label: string;
  icon: LucideIcon;
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
}

/** An icon-only button; its `label` is its accessible name and tooltip. */
export const IconButton = forwardRef<HTMLButtonElement, IconButtonProps>(function IconButton(
  { label, icon: Icon, variant = 'ghost', size = 'md', className, type = 'button', ...rest },
  ref,
): ReactNode {
  return (
    <button ref={ref} type={type} aria-label={label} title={label} className={classes(variant, size, `icon-only ${className ?? ''}`)} {...rest}>
      <Icon size={size === 'sm' ? 14 : 16} aria-hidden="true" />
    </button>
  );
});
