import { useState, type ReactNode } from 'react';
import { DropdownMenu } from 'radix-ui';
import { Ellipsis, type LucideIcon } from 'lucide-react';
import { IconButton } from './button';

export interface MenuItem {
  label: string;
  icon?: LucideIcon;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
}

/**
 * A "more actions" menu (Radix DropdownMenu: arrow keys, typeahead, Escape). Rows show their one
 * or two main actions as buttons and the rest here, so actions never scroll off a narrow window.
 */
export function ActionMenu({ label, items }: { label: string; items: readonly MenuItem[] }): ReactNode {
  // A list shows one menu per row: the Radix machinery mounts on first use only, so scrolling a
  // long list renders a plain button per row.
  const [armed, setArmed] = useState(false);
  if (!armed) {
    return (
      <IconButton
        label={label}
        icon={Ellipsis}
        size="sm"
        aria-haspopup="menu"
        aria-expanded={false}
        onPointerDown={(e) => e.button === 0 && setArmed(true)}
        onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowDown') && (e.preventDefault(), setArmed(true))}
      />
    );
  }
  return (
    <DropdownMenu.Root modal={false} defaultOpen>
      <DropdownMenu.Trigger asChild>
        <IconButton label={label} icon={Ellipsis} size="sm" />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={4}>
          {items.map((item) => (
            <DropdownMenu.Item key={item.label} className={item.danger ? 'menu-item danger' : 'menu-item'} disabled={item.disabled} onSelect={item.onSelect}>
              {item.icon ? <item.icon size={14} aria-hidden="true" /> : null}
              {item.label}
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
